package convert

import (
	"bytes"
	"fmt"
	"strconv"
	"sync/atomic"

	"github.com/nlpodyssey/gopickle/types"
)

// StateDict is a PyTorch checkpoint (a pytorch_model.bin written by
// torch.save): its tensors in state dict order. It reads the zip format
// of torch >= 1.6 (any archive folder name) and the legacy format before
// it. Unpickling accepts only the globals torch.save of a state dict emits
// and never runs code.
type StateDict struct {
	file      string
	format    string
	tensors   []*Tensor
	byName    map[string]*Tensor
	globals   []string
	skipped   []string
	unmap     func() error
	mapped    []byte // the file's mapping, whose pages Release gives back
	closed    atomic.Bool
	bigEndian bool
}

// Formats reported by StateDict.Format.
const (
	FormatPyTorch       = "pytorch"
	FormatPyTorchLegacy = "pytorch (legacy)"
)

// OpenPyTorch maps the file at path into memory and reads its state dict.
// Tensors alias the mapping until Close.
func OpenPyTorch(path string) (*StateDict, error) {
	data, unmap, err := mapFile(path)
	if err != nil {
		return nil, &Error{File: path, Err: err}
	}
	sd, err := ReadPyTorch(data, path)
	if err != nil {
		unmap()
		return nil, err
	}
	sd.unmap, sd.mapped = unmap, data
	return sd, nil
}

// ReadPyTorch reads a state dict from the bytes of a PyTorch checkpoint;
// name labels errors. The tensors alias data.
func ReadPyTorch(data []byte, name string) (*StateDict, error) {
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return readZip(data, name)
	case bytes.HasPrefix(data, []byte{opProto, 2, opLong1, 10}):
		return readLegacy(data, name)
	case bytes.HasPrefix(data, []byte("version https://git-lfs.github.com/spec/")):
		return nil, errorf(name, "", ErrFormat, "a Git LFS pointer, not the file it points to: download the file itself (git lfs pull, or through the Hub)")
	case len(data) > 262 && bytes.Equal(data[257:262], []byte("ustar")):
		return nil, errorf(name, "", ErrUnsupported, "tar checkpoint of PyTorch < 0.4")
	}
	return nil, errorf(name, "", ErrFormat, "not a PyTorch checkpoint (neither zip nor legacy pickle)")
}

// Names returns the tensor names in state dict order.
func (s *StateDict) Names() []string {
	out := make([]string, len(s.tensors))
	for i, t := range s.tensors {
		out[i] = t.Name
	}
	return out
}

// Tensors returns the tensors in state dict order.
func (s *StateDict) Tensors() []*Tensor { return s.tensors }

// Tensor returns the tensor called name.
func (s *StateDict) Tensor(name string) (*Tensor, bool) {
	t, ok := s.byName[name]
	return t, ok
}

// Format returns FormatPyTorch or FormatPyTorchLegacy.
func (s *StateDict) Format() string { return s.format }

// Globals returns the Python globals the pickle names, as "module.name".
func (s *StateDict) Globals() []string { return s.globals }

// Skipped returns the keys of non-tensor values (numbers, strings, None),
// which a state dict does not normally hold and which are not read.
func (s *StateDict) Skipped() []string { return s.skipped }

// Close releases the file mapping; tensors' bytes must not be used after.
// Calls after the first, concurrent ones included, do nothing.
func (s *StateDict) Close() error {
	if s.closed.Swap(true) || s.unmap == nil {
		return nil
	}
	u := s.unmap
	s.unmap, s.mapped = nil, nil
	return u()
}

// Nesting and expansion bounds for the object the pickle returns.
const maxDictNesting = 16

// collector walks the unpickled object into named tensors.
type collector struct {
	file    string
	sd      *StateDict
	budget  int // name bytes still allowed
	visited map[any]bool
}

// collect turns the unpickled root (a dict of tensors, possibly nested)
// into the state dict's tensors, checking every view against its storage.
func collect(sd *StateDict, root any, pickleLen int) error {
	c := &collector{file: sd.file, sd: sd, budget: 2*pickleLen + 1<<16, visited: map[any]bool{}}
	sd.byName = map[string]*Tensor{}
	if !isDict(root) {
		return errorf(sd.file, "", ErrFormat, "pickle holds a %s, not a state dict", pyType(root))
	}
	return c.walk(root, "", 0)
}

func isDict(v any) bool {
	switch v.(type) {
	case *types.Dict, *types.OrderedDict:
		return true
	}
	return false
}

func (c *collector) walk(v any, prefix string, depth int) error {
	if depth >= maxDictNesting {
		return errorf(c.file, prefix, ErrLimit, "dicts nested deeper than %d", maxDictNesting)
	}
	if c.visited[v] {
		return errorf(c.file, prefix, ErrFormat, "dict contains itself")
	}
	c.visited[v] = true
	defer delete(c.visited, v)
	keys, vals := dictItems(v)
	for i, k := range keys {
		name, err := keyString(k)
		if err != nil {
			return errorf(c.file, prefix, ErrFormat, "%v", err)
		}
		name = prefix + name
		if c.budget -= len(name); c.budget < 0 {
			return errorf(c.file, "", ErrLimit, "state dict names exceed the pickle's size")
		}
		if err := c.add(name, vals[i], depth); err != nil {
			return err
		}
	}
	return nil
}

func (c *collector) add(name string, v any, depth int) error {
	switch x := v.(type) {
	case *tensorRef:
		if _, dup := c.sd.byName[name]; dup {
			return errorf(c.file, name, ErrFormat, "duplicate tensor name")
		}
		if err := x.storage.check(); err != nil {
			return &Error{File: c.file, Tensor: name, Err: err}
		}
		numel, err := checkView(x)
		if err != nil {
			return &Error{File: c.file, Tensor: name, Err: err}
		}
		t := &Tensor{Name: name, DType: x.dt.name, Shape: make([]int, len(x.shape)), ref: x, numel: numel, file: c.file}
		for i, d := range x.shape {
			t.Shape[i] = int(d)
		}
		c.sd.tensors = append(c.sd.tensors, t)
		c.sd.byName[name] = t
	case *types.Dict, *types.OrderedDict:
		return c.walk(v, name+".", depth+1)
	default:
		c.sd.skipped = append(c.sd.skipped, name)
	}
	return nil
}

// dictItems returns a dict's keys and values in insertion order, with
// Python's semantics for a key set twice (the last value, first place).
func dictItems(v any) (keys, vals []any) {
	switch d := v.(type) {
	case *types.OrderedDict:
		for e := d.List.Front(); e != nil; e = e.Next() {
			entry := e.Value.(*types.OrderedDictEntry)
			keys = append(keys, entry.Key)
			vals = append(vals, entry.Value)
		}
	case *types.Dict:
		at := map[any]int{}
		for _, e := range *d {
			if i, ok := at[e.Key]; ok {
				vals[i] = e.Value
				continue
			}
			at[e.Key] = len(keys)
			keys = append(keys, e.Key)
			vals = append(vals, e.Value)
		}
	}
	return keys, vals
}

// keyString accepts the str (or int, in nested optimizer-style dicts) keys
// of a state dict.
func keyString(k any) (string, error) {
	switch x := k.(type) {
	case string:
		return x, nil
	case int:
		return strconv.Itoa(x), nil
	}
	return "", fmt.Errorf("%w: state dict key is %s, want str", ErrFormat, pyType(k))
}

// check verifies that the storage has its data: as many bytes as its
// persistent id declares, and for a legacy view, a window inside its root.
func (s *storage) check() error {
	es := int64(s.dt.size)
	if es == 0 {
		return fmt.Errorf("%w: storage %q has no dtype", ErrUnsupported, s.key)
	}
	if s.numel > (1<<62)/es {
		return fmt.Errorf("%w: storage %q declares %d elements", ErrFormat, s.key, s.numel)
	}
	if s.root != nil {
		if err := s.root.check(); err != nil {
			return err
		}
		if s.offset > s.root.numel || s.numel > s.root.numel-s.offset {
			return fmt.Errorf("%w: storage view %q (offset %d, %d elements) outside its root %q of %d elements",
				ErrFormat, s.key, s.offset, s.numel, s.root.key, s.root.numel)
		}
		return nil
	}
	if s.data == nil && s.numel > 0 {
		return fmt.Errorf("%w: storage %q has no data", ErrFormat, s.key)
	}
	if int64(len(s.data)) < s.numel*es {
		return fmt.Errorf("%w: storage %q holds %d bytes, its %d %s elements need %d",
			ErrFormat, s.key, len(s.data), s.numel, s.dt.name, s.numel*es)
	}
	return nil
}
