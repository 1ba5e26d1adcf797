// Package weights loads a model's named tensors from a checkpoint into spago
// matrices, checking names and shapes.
package weights

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hfgo/hfgo/internal/kernel"
	"github.com/nlpodyssey/spago/mat"
)

// Source is a checkpoint: named tensors decoded to float32. The returned
// slice may alias read-only memory (a memory-mapped file): callers never
// write to it.
type Source interface {
	Names() []string
	Float32(name string) (data []float32, shape []int, err error)
}

// ErrMissing is returned (wrapped in a *TensorError) for a tensor that the
// checkpoint lacks.
var ErrMissing = errors.New("missing tensor")

// ErrShape is returned (wrapped in a *TensorError) for a tensor whose shape
// is not the one the config implies.
var ErrShape = errors.New("tensor shape mismatch")

// TensorError names the tensor a load failed on.
type TensorError struct {
	Name      string
	Want, Got []int // shapes, for ErrShape
	Err       error
}

func (e *TensorError) Error() string {
	if errors.Is(e.Err, ErrShape) {
		return fmt.Sprintf("tensor %s: shape %v, want %v", e.Name, e.Got, e.Want)
	}
	return fmt.Sprintf("tensor %s: %v", e.Name, e.Err)
}

func (e *TensorError) Unwrap() error { return e.Err }

// Loader reads tensors by their Hugging Face names, trying each prefix in
// turn (for example "bert." then ""), and remembers which names it used.
type Loader struct {
	src      Source
	names    map[string]bool
	prefixes []string
	used     map[string]bool
	aliases  map[string]string // name asked for -> name in the checkpoint
	arena    *Arena            // the copies Transposed makes
	// copyVectors has Tensor copy 1-D tensors into the arena too.
	copyVectors bool
	copied      *[]string // the names of the tensors copied into the arena
}

// NewLoader returns a loader over src that tries the given name prefixes in
// order; no prefix means names are used as they are.
func NewLoader(src Source, prefixes ...string) *Loader {
	if len(prefixes) == 0 {
		prefixes = []string{""}
	}
	names := map[string]bool{}
	for _, n := range src.Names() {
		names[n] = true
	}
	return &Loader{src: src, names: names, prefixes: prefixes, used: map[string]bool{}, aliases: map[string]string{}, arena: &Arena{}, copied: new([]string)}
}

// WithPrefixes returns a loader over the same checkpoint that tries other
// prefixes; it shares the record of used names (and the aliases) with l, so
// one Unused call covers both.
func (l *Loader) WithPrefixes(prefixes ...string) *Loader {
	if len(prefixes) == 0 {
		prefixes = []string{""}
	}
	c := *l
	c.prefixes = prefixes
	return &c
}

// Under returns a loader that reads every name under the one prefix that
// holds anchor, the checkpoint's own ("bert." or "", say), so that a tensor
// missing from the checkpoint is named as the checkpoint names the others.
// It returns l when no prefix holds anchor.
func (l *Loader) Under(anchor string) *Loader {
	if p, ok := l.Prefix(anchor); ok {
		return l.WithPrefixes(p)
	}
	return l
}

// Has reports whether name exists under one of the prefixes.
func (l *Loader) Has(name string) bool {
	_, ok := l.resolve(name)
	return ok
}

// Prefix returns the first prefix under which name exists.
func (l *Loader) Prefix(name string) (string, bool) {
	for _, p := range l.prefixes {
		if l.names[p+name] || l.aliases[p+name] != "" {
			return p, true
		}
	}
	return "", false
}

// Alias makes every checkpoint name ending in from also found under the same
// name ending in to, unless the checkpoint has that name itself: legacy
// LayerNorm names are read with Alias(".gamma", ".weight") and
// Alias(".beta", ".bias"). Call it before loading.
func (l *Loader) Alias(from, to string) {
	for n := range l.names {
		if base, ok := strings.CutSuffix(n, from); ok && !l.names[base+to] {
			l.aliases[base+to] = n
		}
	}
}

func (l *Loader) resolve(name string) (string, bool) {
	p, ok := l.Prefix(name)
	if a := l.aliases[p+name]; ok && a != "" && !l.names[p+name] {
		return a, true
	}
	return p + name, ok
}

// Tensor returns the tensor name with the given shape, as a matrix: a 1-D
// tensor of n elements becomes n×1, like spago vectors. The matrix may share
// read-only memory with the checkpoint, except a 1-D one after CopyVectors.
func (l *Loader) Tensor(name string, shape ...int) (*mat.Dense[float32], error) {
	full, ok := l.resolve(name)
	if !ok {
		return nil, &TensorError{Name: l.prefixes[0] + name, Err: ErrMissing}
	}
	data, got, err := l.src.Float32(full)
	if err != nil {
		return nil, &TensorError{Name: full, Err: err}
	}
	if !slices.Equal(got, shape) {
		return nil, &TensorError{Name: full, Want: shape, Got: got, Err: ErrShape}
	}
	rows, cols := 1, 1
	switch len(shape) {
	case 1:
		rows = shape[0]
	case 2:
		rows, cols = shape[0], shape[1]
	default:
		return nil, &TensorError{Name: full, Err: fmt.Errorf("%d-D tensor, want 1-D or 2-D", len(shape))}
	}
	l.used[full] = true
	if l.copyVectors && len(shape) == 1 {
		return l.own(full, rows, cols, func(dst []float32) { copy(dst, data) })
	}
	return mat.NewDense[float32](mat.WithShape(rows, cols), mat.WithBacking(data)), nil
}

// CopyVectors has Tensor, on l and on the loaders made from it afterwards,
// return 1-D tensors (biases, the scales of norms) as copies in the Arena,
// giving back the checkpoint's pages as Transposed does. A model whose
// large weights are copies then reads no page of the checkpoint but those
// of the tensors it uses in place (its embeddings).
func (l *Loader) CopyVectors() { l.copyVectors = true }

// ReleaseCopied has a Releaser source give back, once more, the pages of
// every tensor copied into the Arena: reading a small tensor maps the
// page cache's whole block around it (a folio), pages of the tensors
// copied and released before it included.
func (l *Loader) ReleaseCopied() error {
	r, ok := l.src.(Releaser)
	if !ok {
		return nil
	}
	for _, name := range *l.copied {
		if err := r.Release(name); err != nil {
			return &TensorError{Name: name, Err: err}
		}
	}
	return nil
}

// Releaser is a Source that can give back the memory of a tensor once the
// model holds a copy of its own; convert.Checkpoint is one, for the pages
// of its mapped safetensors and PyTorch files.
type Releaser interface {
	Release(name string) error
}

// Arena returns where the loader's copies of tensors live (shared with
// the loaders WithPrefixes and Under return): the model frees it when it is
// closed.
func (l *Loader) Arena() *Arena { return l.arena }

// Transposed returns the rows×cols tensor name as a new cols×rows matrix in
// the loader's Arena, for a weight the model keeps in another layout than
// the checkpoint's, and has a Releaser source give back the checkpoint's
// copy, so that the weight is not resident twice.
func (l *Loader) Transposed(name string, rows, cols int) (*mat.Dense[float32], error) {
	m, err := l.Tensor(name, rows, cols)
	if err != nil {
		return nil, err
	}
	full, _ := l.resolve(name)
	return l.own(full, cols, rows, func(dst []float32) { kernel.Transpose(dst, mat.Data[float32](m), rows, cols) })
}

// own returns a rows×cols matrix in the Arena that fill sets from tensor
// full, and has a Releaser source give back the checkpoint's copy.
func (l *Loader) own(full string, rows, cols int, fill func(dst []float32)) (*mat.Dense[float32], error) {
	t := l.arena.Float32s(rows * cols)
	fill(t)
	*l.copied = append(*l.copied, full)
	if r, ok := l.src.(Releaser); ok {
		if err := r.Release(full); err != nil {
			return nil, &TensorError{Name: full, Err: err}
		}
	}
	return mat.NewDense[float32](mat.WithShape(rows, cols), mat.WithBacking(t)), nil
}

// Used reports whether a Tensor call loaded the checkpoint name (the name
// as the checkpoint spells it).
func (l *Loader) Used(name string) bool {
	return l.used[name]
}

// Unused returns the names of the checkpoint that no call loaded, except
// those for which ignore returns true (buffers such as position_ids).
func (l *Loader) Unused(ignore func(name string) bool) []string {
	var out []string
	for n := range l.names {
		if !l.used[n] && (ignore == nil || !ignore(n)) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// HasSuffix reports whether name ends with one of the suffixes; a helper for
// Unused's ignore functions.
func HasSuffix(name string, suffixes ...string) bool {
	for _, s := range suffixes {
		if strings.HasSuffix(name, s) {
			return true
		}
	}
	return false
}
