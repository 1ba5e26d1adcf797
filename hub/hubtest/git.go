package hubtest

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"
)

// LFSThreshold is the size above which a file is stored with Git LFS whatever
// its name, as the Hub does.
const LFSThreshold = 10 << 20

// lfsPatterns are the patterns of the .gitattributes the Hub writes into a
// new repo: files matching them are stored with Git LFS.
var lfsPatterns = []string{
	"*.7z", "*.arrow", "*.bin", "*.bz2", "*.ckpt", "*.ftz", "*.gz", "*.h5",
	"*.joblib", "*.lfs.*", "*.mlmodel", "*.model", "*.msgpack", "*.npy",
	"*.npz", "*.onnx", "*.ot", "*.parquet", "*.pb", "*.pickle", "*.pkl",
	"*.pt", "*.pth", "*.rar", "*.safetensors", "saved_model/**/*", "*.tar.*",
	"*.tar", "*.tflite", "*.tgz", "*.wasm", "*.xz", "*.zip", "*.zst",
	"*tfevents*",
}

// IsLFS reports whether the Hub stores a file of that path and size with Git
// LFS: its name matches the default .gitattributes, or it is larger than
// LFSThreshold.
func IsLFS(name string, size int64) bool {
	if size > LFSThreshold {
		return true
	}
	base := path.Base(name)
	for _, p := range lfsPatterns {
		if rest, ok := strings.CutPrefix(p, "saved_model/**/"); ok {
			if strings.HasPrefix(name, "saved_model/") || strings.Contains(name, "/saved_model/") {
				if m, _ := path.Match(rest, base); m {
					return true
				}
			}
			continue
		}
		if m, _ := path.Match(p, base); m {
			return true
		}
	}
	return false
}

// GitBlobID returns the git blob sha1 of data, sha1("blob <len>\x00"+data):
// the ETag the Hub gives a regular file.
func GitBlobID(data []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(data))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}

// SHA256 returns the hex sha256 of data: the ETag the Hub gives an LFS file.
func SHA256(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// lfsPointer is the content git stores for an LFS file.
func lfsPointer(sha256hex string, size int64) []byte {
	return fmt.Appendf(nil, "version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize %d\n", sha256hex, size)
}

// gitObjectID hashes a git object of the given kind.
func gitObjectID(kind string, body []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "%s %d\x00", kind, len(body))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// treeIDs computes the git tree sha1 of every directory of a commit ("" is
// the root), from the git blob ids of its files.
func treeIDs(files map[string]*file) map[string]string {
	children := map[string]map[string]bool{"": {}}
	for p := range files {
		for dir, name := path.Split(p); ; dir, name = path.Split(strings.TrimSuffix(dir, "/")) {
			d := strings.TrimSuffix(dir, "/")
			if children[d] == nil {
				children[d] = map[string]bool{}
			}
			children[d][name] = true
			if d == "" {
				break
			}
		}
	}
	ids := map[string]string{}
	var tree func(dir string) string
	tree = func(dir string) string {
		type entry struct{ name, mode, id string }
		var entries []entry
		for name := range children[dir] {
			full := path.Join(dir, name)
			if f, ok := files[full]; ok {
				entries = append(entries, entry{name, "100644", f.gitID})
			} else {
				entries = append(entries, entry{name, "40000", tree(full)})
			}
		}
		// git orders entries by name, a directory's name taken with a trailing "/".
		key := func(e entry) string {
			if e.mode == "40000" {
				return e.name + "/"
			}
			return e.name
		}
		slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(key(a), key(b)) })
		var body bytes.Buffer
		for _, e := range entries {
			raw, _ := hex.DecodeString(e.id)
			fmt.Fprintf(&body, "%s %s\x00", e.mode, e.name)
			body.Write(raw)
		}
		id := gitObjectID("tree", body.Bytes())
		ids[dir] = id
		return id
	}
	tree("")
	return ids
}

// commitID returns the sha1 of a git commit object over the tree, so equal
// inputs give equal commits and every commit is a real-looking 40-hex sha.
func commitID(tree, parent, message string, when time.Time) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "tree %s\n", tree)
	if parent != "" {
		fmt.Fprintf(&b, "parent %s\n", parent)
	}
	sig := fmt.Sprintf("hubtest <hubtest@localhost> %d +0000", when.Unix())
	fmt.Fprintf(&b, "author %s\ncommitter %s\n\n%s\n", sig, sig, message)
	return gitObjectID("commit", b.Bytes())
}

// isCommitSHA reports whether rev is a full 40-hex commit sha.
func isCommitSHA(rev string) bool {
	if len(rev) != 40 {
		return false
	}
	for _, c := range rev {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
