package hub

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Sentinel errors. Errors returned by the Client wrap one of them when the
// condition is known; test with errors.Is.
var (
	// ErrRepoNotFound: the repo does not exist, or is private and the token
	// (if any) has no access to it.
	ErrRepoNotFound = errors.New("hub: repo not found")
	// ErrRevisionNotFound: the branch, tag or commit does not exist.
	ErrRevisionNotFound = errors.New("hub: revision not found")
	// ErrEntryNotFound: the file does not exist at that revision.
	ErrEntryNotFound = errors.New("hub: file not found in repo")
	// ErrGatedRepo: the repo is gated and the token has not been granted access.
	ErrGatedRepo = errors.New("hub: gated repo")
	// ErrUnauthorized: the Hub refused the credentials.
	ErrUnauthorized = errors.New("hub: unauthorized")
	// ErrDisabled: the repo has been disabled by the Hub.
	ErrDisabled = errors.New("hub: repo disabled")
	// ErrNotCached: the file is not in the local cache and the Hub could not
	// be asked (offline mode, network error, server error). Python calls it
	// LocalEntryNotFoundError.
	ErrNotCached = errors.New("hub: not in the local cache")
	// ErrRateLimited: the Hub answered 429 until the retries ran out.
	ErrRateLimited = errors.New("hub: rate limited")
	// ErrServer: the Hub answered 5xx until the retries ran out.
	ErrServer = errors.New("hub: server error")
	// ErrChecksum: downloaded bytes do not hash to the file's ETag.
	ErrChecksum = errors.New("hub: checksum mismatch")
	// ErrSize: the server sent more or fewer bytes than it announced.
	ErrSize = errors.New("hub: size mismatch")
	// ErrUnsafePath: a file name from the server or the user would escape
	// the repo folder.
	ErrUnsafePath = errors.New("hub: unsafe path")
	// ErrBadResponse: the server's answer could not be understood
	// (malformed JSON, missing headers).
	ErrBadResponse = errors.New("hub: malformed response")
	// ErrCorruptCache: a file of the local cache holds something invalid
	// (a ref that is not a commit, a folder where a file should be).
	ErrCorruptCache = errors.New("hub: corrupt cache")
	// ErrInvalidArgument: a repo id, repo type, revision or option is invalid.
	ErrInvalidArgument = errors.New("hub: invalid argument")
	// ErrOffline: offline mode is on and the call needs the Hub.
	ErrOffline = errors.New("hub: offline mode is on (HF_HUB_OFFLINE)")
)

// HTTPError is an error answer from the Hub or its CDN.
type HTTPError struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// Method and URL are those of the request (the URL without its query).
	Method, URL string
	// Code is the X-Error-Code header ("RepoNotFound", "GatedRepo", ...).
	Code string
	// Message is the server's explanation (X-Error-Message or the body's
	// "error" field), with any credential removed.
	Message string
	// RequestID is the X-Request-Id header, to quote when reporting a problem.
	RequestID string
	// RetryAfter is how long the server asked to wait (429 and 503).
	RetryAfter time.Duration

	kind       error
	repoCommit string      // X-Repo-Commit of an EntryNotFound answer
	header     http.Header // the answer's headers
}

// Error describes the failure in one line.
func (e *HTTPError) Error() string {
	var b strings.Builder
	what := "hub: HTTP error"
	if e.kind != nil {
		what = e.kind.Error()
	}
	fmt.Fprintf(&b, "%s (%d", what, e.StatusCode)
	if e.Code != "" {
		fmt.Fprintf(&b, " %s", e.Code)
	}
	fmt.Fprintf(&b, ") for %s %s", e.Method, e.URL)
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (request id %s)", e.RequestID)
	}
	return b.String()
}

// Unwrap returns the sentinel the error matches, if any.
func (e *HTTPError) Unwrap() error { return e.kind }

// NotCachedError reports a file (or snapshot) that the Hub could not be asked
// for and that the local cache does not hold. It matches ErrNotCached and
// wraps the reason the Hub could not be asked, if any.
type NotCachedError struct {
	RepoID, Revision, Filename string
	// Cause is why the Hub was not asked: ErrOffline in offline mode, else
	// the network or HTTP error.
	Cause error
}

// Error describes the failure in one line.
func (e *NotCachedError) Error() string {
	what := e.RepoID
	if e.Filename != "" {
		what = fmt.Sprintf("%q of %s", e.Filename, e.RepoID)
	}
	if e.Revision != "" {
		what += " at " + e.Revision
	}
	if e.Cause == nil || errors.Is(e.Cause, ErrOffline) {
		return fmt.Sprintf("hub: %s is not in the local cache and offline mode is on", what)
	}
	return fmt.Sprintf("hub: %s is not in the local cache and the Hub could not be reached: %v", what, e.Cause)
}

// Is reports whether target is ErrNotCached.
func (e *NotCachedError) Is(target error) bool { return target == ErrNotCached }

// Unwrap returns the cause.
func (e *NotCachedError) Unwrap() error { return e.Cause }

// ChecksumError reports downloaded content that does not hash to its ETag.
// The bytes were discarded and the cache left as it was.
type ChecksumError struct {
	Filename  string
	Algorithm string // "sha256" or "git-sha1"
	Want, Got string
}

// Error describes the mismatch.
func (e *ChecksumError) Error() string {
	return fmt.Sprintf("hub: checksum mismatch for %q: %s is %s, want %s (download discarded)", e.Filename, e.Algorithm, e.Got, e.Want)
}

// Is reports whether target is ErrChecksum.
func (e *ChecksumError) Is(target error) bool { return target == ErrChecksum }

// SizeError reports a response whose length disagrees with the announced size.
type SizeError struct {
	Filename  string
	Want, Got int64
	// Detail says where the disagreement showed.
	Detail string
}

// Error describes the mismatch.
func (e *SizeError) Error() string {
	return fmt.Sprintf("hub: consistency check failed for %q: expected %d bytes, %s %d", e.Filename, e.Want, e.Detail, e.Got)
}

// Is reports whether target is ErrSize.
func (e *SizeError) Is(target error) bool { return target == ErrSize }

// UnsafePathError reports a path that would escape the folder it belongs to.
type UnsafePathError struct {
	Path   string
	Reason string
}

// Error names the path.
func (e *UnsafePathError) Error() string {
	return fmt.Sprintf("hub: refusing unsafe path %q: %s", e.Path, e.Reason)
}

// Is reports whether target is ErrUnsafePath.
func (e *UnsafePathError) Is(target error) bool { return target == ErrUnsafePath }

// redactURL drops the query (CDN signatures) and any user info from a URL
// for display.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if i := strings.IndexAny(raw, "?#"); i >= 0 {
			return raw[:i]
		}
		return raw
	}
	u.RawQuery = ""
	u.Fragment = ""
	u.User = nil
	return u.String()
}
