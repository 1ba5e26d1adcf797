package verify

import (
	"fmt"
	"path/filepath"
	"slices"

	"github.com/hfgo/hfgo/safetensors"
)

// tensor is a computed or expected tensor: float or integer values and a
// shape. Exactly one of f and i is set.
type tensor struct {
	f     []float32
	i     []int64
	isInt bool
	shape []int
}

func floats(v []float32, shape ...int) tensor { return tensor{f: v, shape: shape} }
func ints(v []int64, shape ...int) tensor     { return tensor{i: v, isInt: true, shape: shape} }

// expected is a reference's expected.safetensors.
type expected struct {
	path string
	f    *safetensors.File
}

// openExpected opens the expected tensors of a reference folder.
func openExpected(dir, name string) (*expected, error) {
	if name == "" {
		name = "expected.safetensors"
	}
	path := filepath.Join(dir, name)
	f, err := safetensors.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrReference, err)
	}
	return &expected{path: path, f: f}, nil
}

func (e *expected) Close() error { return e.f.Close() }

func (e *expected) has(name string) bool {
	_, ok := e.f.Tensor(name)
	return ok
}

// isFloat reports whether the tensor holds floats.
func (e *expected) isFloat(name string) bool {
	ti, _ := e.f.Tensor(name)
	switch ti.DType {
	case safetensors.F32, safetensors.F16, safetensors.BF16, safetensors.F64:
		return true
	}
	return false
}

// get reads a tensor as floats or integers, by its dtype.
func (e *expected) get(name string) (tensor, error) {
	ti, ok := e.f.Tensor(name)
	if !ok {
		return tensor{}, fmt.Errorf("%s has no tensor %s", e.path, name)
	}
	if e.isFloat(name) {
		v, err := e.f.Float32(name)
		return tensor{f: v, shape: slices.Clone(ti.Shape)}, err
	}
	v, err := e.f.Int64(name)
	return tensor{i: v, isInt: true, shape: slices.Clone(ti.Shape)}, err
}

// intRows reads a [batch, seq] integer tensor as rows of ints.
func (e *expected) intRows(name string) ([][]int, error) {
	t, err := e.get(name)
	if err != nil {
		return nil, err
	}
	if !t.isInt || len(t.shape) != 2 {
		return nil, fmt.Errorf("%s: %s is not a [batch, seq] integer tensor", e.path, name)
	}
	rows := make([][]int, t.shape[0])
	for b := range rows {
		rows[b] = make([]int, t.shape[1])
		for j := range rows[b] {
			rows[b][j] = int(t.i[b*t.shape[1]+j])
		}
	}
	return rows, nil
}

// names lists the tensors to compare, in the manifest's order, and rows
// for every disagreement between the manifest's table and the file (a
// tensor only one of them has, another dtype or shape).
func (e *expected) names(table tensorTable) ([]string, []Row) {
	var out []string
	var rows []Row
	seen := map[string]bool{}
	for _, n := range table.Names {
		seen[n] = true
		spec := table.Specs[n]
		ti, ok := e.f.Tensor(n)
		switch {
		case !ok:
			rows = append(rows, failRow(n, spec.Shape, "listed in manifest.json but not in %s", filepath.Base(e.path)))
			continue
		case !slices.Equal(ti.Shape, spec.Shape):
			rows = append(rows, failRow(n, spec.Shape, "manifest.json gives shape %v, %s %v", spec.Shape, filepath.Base(e.path), ti.Shape))
			continue
		case spec.DType != "" && dtypeName(ti.DType) != spec.DType:
			rows = append(rows, failRow(n, spec.Shape, "manifest.json gives dtype %s, %s %s", spec.DType, filepath.Base(e.path), ti.DType))
			continue
		}
		out = append(out, n)
	}
	for _, ti := range e.f.Tensors() {
		if !seen[ti.Name] {
			out = append(out, ti.Name)
		}
	}
	return out, rows
}

// dtypeName is the torch name of a safetensors dtype, as manifests write it.
func dtypeName(d safetensors.DType) string {
	switch d {
	case safetensors.F32:
		return "float32"
	case safetensors.F16:
		return "float16"
	case safetensors.BF16:
		return "bfloat16"
	case safetensors.F64:
		return "float64"
	case safetensors.I64:
		return "int64"
	case safetensors.I32:
		return "int32"
	case safetensors.I16:
		return "int16"
	case safetensors.I8:
		return "int8"
	case safetensors.U8:
		return "uint8"
	case safetensors.BOOL:
		return "bool"
	}
	return string(d)
}

// compareTensor compares a computed tensor with the expected one.
func compareTensor(name string, got, want tensor, tol Tolerance) Row {
	if !slices.Equal(got.shape, want.shape) {
		return failRow(name, want.shape, "hfgo gives shape %v, the reference %v", got.shape, want.shape)
	}
	switch {
	case !want.isInt && !got.isInt:
		return Compare(name, got.f, want.f, want.shape, tol)
	case want.isInt && got.isInt:
		return CompareInts(name, got.i, want.i, want.shape)
	}
	return failRow(name, want.shape, "hfgo gives %s values, the reference %s", kindOf(got), kindOf(want))
}

func kindOf(t tensor) string {
	if t.isInt {
		return "integer"
	}
	return "float"
}
