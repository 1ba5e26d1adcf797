package verify

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
)

// Tolerance is the acceptance rule for float outputs: got passes when
// |got-want| <= ATol + RTol·|want| for every element. Ids and other integer
// tensors are always compared exactly.
type Tolerance struct {
	ATol float64 `json:"atol"`
	RTol float64 `json:"rtol"`
}

// DefaultTolerance is the rule of hfgo's reference fixtures: float32
// implementations of the same model land far inside it.
var DefaultTolerance = Tolerance{ATol: 1e-4, RTol: 1e-4}

// Exact is the rule for values that must be identical: weights read from
// another format, decoded tensors.
var Exact = Tolerance{}

// Within reports whether got is close enough to want. NaN matches only NaN,
// and an infinity only the same infinity.
func (t Tolerance) Within(got, want float64) bool {
	if got == want || math.IsNaN(got) && math.IsNaN(want) {
		return true
	}
	if math.IsInf(got, 0) || math.IsInf(want, 0) {
		return false
	}
	return math.Abs(got-want) <= t.ATol+t.RTol*math.Abs(want)
}

// String words the rule: |got-want| <= atol + rtol·|want|.
func (t Tolerance) String() string {
	return fmt.Sprintf("|got-want| <= %g + %g·|want|", t.ATol, t.RTol)
}

// Status is the outcome of one row.
type Status string

// The statuses of a row.
const (
	// Pass: hfgo computed the tensor within the tolerance (exactly for ids).
	Pass Status = "pass"
	// Fail: a value is out of tolerance, a shape differs, or hfgo cannot
	// compute the tensor.
	Fail Status = "fail"
	// Known: the values differ by a documented difference of semantics
	// (the Rust tokenizers library versus the slow Python tokenizers, say);
	// Detail says which. It does not fail the report.
	Known Status = "known"
	// Input: the tensor is an input of the reference (columns of selected
	// logits, the ids of a formats reference) that hfgo read to compute the
	// others; there is nothing to compare.
	Input Status = "input"
)

// Row is the comparison of one tensor (or one field of a tokenizer case
// file) with the reference.
type Row struct {
	// Name is the tensor's name in the reference, prefixed with the weight
	// format or sub-reference it belongs to ("pytorch_model.bin: fp32.logits").
	Name string
	// Shape is the reference's shape of the tensor (for tokenizer rows, the
	// number of cases).
	Shape []int
	// MaxAbs and MaxRel are the largest |got-want| and |got-want|/|want|
	// (over the elements whose want is not 0); NaN when nothing numeric was
	// compared.
	MaxAbs, MaxRel float64
	// Status says whether the row passed.
	Status Status
	// Detail says why a row failed or is known (the first value out of
	// tolerance, the case whose ids differ...); empty for passing rows.
	Detail string
}

// OK reports whether the row does not fail the report.
func (r Row) OK() bool { return r.Status != Fail }

// MarshalJSON writes the row with lower-case keys; non-finite errors are
// written as strings ("NaN", "+Inf") and absent ones left out.
func (r Row) MarshalJSON() ([]byte, error) {
	out := struct {
		Name   string `json:"name"`
		Shape  []int  `json:"shape"`
		MaxAbs any    `json:"max_abs,omitempty"`
		MaxRel any    `json:"max_rel,omitempty"`
		Status Status `json:"status"`
		Detail string `json:"detail,omitempty"`
	}{Name: r.Name, Shape: r.Shape, MaxAbs: jsonNumber(r.MaxAbs), MaxRel: jsonNumber(r.MaxRel), Status: r.Status, Detail: r.Detail}
	if out.Shape == nil {
		out.Shape = []int{}
	}
	return json.Marshal(out)
}

func jsonNumber(v float64) any {
	switch {
	case math.IsNaN(v):
		return nil
	case math.IsInf(v, 0):
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return v
}

// nan marks the errors of a row where nothing numeric was compared.
var nan = math.NaN()

func numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// Compare compares got with want, two tensors of the given shape in row-major
// order, under tol, and returns the row. A length that does not match the
// shape fails.
func Compare(name string, got, want []float32, shape []int, tol Tolerance) Row {
	return compareFunc(name, len(got), len(want), shape, tol, func(i int) (float64, float64) {
		return float64(got[i]), float64(want[i])
	})
}

// CompareInts compares integer tensors (ids, argmaxes) exactly.
func CompareInts(name string, got, want []int64, shape []int) Row {
	return compareFunc(name, len(got), len(want), shape, Exact, func(i int) (float64, float64) {
		return float64(got[i]), float64(want[i])
	})
}

// compareFunc is Compare over values read through at.
func compareFunc(name string, nGot, nWant int, shape []int, tol Tolerance, at func(int) (got, want float64)) Row {
	r := Row{Name: name, Shape: slices.Clone(shape), MaxAbs: math.NaN(), MaxRel: math.NaN(), Status: Pass}
	if n := numel(shape); nWant != n || nGot != n {
		r.Status = Fail
		r.Detail = fmt.Sprintf("hfgo gives %d values, the reference %d for shape %v", nGot, nWant, shape)
		return r
	}
	r.MaxAbs, r.MaxRel = 0, 0
	bad, first := 0, -1
	for i := range nWant {
		g, w := at(i)
		if !tol.Within(g, w) {
			bad++
			if first < 0 {
				first = i
			}
		}
		d := math.Abs(g - w)
		if g == w || math.IsNaN(g) && math.IsNaN(w) {
			d = 0
		}
		if d > r.MaxAbs || math.IsNaN(d) {
			r.MaxAbs = d
		}
		if w != 0 && (d/math.Abs(w) > r.MaxRel || math.IsNaN(d)) {
			r.MaxRel = d / math.Abs(w)
		}
	}
	if bad > 0 {
		g, w := at(first)
		r.Status = Fail
		r.Detail = fmt.Sprintf("%d of %d values out of tolerance; first at %v: got %v, want %v", bad, nWant, unravel(first, shape), g, w)
	}
	return r
}

// unravel turns a flat index into a multi-index of shape.
func unravel(i int, shape []int) []int {
	idx := make([]int, len(shape))
	for d := len(shape) - 1; d >= 0; d-- {
		if shape[d] > 0 {
			idx[d] = i % shape[d]
			i /= shape[d]
		}
	}
	return idx
}

// failRow is a row for a tensor that could not be compared.
func failRow(name string, shape []int, format string, args ...any) Row {
	return Row{Name: name, Shape: slices.Clone(shape), MaxAbs: math.NaN(), MaxRel: math.NaN(), Status: Fail, Detail: fmt.Sprintf(format, args...)}
}

// inputRow is a row for a tensor of the reference that is an input.
func inputRow(name string, shape []int, detail string) Row {
	return Row{Name: name, Shape: slices.Clone(shape), MaxAbs: math.NaN(), MaxRel: math.NaN(), Status: Input, Detail: detail}
}
