package layers

import (
	"errors"
	"math"
	"testing"

	"github.com/hfgo/hfgo/models/internal/weights"
	"github.com/nlpodyssey/spago/mat"
)

func TestLinear(t *testing.T) {
	t.Parallel()
	// W is 3 (out) x 2 (in); the same map stored in×out for Conv1D.
	w := []float32{1, 2, 3, 4, 5, 6}
	wt := []float32{1, 3, 5, 2, 4, 6}
	src := weights.Memory{
		"fc.weight":   {Data: w, Shape: []int{3, 2}},
		"fc.bias":     {Data: []float32{0.5, -1, 2}, Shape: []int{3}},
		"conv.weight": {Data: wt, Shape: []int{2, 3}},
		"conv.bias":   {Data: []float32{0.5, -1, 2}, Shape: []int{3}},
	}
	l := weights.NewLoader(src)
	x := []float32{1, -1, 0.5, 2}
	want := []float32{1 - 2 + 0.5, 3 - 4 - 1, 5 - 6 + 2, 0.5 + 4 + 0.5, 1.5 + 8 - 1, 2.5 + 12 + 2}
	for _, tc := range []struct {
		name  string
		inOut bool
	}{{"fc", false}, {"conv", true}} {
		lin, err := LoadLinear(l, tc.name, 2, 3, true, tc.inOut)
		if err != nil {
			t.Fatal(err)
		}
		for _, packed := range []bool{false, true} {
			if packed {
				lin.Pack()
			}
			// Output rows with a stride wider than Out: a column block.
			y := make([]float32, 2*4)
			lin.Forward(y, 4, x, 2, 2)
			got := append(y[0:3:3], y[4:7]...)
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("%s (packed %v): y = %v, want %v", tc.name, packed, got, want)
					break
				}
			}
		}
	}
	if _, err := LoadLinear(l, "fc", 3, 2, true, false); !errors.Is(err, weights.ErrShape) {
		t.Errorf("transposed shape: %v", err)
	}
	if _, err := LoadLinear(l, "missing", 2, 3, false, false); !errors.Is(err, weights.ErrMissing) {
		t.Errorf("missing: %v", err)
	}
}

func TestParamSharesData(t *testing.T) {
	t.Parallel()
	d := []float32{1, 2, 3, 4}
	p := Param(mat.NewDense[float32](mat.WithShape(2, 2), mat.WithBacking(d)))
	if &Data(p)[0] != &d[0] {
		t.Error("Param copied the checkpoint's data")
	}
}

func TestLayerNormAndEmbedding(t *testing.T) {
	t.Parallel()
	src := weights.Memory{
		"ln.weight": {Data: []float32{2, 2}, Shape: []int{2}},
		"ln.bias":   {Data: []float32{1, 0}, Shape: []int{2}},
		"emb":       {Data: []float32{1, 2, 3, 4, 5, 6}, Shape: []int{3, 2}},
	}
	l := weights.NewLoader(src)
	ln, err := LoadLayerNorm(l, "ln", 2, 1e-12)
	if err != nil {
		t.Fatal(err)
	}
	x := []float32{1, 3}
	ln.Forward(x, 1, 2)
	if math.Abs(float64(x[0]+1)) > 1e-6 || math.Abs(float64(x[1]-2)) > 1e-6 {
		t.Errorf("LayerNorm = %v, want [-1 2]", x)
	}
	e, err := LoadEmbedding(l, "emb", 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Check("id", []int{0, 3}); err == nil {
		t.Error("Check accepted id 3 of 3")
	}
	dst := []float32{10, 10, 10, 10}
	e.Gather(dst, 2, []int{2, 0}, true)
	want := []float32{15, 16, 11, 12}
	for i := range want {
		if dst[i] != want[i] {
			t.Fatalf("Gather add = %v, want %v", dst, want)
		}
	}
}

func TestActivation(t *testing.T) {
	t.Parallel()
	f, err := Activation("gelu")
	if err != nil {
		t.Fatal(err)
	}
	x := []float32{1}
	f(x)
	if math.Abs(float64(x[0])-0.8413447460685429) > 1e-6 {
		t.Errorf("gelu(1) = %v, want the erf form 0.841345", x[0])
	}
	if _, err := Activation("swish2"); !errors.Is(err, ErrActivation) {
		t.Errorf("unknown activation: %v", err)
	}
}
