package gpt2

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"github.com/x448/float16"
)

// fixtures is the reference output of transformers 4.40 (see its README.md).
var fixtures = filepath.Join("..", "..", "testdata", "fixtures")

// stFile is a small safetensors reader for the tests: the expected outputs
// are safetensors files too.
type stFile struct {
	path    string
	data    []byte
	tensors map[string]stTensor
}

type stTensor struct {
	Dtype   string `json:"dtype"`
	Shape   []int  `json:"shape"`
	Offsets [2]int `json:"data_offsets"`
	start   int    // absolute offset of the data
}

func readST(t testing.TB, path string) *stFile {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := int(binary.LittleEndian.Uint64(b))
	var hdr map[string]json.RawMessage
	if err := json.Unmarshal(b[8:8+n], &hdr); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	f := &stFile{path: path, data: b, tensors: map[string]stTensor{}}
	for name, raw := range hdr {
		if name == "__metadata__" {
			continue
		}
		var ti stTensor
		if err := json.Unmarshal(raw, &ti); err != nil {
			t.Fatalf("%s: %s: %v", path, name, err)
		}
		ti.start = 8 + n + ti.Offsets[0]
		f.tensors[name] = ti
	}
	return f
}

// Names lists the tensors.
func (f *stFile) Names() []string {
	var out []string
	for n := range f.tensors {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Float32 decodes a float tensor, widening F16 and BF16.
func (f *stFile) Float32(name string) ([]float32, []int, error) {
	ti, ok := f.tensors[name]
	if !ok {
		return nil, nil, fmt.Errorf("%s: no tensor %s", f.path, name)
	}
	raw := f.data[ti.start : ti.start+ti.Offsets[1]-ti.Offsets[0]]
	var out []float32
	switch ti.Dtype {
	case "F32":
		for i := 0; i < len(raw); i += 4 {
			out = append(out, math.Float32frombits(binary.LittleEndian.Uint32(raw[i:])))
		}
	case "F16":
		for i := 0; i < len(raw); i += 2 {
			out = append(out, float16.Frombits(binary.LittleEndian.Uint16(raw[i:])).Float32())
		}
	case "BF16":
		for i := 0; i < len(raw); i += 2 {
			out = append(out, math.Float32frombits(uint32(binary.LittleEndian.Uint16(raw[i:]))<<16))
		}
	default:
		return nil, nil, fmt.Errorf("%s: %s is %s", f.path, name, ti.Dtype)
	}
	return out, slices.Clone(ti.Shape), nil
}

func (f *stFile) f32(t testing.TB, name string) ([]float32, []int) {
	t.Helper()
	d, s, err := f.Float32(name)
	if err != nil {
		t.Fatal(err)
	}
	return d, s
}

func (f *stFile) i64(t testing.TB, name string) ([]int, []int) {
	t.Helper()
	ti, ok := f.tensors[name]
	if !ok || ti.Dtype != "I64" {
		t.Fatalf("%s: no int64 tensor %s", f.path, name)
	}
	raw := f.data[ti.start : ti.start+ti.Offsets[1]-ti.Offsets[0]]
	out := make([]int, len(raw)/8)
	for i := range out {
		out[i] = int(int64(binary.LittleEndian.Uint64(raw[i*8:])))
	}
	return out, ti.Shape
}

func (f *stFile) has(name string) bool {
	_, ok := f.tensors[name]
	return ok
}

// rows splits a flat batch x seq tensor into rows.
func rows(flat []int, shape []int) [][]int {
	var out [][]int
	for b := range shape[0] {
		out = append(out, flat[b*shape[1]:(b+1)*shape[1]])
	}
	return out
}

// closeTo checks got against want with the fixtures' tolerance.
func closeTo(t *testing.T, name string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d values, want %d", name, len(got), len(want))
		return
	}
	bad, worst, at := 0, 0.0, 0
	for i := range want {
		d := math.Abs(float64(got[i]) - float64(want[i]))
		if !(d <= 1e-4+1e-4*math.Abs(float64(want[i]))) {
			bad++
			if d > worst || math.IsNaN(d) {
				worst, at = d, i
			}
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d values off; worst at %d: got %v, want %v", name, bad, len(want), at, got[at], want[at])
	}
}

// summary is what the fixtures keep of a logits row when they do not keep it
// whole: selected columns, argmax, max and logsumexp.
type summary struct {
	sel      []float32
	argmax   int
	max, lse float32
}

func summarize(row []float32, cols []int) summary {
	s := summary{argmax: 0, max: row[0]}
	for i, v := range row {
		if v > s.max {
			s.max, s.argmax = v, i
		}
	}
	var sum float64
	for _, v := range row {
		sum += math.Exp(float64(v - s.max))
	}
	s.lse = float32(float64(s.max) + math.Log(sum))
	for _, c := range cols {
		s.sel = append(s.sel, row[c])
	}
	return s
}

// checkSummaries compares logits rows (n x vocab) with the fixture tensors
// prefix_sel, _argmax, _max and _logsumexp.
func checkSummaries(t *testing.T, exp *stFile, prefix string, logits [][]float32) {
	t.Helper()
	cols, _ := exp.i64(t, "logits_cols")
	wantSel, _ := exp.f32(t, prefix+"_sel")
	wantArg, _ := exp.i64(t, prefix+"_argmax")
	wantMax, _ := exp.f32(t, prefix+"_max")
	wantLSE, _ := exp.f32(t, prefix+"_logsumexp")
	if len(logits) != len(wantArg) {
		t.Fatalf("%s: %d rows, want %d", prefix, len(logits), len(wantArg))
	}
	var sel, mx, lse []float32
	var arg []int
	for _, row := range logits {
		s := summarize(row, cols)
		sel = append(sel, s.sel...)
		mx = append(mx, s.max)
		lse = append(lse, s.lse)
		arg = append(arg, s.argmax)
	}
	closeTo(t, prefix+"_sel", sel, wantSel)
	closeTo(t, prefix+"_max", mx, wantMax)
	closeTo(t, prefix+"_logsumexp", lse, wantLSE)
	if !slices.Equal(arg, wantArg) {
		t.Errorf("%s_argmax = %v, want %v", prefix, arg, wantArg)
	}
}

// fixtureManifest is the part of gpt2/manifest.json the tests read.
type fixtureManifest struct {
	FullLogitsFor []string `json:"full_logits_for"`
	Inputs        []struct {
		Name         string `json:"name"`
		Text         string `json:"text"`
		InputIDs     []int  `json:"input_ids"`
		GeneratedIDs []int  `json:"generated_ids"`
	} `json:"inputs"`
}

func readManifest(t testing.TB) fixtureManifest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtures, "gpt2", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m fixtureManifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// rowsOf splits a matrix's data into rows of n.
func rowsOf(d []float32, n int) [][]float32 {
	var out [][]float32
	for i := 0; i < len(d); i += n {
		out = append(out, d[i:i+n])
	}
	return out
}
