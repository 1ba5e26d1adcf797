package hub

import (
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// checkRelPath refuses a repo path ("onnx/model.onnx") that would not stay
// inside the folder it is joined to: empty, absolute, "." or ".." segments,
// backslashes, drive letters, UNC names, NUL bytes, invalid UTF-8.
func checkRelPath(p string) error {
	bad := func(reason string) error { return &UnsafePathError{Path: p, Reason: reason} }
	switch {
	case p == "":
		return bad("empty path")
	case !utf8.ValidString(p):
		return bad("not valid UTF-8")
	case strings.ContainsRune(p, 0):
		return bad("contains a NUL byte")
	case strings.HasPrefix(p, "/"):
		return bad("absolute path")
	case strings.Contains(p, `\`):
		return bad("contains a backslash (Windows separator or UNC name)")
	case len(p) >= 2 && p[1] == ':' && isASCIILetter(p[0]):
		return bad("starts with a drive letter")
	}
	for _, seg := range strings.Split(p, "/") {
		switch seg {
		case "":
			return bad("empty path segment")
		case ".", "..":
			return bad(`"." or ".." path segment`)
		}
	}
	return nil
}

func isASCIILetter(c byte) bool { u := c &^ 0x20; return 'A' <= u && u <= 'Z' }

// joinRel joins a checked repo path to dir.
func joinRel(dir, p string) (string, error) {
	if err := checkRelPath(p); err != nil {
		return "", err
	}
	return filepath.Join(dir, filepath.FromSlash(p)), nil
}

// checkName refuses a single path component from the server (an ETag or a
// commit) that could not be used as a file name.
func checkName(kind, s string) error {
	if s == "" || s == "." || s == ".." || len(s) > 255 || strings.ContainsAny(s, "/\\\x00") || !utf8.ValidString(s) {
		return &UnsafePathError{Path: s, Reason: "invalid " + kind}
	}
	return nil
}
