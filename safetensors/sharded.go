package safetensors

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
)

// Sharded is a sharded checkpoint (model-00001-of-0000n.safetensors files
// and their model.safetensors.index.json) read as one set of tensors. Every
// shard is mapped as by Open; tensors keep the offsets of their own shard.
// Its methods are safe for concurrent use, except Close.
type Sharded struct {
	path     string
	shards   []*File        // in file-name order
	files    []string       // shard file names as the index gives them
	where    map[string]int // tensor name -> shard
	metadata map[string]string
}

var _ Source = (*Sharded)(nil)

// maxIndexSize bounds the index file, as MaxHeaderSize bounds a header.
const maxIndexSize = MaxHeaderSize

// OpenIndex opens the sharded set described by the index file at indexPath;
// shard files are found next to it. It fails when a shard is missing, when
// a tensor is in two shards, or when the weight_map names a tensor its shard
// lacks. A tensor present in a shard but absent from the weight_map is part
// of the set, as it is when transformers loads the shards.
func OpenIndex(indexPath string) (*Sharded, error) {
	ix, err := readIndex(indexPath)
	if err != nil {
		return nil, withFile(err, indexPath)
	}
	s := &Sharded{path: indexPath, where: map[string]int{}, metadata: ix.metadata}
	if err := s.openShards(ix); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.check(ix); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func readIndex(path string) (*index, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, &Error{File: path, Err: err}
	}
	if st.Size() > maxIndexSize {
		return nil, newError(path, "", ErrInvalidIndex, "index of %d bytes exceeds %d", st.Size(), maxIndexSize)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{File: path, Err: err}
	}
	return parseIndex(b)
}

// openShards maps every shard the weight map names and records where each
// tensor is.
func (s *Sharded) openShards(ix *index) error {
	dir := filepath.Dir(s.path)
	for _, name := range ix.shardNames() {
		if !filepath.IsLocal(name) {
			return newError(s.path, "", ErrInvalidIndex, "shard %q is not a file name inside the index's folder", name)
		}
		f, err := Open(filepath.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			return &Error{File: s.path, Err: &detailError{kind: ErrInvalidIndex, msg: fmt.Sprintf("shard %q is missing", name), cause: err}}
		}
		if err != nil {
			return err
		}
		s.shards = append(s.shards, f)
		s.files = append(s.files, name)
		for _, t := range f.h.tensors {
			if prev, dup := s.where[t.Name]; dup {
				return newError(s.path, t.Name, ErrInvalidIndex, "in two shards, %s and %s", s.files[prev], name)
			}
			s.where[t.Name] = len(s.shards) - 1
		}
	}
	return nil
}

// check verifies that every tensor of the weight map is in its shard.
func (s *Sharded) check(ix *index) error {
	for _, name := range slices.Sorted(maps.Keys(ix.weightMap)) {
		shard := ix.weightMap[name]
		if i, ok := s.where[name]; !ok || s.files[i] != shard {
			return newError(s.path, name, ErrInvalidIndex, "weight_map puts it in %s, which lacks it", shard)
		}
	}
	return nil
}

// Len returns the number of tensors of the set.
func (s *Sharded) Len() int { return len(s.where) }

// Tensors returns every tensor, shard by shard (in file-name order), each
// shard's in data-offset order. Offsets are relative to the tensor's shard.
func (s *Sharded) Tensors() []TensorInfo {
	out := make([]TensorInfo, 0, len(s.where))
	for _, f := range s.shards {
		out = append(out, f.Tensors()...)
	}
	return out
}

// Tensor returns the description of the tensor name, with the offsets of
// its shard.
func (s *Sharded) Tensor(name string) (TensorInfo, bool) {
	i, ok := s.where[name]
	if !ok {
		return TensorInfo{}, false
	}
	return s.shards[i].Tensor(name)
}

// Shard returns the file name of the shard holding the tensor name, as the
// index spells it.
func (s *Sharded) Shard(name string) (string, bool) {
	i, ok := s.where[name]
	if !ok {
		return "", false
	}
	return s.files[i], true
}

// Shards returns the shard file names, sorted.
func (s *Sharded) Shards() []string { return slices.Clone(s.files) }

// Names returns the tensor names, sorted.
func (s *Sharded) Names() []string { return slices.Sorted(maps.Keys(s.where)) }

// Metadata returns a copy of the index's "metadata" object: string values as
// they are, others (such as total_size) as their JSON text. It is nil when
// the index has none.
func (s *Sharded) Metadata() map[string]string { return maps.Clone(s.metadata) }

// TotalSize returns the index's metadata.total_size, in bytes, if it has a
// valid one.
func (s *Sharded) TotalSize() (int64, bool) {
	n, err := strconv.ParseInt(s.metadata["total_size"], 10, 64)
	return n, err == nil && n >= 0
}

// Bytes returns the raw bytes of the tensor name: a read-only view of its
// shard's mapping, valid until Close.
func (s *Sharded) Bytes(name string) ([]byte, error) {
	_, b, _, err := s.raw(name)
	return b, err
}

// Float32 returns the tensor name as float32 values, as File.Float32 does
// (a read-only view for aligned F32 tensors, valid until Close).
func (s *Sharded) Float32(name string) ([]float32, error) { return float32s(s, name) }

// Int64 returns the tensor name as int64 values, as Reader.Int64 does.
func (s *Sharded) Int64(name string) ([]int64, error) { return int64s(s, name) }

// Bool returns the BOOL tensor name as []bool, as Reader.Bool does.
func (s *Sharded) Bool(name string) ([]bool, error) { return bools(s, name) }

func (s *Sharded) raw(name string) (*TensorInfo, []byte, string, error) {
	i, ok := s.where[name]
	if !ok {
		return nil, nil, s.path, &Error{File: s.path, Tensor: name, Err: &detailError{kind: ErrNotFound}}
	}
	return s.shards[i].raw(name)
}

// Close unmaps every shard; slices obtained without a copy become invalid.
func (s *Sharded) Close() error {
	var errs []error
	for _, f := range s.shards {
		errs = append(errs, f.Close())
	}
	return errors.Join(errs...)
}
