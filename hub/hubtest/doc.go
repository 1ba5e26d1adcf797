// Package hubtest is a fake Hugging Face Hub for tests and offline mirrors.
//
// A Server answers the Hub's HTTP protocol as the Hub's clients (Python's
// huggingface_hub, huggingface.js, the Rust hf-hub) use it:
//
//   - file resolves, HEAD and GET {repo}/resolve/{revision}/{path}: regular
//     files come from the Hub with their git blob sha1 as ETag; LFS files
//     (the Hub's default .gitattributes patterns, or over 10 MiB) are a 302
//     to a signed URL on a CDN whose host name differs from the Hub's, with
//     X-Linked-Etag (the sha256) and X-Linked-Size; If-None-Match gives 304;
//     Range gives 206 or 416 on the Hub and the CDN; text files are gzipped
//     for clients that accept it; {repo}/raw/... serves LFS pointers;
//   - the API: repo info (/api/models/{id}[/revision/{rev}], ?blobs=true,
//     ?expand=), tree listings paginated by Link headers, paths-info, refs,
//     commits;
//   - revisions: branches, tags, refs/pr/N, HEAD and commit shas, with
//     git-computed blob, tree and commit ids;
//   - access: private and gated repos, tokens, disabled repos, renamed repos
//     and ids in the wrong case (a relative 307), and the Hub's errors in
//     X-Error-Code and X-Error-Message headers with {"error": ...} bodies.
//
// Like net/http/httptest, NewServer starts listening at once:
//
//	s := hubtest.NewServer()
//	defer s.Close()
//	s.AddRepo(hubtest.Repo{ID: "hfgo/tiny", Files: map[string][]byte{"config.json": []byte("{}")}})
//	// point the client at s.URL (HF_ENDPOINT)
//
// AddFault makes chosen requests misbehave, a given number of times: reset
// or dropped connections, stalled, delayed or throttled bodies, 429 and 5xx
// answers, sizes that lie, corrupt bytes, ignored Range headers, malformed
// JSON, hostile tree entries, weak or bare ETags. Requests returns every
// request received, so tests can assert what a client sent, and to whom.
//
// LoadDir serves repos from a folder, either plain (owner/name/...,
// datasets/owner/name/..., spaces/owner/name/...) or a Hugging Face cache
// (models--owner--name/{refs,snapshots,blobs}), with every revision it
// holds: this is what `hfget serve` exposes as a mirror.
package hubtest
