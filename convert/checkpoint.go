package convert

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Standard weight file names, in the order Open prefers them (as
// transformers' from_pretrained does).
const (
	SafetensorsName      = "model.safetensors"
	SafetensorsIndexName = "model.safetensors.index.json"
	PyTorchName          = "pytorch_model.bin"
	PyTorchIndexName     = "pytorch_model.bin.index.json"
)

// Formats reported by Checkpoint.Format, besides FormatPyTorch and
// FormatPyTorchLegacy.
const (
	FormatSafetensors        = "safetensors"
	FormatSafetensorsSharded = "safetensors (sharded)"
	FormatPyTorchSharded     = "pytorch (sharded)"
)

// TensorInfo describes one tensor of a checkpoint.
type TensorInfo struct {
	Name  string
	DType string // safetensors dtype name: "F32", "F16", "BF16", "I64", ...
	Shape []int
	Size  int64  // bytes, once contiguous
	File  string // base name of the file that holds it
}

// Checkpoint is one view over a model's weights in any format: a single
// safetensors file, a sharded safetensors set, a PyTorch pytorch_model.bin
// (zip or legacy) or a sharded .bin set. Its methods are safe for
// concurrent use until Close.
type Checkpoint struct {
	path   string
	format string
	parts  []part
	owner  map[string]int // tensor name -> index in parts
	names  []string
	index  *Index
}

// Open opens the checkpoint at path: a model folder (a cache snapshot
// folder is one), a weight file, or a shard index. In a folder it prefers
// model.safetensors, then model.safetensors.index.json, then
// pytorch_model.bin, then pytorch_model.bin.index.json (the order of
// transformers' from_pretrained), and failing those the folder's only
// *.safetensors.index.json, only unsharded *.safetensors or only
// *.bin.index.json.
func Open(path string) (*Checkpoint, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, &Error{File: path, Err: err}
	}
	if st.IsDir() {
		file, err := findWeights(path)
		if err != nil {
			return nil, err
		}
		path = file
	}
	if strings.HasSuffix(path, ".index.json") {
		return openSharded(path)
	}
	p, format, err := openPart(path)
	if err != nil {
		return nil, err
	}
	return newCheckpoint(path, format, []part{p}, nil)
}

// findWeights returns the weight file or index of the folder dir.
func findWeights(dir string) (string, error) {
	for _, n := range []string{SafetensorsName, SafetensorsIndexName, PyTorchName, PyTorchIndexName} {
		p := filepath.Join(dir, n)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	for _, pattern := range []string{"*.safetensors.index.json", "*.safetensors", "*.bin.index.json"} {
		m, _ := filepath.Glob(filepath.Join(dir, pattern))
		if pattern == "*.safetensors" {
			m = slices.DeleteFunc(m, func(s string) bool { return shardNumbered(filepath.Base(s)) })
		}
		if len(m) == 1 {
			return m[0], nil
		}
	}
	return "", errorf(dir, "", ErrNotFound, "no %s, %s, %s or %s", SafetensorsName, SafetensorsIndexName, PyTorchName, PyTorchIndexName)
}

// shardNumbered reports whether a file name carries a -0000k-of-0000n
// shard number.
func shardNumbered(name string) bool {
	i := strings.LastIndex(name, "-of-")
	return i >= 6 && name[i-6] == '-' && allDigits(name[i-5:i])
}

func allDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// openSharded opens every shard an index names.
func openSharded(indexPath string) (*Checkpoint, error) {
	x, err := readIndex(indexPath)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(indexPath)
	var parts []part
	format := ""
	for _, shard := range x.Shards() {
		p, f, err := openPart(filepath.Join(dir, filepath.FromSlash(shard)))
		if err != nil {
			closeParts(parts)
			return nil, err
		}
		parts = append(parts, p)
		switch {
		case format == "":
			format = f
		case (format == FormatSafetensors) != (f == FormatSafetensors):
			closeParts(parts)
			return nil, errorf(indexPath, "", ErrFormat, "shards mix safetensors and PyTorch files")
		}
	}
	if format == FormatSafetensors {
		format = FormatSafetensorsSharded
	} else {
		format = FormatPyTorchSharded
	}
	c, err := newCheckpoint(indexPath, format, parts, x)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// newCheckpoint indexes the parts' tensors: a name held by two files, or
// an index entry naming a file that lacks the tensor, is an error.
func newCheckpoint(path, format string, parts []part, x *Index) (*Checkpoint, error) {
	c := &Checkpoint{path: path, format: format, parts: parts, owner: map[string]int{}, index: x}
	for i, p := range parts {
		for _, n := range p.names() {
			if j, dup := c.owner[n]; dup {
				closeParts(parts)
				return nil, errorf(path, n, ErrFormat, "in both %s and %s", parts[j].file(), p.file())
			}
			c.owner[n] = i
			c.names = append(c.names, n)
		}
	}
	if x != nil {
		dir := filepath.Dir(path)
		for _, n := range slices.Sorted(maps.Keys(x.WeightMap)) {
			f := x.WeightMap[n]
			i, ok := c.owner[n]
			if !ok || parts[i].file() != filepath.Join(dir, filepath.FromSlash(f)) {
				closeParts(parts)
				return nil, errorf(path, n, ErrFormat, "index says %s holds it, which does not", f)
			}
		}
	}
	return c, nil
}

func closeParts(parts []part) error {
	var errs []error
	for _, p := range parts {
		errs = append(errs, p.close())
	}
	return errors.Join(errs...)
}

// Path returns the file Open resolved: the weight file or the index.
func (c *Checkpoint) Path() string { return c.path }

// Files returns the weight files, one per shard.
func (c *Checkpoint) Files() []string {
	out := make([]string, len(c.parts))
	for i, p := range c.parts {
		out[i] = p.file()
	}
	return out
}

// Index returns the shard index of a sharded checkpoint, nil otherwise.
func (c *Checkpoint) Index() *Index { return c.index }

// Names returns the tensor names: in state dict order for PyTorch files,
// sorted for safetensors files, shard after shard.
func (c *Checkpoint) Names() []string { return slices.Clone(c.names) }

// Info describes the tensor name.
func (c *Checkpoint) Info(name string) (TensorInfo, bool) {
	i, ok := c.owner[name]
	if !ok {
		return TensorInfo{}, false
	}
	return c.parts[i].info(name)
}

// Tensors describes every tensor, in Names order.
func (c *Checkpoint) Tensors() []TensorInfo {
	out := make([]TensorInfo, 0, len(c.names))
	for _, n := range c.names {
		t, _ := c.Info(n)
		out = append(out, t)
	}
	return out
}

// Bytes returns the tensor's elements as contiguous little-endian bytes.
// The slice may alias the file's read-only mapping: never write to it.
func (c *Checkpoint) Bytes(name string) ([]byte, error) {
	i, ok := c.owner[name]
	if !ok {
		return nil, &Error{File: c.path, Tensor: name, Err: ErrNotFound}
	}
	return c.parts[i].bytes(name)
}

// Float32 returns the tensor decoded to float32, and its shape. Aligned
// float32 data is returned without copying, as a view of the file's
// read-only mapping (never write to it; valid until Close); other dtypes
// and strided views are converted into a new slice on each call.
func (c *Checkpoint) Float32(name string) ([]float32, []int, error) {
	i, ok := c.owner[name]
	if !ok {
		return nil, nil, &Error{File: c.path, Tensor: name, Err: ErrNotFound}
	}
	info, _ := c.parts[i].info(name)
	v, err := c.parts[i].float32(name)
	if err != nil {
		return nil, nil, err
	}
	return v, info.Shape, nil
}

// Release gives back the resident memory pages that hold only the tensor
// name in its file's mapping (see safetensors.File.Release and
// StateDict.Release), once the caller keeps its own copy of the tensor;
// views stay valid.
func (c *Checkpoint) Release(name string) error {
	i, ok := c.owner[name]
	if !ok {
		return &Error{File: c.path, Tensor: name, Err: ErrNotFound}
	}
	return c.parts[i].release(name)
}

// Format returns FormatSafetensors, FormatSafetensorsSharded,
// FormatPyTorch, FormatPyTorchLegacy or FormatPyTorchSharded.
func (c *Checkpoint) Format() string { return c.format }

// Metadata returns the safetensors header metadata ({"format": "pt"} for
// transformers' files; of the first shard for a sharded set), or nil for
// PyTorch files.
func (c *Checkpoint) Metadata() map[string]string { return c.parts[0].metadata() }

// Close releases the files; slices obtained without copying become
// invalid.
func (c *Checkpoint) Close() error { return closeParts(c.parts) }

// stateDictTensor returns the PyTorch tensor behind name, for alias
// detection; nil for safetensors files.
func (c *Checkpoint) stateDictTensor(name string) *Tensor {
	i, ok := c.owner[name]
	if !ok {
		return nil
	}
	if p, ok := c.parts[i].(*ptPart); ok {
		t, _ := p.sd.Tensor(name)
		return t
	}
	return nil
}

// Aliases returns the groups of tensors that are one tensor under several
// names (tied weights, as in a pytorch_model.bin where
// lm_head.weight is transformer.wte.weight): the same view of one storage.
// Each group is in Names order. Safetensors files have none.
func (c *Checkpoint) Aliases() [][]string {
	at := map[viewKey]int{} // view -> index in groups
	var groups [][]string
	for _, n := range c.names {
		t := c.stateDictTensor(n)
		if t == nil {
			continue
		}
		k := t.viewKey()
		if i, ok := at[k]; ok {
			groups[i] = append(groups[i], n)
			continue
		}
		at[k] = len(groups)
		groups = append(groups, []string{n})
	}
	return slices.DeleteFunc(groups, func(g []string) bool { return len(g) < 2 })
}

// PickleGlobals returns the Python globals named by the pickles of a
// PyTorch checkpoint, as "module.name" (all of them allowed ones: a
// checkpoint naming another fails to open).
func (c *Checkpoint) PickleGlobals() []string {
	var out []string
	for _, p := range c.parts {
		if pt, ok := p.(*ptPart); ok {
			for _, g := range pt.sd.Globals() {
				out = appendNew(out, g)
			}
		}
	}
	return out
}
