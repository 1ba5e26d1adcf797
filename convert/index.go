package convert

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// maxIndexBytes bounds a shard index file (a 100,000-tensor index is a few
// MiB).
const maxIndexBytes = 64 << 20

// Index is a shard index, model.safetensors.index.json or
// pytorch_model.bin.index.json: which shard file holds each tensor.
type Index struct {
	// TotalSize is metadata.total_size: the bytes of all tensors, tied
	// duplicates counted once. 0 when absent.
	TotalSize int64
	// Metadata holds the other metadata entries, JSON-encoded.
	Metadata map[string]string
	// WeightMap maps tensor names to shard file names, relative to the
	// index's folder.
	WeightMap map[string]string
}

// Shards returns the shard file names, sorted and without duplicates, as
// transformers lists them.
func (x *Index) Shards() []string {
	var out []string
	for _, f := range x.WeightMap {
		out = append(out, f)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// ParseIndex parses a shard index. name labels errors. Shard file names
// must stay inside the index's folder: no absolute paths, no "..".
func ParseIndex(data []byte, name string) (*Index, error) {
	if len(data) > maxIndexBytes {
		return nil, errorf(name, "", ErrLimit, "index of %d bytes (at most %d)", len(data), maxIndexBytes)
	}
	var raw struct {
		Metadata  map[string]json.RawMessage `json:"metadata"`
		WeightMap map[string]string          `json:"weight_map"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return nil, errorf(name, "", ErrFormat, "index JSON: %v", err)
	}
	if dec.More() {
		return nil, errorf(name, "", ErrFormat, "index JSON: data after the object")
	}
	if len(raw.WeightMap) == 0 {
		return nil, errorf(name, "", ErrFormat, "index has no weight_map")
	}
	x := &Index{WeightMap: raw.WeightMap, Metadata: map[string]string{}}
	for k, v := range raw.Metadata {
		if k == "total_size" {
			var n json.Number
			if err := json.Unmarshal(v, &n); err != nil {
				return nil, errorf(name, "", ErrFormat, "metadata.total_size is %s, want a number", v)
			}
			f, err := n.Float64()
			if err != nil || f < 0 || f > 1<<62 || f != float64(int64(f)) {
				return nil, errorf(name, "", ErrFormat, "metadata.total_size %s is not a byte count", n)
			}
			x.TotalSize = int64(f)
			continue
		}
		x.Metadata[k] = string(v)
	}
	for tensor, file := range raw.WeightMap {
		if !safeShardName(file) {
			return nil, errorf(name, tensor, ErrFormat, "shard file %q is not a file name inside the index's folder", file)
		}
	}
	return x, nil
}

// safeShardName accepts relative, local, slash-separated file names.
func safeShardName(f string) bool {
	return f != "" && !strings.ContainsAny(f, "\\\x00") && filepath.IsLocal(f) &&
		!slices.Contains(strings.Split(f, "/"), "..")
}

// readIndex reads and parses the index file at path.
func readIndex(path string) (*Index, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{File: path, Err: err}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, &Error{File: path, Err: err}
	}
	if st.Size() > maxIndexBytes {
		return nil, errorf(path, "", ErrLimit, "index of %d bytes (at most %d)", st.Size(), maxIndexBytes)
	}
	data := make([]byte, st.Size())
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, &Error{File: path, Err: fmt.Errorf("read: %w", err)}
	}
	return ParseIndex(data, path)
}
