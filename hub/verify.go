package hub

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"strings"
)

// contentHash checks bytes against an ETag: the sha256 of the content for
// LFS files (64 hex digits), the git blob sha1 ("blob <size>\0" + content)
// for regular files (40 hex digits). Other ETags cannot be checked.
type contentHash struct {
	algo string
	want string
	size int64
	h    hash.Hash
}

// newContentHash returns nil when etag is neither a sha256 nor a sha1.
func newContentHash(etag string, size int64) *contentHash {
	var algo string
	switch {
	case len(etag) == 64 && isHex(etag):
		algo = "sha256"
	case len(etag) == 40 && isHex(etag):
		algo = "git-sha1"
	default:
		return nil
	}
	v := &contentHash{algo: algo, want: strings.ToLower(etag), size: size}
	v.reset()
	return v
}

func (v *contentHash) reset() {
	if v.algo == "sha256" {
		v.h = sha256.New()
		return
	}
	v.h = sha1.New()
	fmt.Fprintf(v.h, "blob %d\x00", v.size)
}

func (v *contentHash) Write(p []byte) (int, error) { return v.h.Write(p) }

// check compares the hash of what was written with the ETag.
func (v *contentHash) check(filename string) error {
	got := hex.EncodeToString(v.h.Sum(nil))
	if got != v.want {
		return &ChecksumError{Filename: filename, Algorithm: v.algo, Want: v.want, Got: got}
	}
	return nil
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if !('0' <= s[i] && s[i] <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
