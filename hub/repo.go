package hub

import (
	"fmt"
	"regexp"
	"strings"
)

// RepoType is the kind of a Hub repo.
type RepoType string

// Repo types.
const (
	Model   RepoType = "model"
	Dataset RepoType = "dataset"
	Space   RepoType = "space"
)

// DefaultRevision is the revision used when none is given.
const DefaultRevision = "main"

// ParseRepoType accepts "model", "dataset", "space", their plurals, and ""
// (a model).
func ParseRepoType(s string) (RepoType, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "model", "models":
		return Model, nil
	case "dataset", "datasets":
		return Dataset, nil
	case "space", "spaces":
		return Space, nil
	}
	return "", fmt.Errorf("%w: repo type %q (want model, dataset or space)", ErrInvalidArgument, s)
}

// orDefault maps the zero RepoType to Model.
func (t RepoType) orDefault() RepoType {
	if t == "" {
		return Model
	}
	return t
}

func (t RepoType) valid() error {
	switch t {
	case Model, Dataset, Space:
		return nil
	}
	return fmt.Errorf("%w: repo type %q (want model, dataset or space)", ErrInvalidArgument, string(t))
}

// urlPrefix is the path prefix of the type's file URLs.
func (t RepoType) urlPrefix() string {
	switch t {
	case Dataset:
		return "datasets/"
	case Space:
		return "spaces/"
	}
	return ""
}

// RepoFolderName is the repo's folder in the cache:
// "models--google-bert--bert-base-uncased".
func RepoFolderName(t RepoType, repoID string) string {
	return string(t.orDefault()) + "s--" + strings.ReplaceAll(repoID, "/", "--")
}

// repoIDPart is one side of a repo id, as huggingface_hub validates it: word
// characters, '-' and '.', starting and ending with a word character.
var repoIDPart = regexp.MustCompile(`^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?$`)

// ValidateRepoID checks a repo id ("owner/name" or a legacy "name") as
// huggingface_hub does: no "--" or "..", no ".git" suffix, name at most 96
// characters.
func ValidateRepoID(repoID string) error {
	bad := func(why string) error {
		return fmt.Errorf("%w: repo id %q: %s", ErrInvalidArgument, repoID, why)
	}
	parts := strings.Split(repoID, "/")
	switch {
	case repoID == "":
		return bad("empty")
	case len(parts) > 2:
		return bad(`more than one "/" (want "owner/name")`)
	case strings.Contains(repoID, "--") || strings.Contains(repoID, ".."):
		return bad(`"--" and ".." are not allowed`)
	case strings.HasSuffix(repoID, ".git"):
		return bad(`a ".git" suffix is not allowed`)
	case len(parts[len(parts)-1]) > 96:
		return bad("name longer than 96 characters")
	}
	for _, p := range parts {
		if !repoIDPart.MatchString(p) {
			return bad("use letters, digits, '-', '_' and '.', starting and ending with a letter or digit")
		}
	}
	return nil
}

// isCommit reports whether rev is a full 40-hex commit id.
func isCommit(rev string) bool {
	return len(rev) == 40 && isLowerHex(rev)
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// validateRevision refuses revisions that could not be stored under refs/.
func validateRevision(rev string) error {
	if rev == "" {
		return fmt.Errorf("%w: empty revision", ErrInvalidArgument)
	}
	if err := checkRelPath(rev); err != nil {
		return fmt.Errorf("%w: revision %q: %v", ErrInvalidArgument, rev, err.(*UnsafePathError).Reason)
	}
	return nil
}

// quote percent-encodes s as Python's urllib.parse.quote(s, safe): every byte
// but letters, digits, "_.-~" and those in safe.
func quote(s, safe string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			strings.IndexByte("_.-~", c) >= 0 || strings.IndexByte(safe, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// fileURL is the resolve URL of a file.
func (c *Client) fileURL(t RepoType, repoID, revision, filename string) string {
	return c.endpoint + "/" + t.urlPrefix() + repoID + "/resolve/" + quote(revision, "") + "/" + quote(filename, "/")
}

// apiURL is an /api/{type}s/{repoID} URL followed by suffix.
func (c *Client) apiURL(t RepoType, repoID, suffix string) string {
	return c.endpoint + "/api/" + string(t) + "s/" + repoID + suffix
}
