package bert

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"sort"
	"testing"

	"github.com/hfgo/hfgo/models/internal/weights"
	"github.com/x448/float16"
)

// stFile is a minimal safetensors reader for the tests: the whole file in
// memory, tensors decoded to float32 or int64.
type stFile struct {
	header map[string]stEntry
	data   []byte
}

type stEntry struct {
	DType   string `json:"dtype"`
	Shape   []int  `json:"shape"`
	Offsets [2]int `json:"data_offsets"`
}

func readST(t testing.TB, path string) *stFile {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := binary.LittleEndian.Uint64(b)
	raw := map[string]json.RawMessage{}
	if err := json.Unmarshal(b[8:8+n], &raw); err != nil {
		t.Fatal(err)
	}
	f := &stFile{header: map[string]stEntry{}, data: b[8+n:]}
	for k, v := range raw {
		if k == "__metadata__" {
			continue
		}
		var e stEntry
		if err := json.Unmarshal(v, &e); err != nil {
			t.Fatal(err)
		}
		f.header[k] = e
	}
	return f
}

func (f *stFile) Names() []string {
	var out []string
	for k := range f.header {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (f *stFile) Float32(name string) ([]float32, []int, error) {
	e, ok := f.header[name]
	if !ok {
		return nil, nil, weights.ErrMissing
	}
	b := f.data[e.Offsets[0]:e.Offsets[1]]
	var out []float32
	switch e.DType {
	case "F32":
		out = make([]float32, len(b)/4)
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
	case "F16":
		out = make([]float32, len(b)/2)
		for i := range out {
			out[i] = float16.Frombits(binary.LittleEndian.Uint16(b[2*i:])).Float32()
		}
	case "BF16":
		out = make([]float32, len(b)/2)
		for i := range out {
			out[i] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(b[2*i:])) << 16)
		}
	default:
		return nil, nil, fmt.Errorf("dtype %s", e.DType)
	}
	return out, e.Shape, nil
}

func (f *stFile) mustF32(t testing.TB, name string) ([]float32, []int) {
	t.Helper()
	d, s, err := f.Float32(name)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return d, s
}

func (f *stFile) mustInt(t testing.TB, name string) ([]int, []int) {
	t.Helper()
	e, ok := f.header[name]
	if !ok || e.DType != "I64" {
		t.Fatalf("%s: no int64 tensor", name)
	}
	b := f.data[e.Offsets[0]:e.Offsets[1]]
	out := make([]int, len(b)/8)
	for i := range out {
		out[i] = int(int64(binary.LittleEndian.Uint64(b[8*i:])))
	}
	return out, e.Shape
}

func (f *stFile) has(name string) bool {
	_, ok := f.header[name]
	return ok
}

func readFile(path string) ([]byte, error) { return os.ReadFile(path) }
