// Package hub is a client for the Hugging Face Hub that shares its cache with
// Python's huggingface_hub.
//
// A Client downloads files and whole snapshots of model, dataset and space
// repos into the cache layout Python uses (blobs named by ETag, relative
// symlinks under snapshots/, refs/, .no_exist markers, locks under .locks/),
// so a checkpoint fetched from Go is found by transformers and the other way
// round. Its zero-config default reads the same environment variables as
// huggingface_hub (HF_ENDPOINT, HF_HOME, HF_HUB_CACHE, HF_TOKEN,
// HF_HUB_OFFLINE, ...); every setting can also be given as an Option.
//
// Downloads are resumable across processes, verified (every LFS blob's
// sha256 and every regular file's git blob sha1 is checked as it streams,
// in a goroutine of its own beside the network and the disk), fetched as
// parallel ranged parts when large and one stream proves slow, and never
// visible in a snapshot before they are complete. Errors are typed: use errors.Is with
// the Err* sentinels and errors.As with *HTTPError.
//
// Layout of a repo folder in the cache:
//
//	<cache>/models--google-bert--bert-base-uncased/
//	  blobs/<etag>                          file contents (sha256 or git sha1)
//	  refs/main                             40-hex commit, no newline
//	  snapshots/<commit>/config.json  ->  ../../blobs/<etag>
//	  .no_exist/<commit>/<path>             empty: the file does not exist there
//	<cache>/.locks/models--google-bert--bert-base-uncased/<etag>.lock
package hub
