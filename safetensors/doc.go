// Package safetensors reads and writes the safetensors format of Hugging
// Face checkpoints (model.safetensors and sharded sets described by
// model.safetensors.index.json).
//
// # Layout
//
// A safetensors file is, byte for byte:
//
//	[8 bytes]  N, the header length, a little-endian uint64
//	[N bytes]  the header: a UTF-8 JSON object, padded with spaces
//	[rest]     the data section: every tensor's bytes, little-endian, C order
//
// The header maps each tensor name to {"dtype", "shape", "data_offsets"},
// where data_offsets is [begin, end) relative to the start of the data
// section. An optional "__metadata__" entry maps strings to strings
// (transformers writes {"format": "pt"}).
//
// # Validation
//
// The reader rejects every file the reference Rust implementation rejects:
// the file holds at least 8 bytes; N is at most
// 100,000,000 and the header lies inside the file; the header is valid UTF-8
// starting with '{' and is a JSON object whose "__metadata__" is a
// string-to-string map; every tensor has a known dtype, a shape of
// non-negative integers and data offsets [begin, end] with begin <= end;
// sorted by offset, the tensors are contiguous, without gap or overlap, and
// the last one ends exactly at the end of the file; the byte span of every
// tensor equals its element count times the dtype size, computed with
// overflow checks. It also rejects duplicate tensor names and duplicate
// fields, which a JSON object should not hold. No allocation is sized by a header field before that
// field has been checked against the size of the file.
//
// Every error is an *Error naming the file and, when it concerns one, the
// tensor; it wraps one of the Err* sentinels, for errors.Is.
//
// # Memory
//
// Open maps the file read-only (PROT_READ, MAP_SHARED): Bytes, Float32 and
// Values return slices that point into the mapping whenever the on-disk
// bytes can be used as they are. Such slices are read-only (writing to them
// crashes the program) and valid until the File is closed.
package safetensors
