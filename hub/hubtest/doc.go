// Package hubtest is a fake Hugging Face Hub for tests and offline mirrors.
//
// A Server answers the Hub's HTTP protocol as Python's huggingface_hub, the
// Rust hf-hub and huggingface.js see it: file resolves (regular files served
// by the Hub with their git blob sha1 as ETag, LFS files redirected to a CDN
// on a different host name with X-Linked-Etag and X-Linked-Size), repo info,
// tree listings with Link pagination, refs, errors carried in X-Error-Code
// and X-Error-Message headers, Range requests, private and gated repos,
// renamed repos and revisions (branches, tags, refs/pr/N, commit shas).
//
// Like net/http/httptest, NewServer starts listening at once:
//
//	s := hubtest.NewServer()
//	defer s.Close()
//	s.AddRepo(hubtest.Repo{ID: "hfgo/tiny", Files: map[string][]byte{"config.json": []byte("{}")}})
//	// point the client at s.URL (HF_ENDPOINT)
//
// Faults (dropped connections, 429 and 5xx answers, slow or throttled bodies,
// sizes that lie, corrupt bytes, malformed JSON, hostile tree entries, weak
// ETags) are injected with AddFault, and every request is recorded so tests
// can assert what a client sent (Requests).
//
// LoadDir serves repos from a folder, either a plain layout
// (owner/name/..., datasets/owner/name/..., spaces/owner/name/...) or a
// Hugging Face cache (models--owner--name/{refs,snapshots,blobs}): this is
// what `hfget serve` exposes as a mirror.
package hubtest
