package layers

import (
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hfgo/hfgo/models/internal/weights"
	"github.com/nlpodyssey/spago/mat"
)

func TestLinear(t *testing.T) {
	t.Parallel()
	// W is 3 (out) x 2 (in).
	src := weights.Memory{
		"fc.weight": {Data: []float32{1, 2, 3, 4, 5, 6}, Shape: []int{3, 2}},
		"fc.bias":   {Data: []float32{0.5, -1, 2}, Shape: []int{3}},
	}
	l := weights.NewLoader(src)
	x := []float32{1, -1, 0.5, 2}
	want := []float32{1 - 2 + 0.5, 3 - 4 - 1, 5 - 6 + 2, 0.5 + 4 + 0.5, 1.5 + 8 - 1, 2.5 + 12 + 2}
	lin, err := LoadLinear(l, "fc", 2, 3, true)
	if err != nil {
		t.Fatal(err)
	}
	// Output rows with a stride wider than Out: a column block.
	y := make([]float32, 2*4)
	lin.Forward(y, 4, x, 2, 2)
	if got := append(y[0:3:3], y[4:7]...); !slices.Equal(got, want) {
		t.Errorf("y = %v, want %v", got, want)
	}
	if _, err := LoadLinear(l, "fc", 3, 2, true); !errors.Is(err, weights.ErrShape) {
		t.Errorf("transposed shape: %v", err)
	}
	if _, err := LoadLinear(l, "missing", 2, 3, false); !errors.Is(err, weights.ErrMissing) {
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

// TestActivation checks every name against transformers' ACT2FN formula,
// computed in float64.
func TestActivation(t *testing.T) {
	t.Parallel()
	sigmoid := func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
	tanhGELU := func(x float64) float64 {
		return 0.5 * x * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(x+0.044715*x*x*x)))
	}
	want := map[string]func(float64) float64{
		"gelu":              func(x float64) float64 { return 0.5 * x * (1 + math.Erf(x/math.Sqrt2)) },
		"gelu_python":       func(x float64) float64 { return x * 0.5 * (1 + math.Erf(x/math.Sqrt2)) },
		"gelu_new":          tanhGELU,
		"gelu_pytorch_tanh": tanhGELU,
		"gelu_fast":         func(x float64) float64 { return 0.5 * x * (1 + math.Tanh(x*0.7978845608*(1+0.044715*x*x))) },
		"quick_gelu":        func(x float64) float64 { return x * sigmoid(1.702*x) },
		"relu":              func(x float64) float64 { return math.Max(x, 0) },
		"tanh":              math.Tanh,
		"linear":            func(x float64) float64 { return x },
	}
	if got := Activations(); len(got) != len(want) {
		t.Errorf("Activations() = %v, want the %d names tested here", got, len(want))
	}
	// Long enough for the kernels' vector and parallel paths.
	x := make([]float32, 3000)
	for i := range x {
		x[i] = float32(i-1500) / 150 // -10 .. 10
	}
	for name, f := range want {
		act, err := Activation(name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		y := append([]float32(nil), x...)
		act(y)
		for i, v := range x {
			w := f(float64(v))
			if d := math.Abs(float64(y[i]) - w); d > 1e-5+1e-5*math.Abs(w) {
				t.Errorf("%s(%g) = %g, want %g", name, v, y[i], w)
				break
			}
		}
	}
	if _, err := Activation("swish2"); !errors.Is(err, ErrActivation) {
		t.Errorf("unknown activation: %v", err)
	}
}

func TestForwardShared(t *testing.T) {
	t.Parallel()
	// Three out×in maps of the same 40×64 input, large enough to be spread
	// over the cores, and a Conv1D one that falls back to Forward.
	const rows, in = 40, 64
	src := weights.Memory{}
	r := float32(0.5)
	next := func() float32 { r = r*1.37 - float32(int(r*1.37)) - 0.5; return r }
	fill := func(n int) []float32 {
		d := make([]float32, n)
		for i := range d {
			d[i] = next()
		}
		return d
	}
	for _, name := range []string{"q", "k", "v"} {
		src[name+".weight"] = weights.Dense{Data: fill(96 * in), Shape: []int{96, in}}
		src[name+".bias"] = weights.Dense{Data: fill(96), Shape: []int{96}}
	}
	src["c.weight"] = weights.Dense{Data: fill(in * 96), Shape: []int{in, 96}}
	src["c.bias"] = weights.Dense{Data: fill(96), Shape: []int{96}}
	l := weights.NewLoader(src)
	x := fill(rows * in)
	for _, set := range [][]string{{"q", "k", "v"}, {"q", "c"}} {
		var outs []Output
		var want [][]float32
		for _, name := range set {
			lin, err := LoadLinear(l, name, in, 96, true)
			if name == "c" { // a Conv1D, transposed at load
				lin, err = LoadConv1D(l, name, in, 96)
			}
			if err != nil {
				t.Fatal(err)
			}
			w := make([]float32, rows*100)
			lin.Forward(w, 100, x, in, rows)
			want = append(want, w)
			outs = append(outs, Output{Linear: lin, Y: make([]float32, rows*100), LDY: 100})
		}
		ForwardShared(x, in, rows, outs...)
		for i, o := range outs {
			for j := range o.Y {
				if d := o.Y[j] - want[i][j]; d > 1e-5 || d < -1e-5 {
					t.Fatalf("%v: output %d element %d = %v, want %v", set, i, j, o.Y[j], want[i][j])
				}
			}
		}
	}
}

func TestLoadConv1D(t *testing.T) {
	t.Parallel()
	// A 3→2 Conv1D: the checkpoint's weight is In×Out and y = x·W + b.
	src := weights.Memory{
		"c.weight": {Data: []float32{1, 2, 3, 4, 5, 6}, Shape: []int{3, 2}},
		"c.bias":   {Data: []float32{0.5, -1}, Shape: []int{2}},
	}
	l := weights.NewLoader(src)
	lin, err := LoadConv1D(l, "c", 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	if lin.In != 3 || lin.Out != 2 {
		t.Errorf("In %d Out %d, want 3, 2", lin.In, lin.Out)
	}
	x := []float32{1, 0, -1, 2, 1, 0}
	y := make([]float32, 4)
	lin.Forward(y, 2, x, 3, 2)
	// Row 1: (1·1 + 0·3 - 1·5, 1·2 + 0·4 - 1·6) + b; row 2: (2·1 + 1·3, 2·2 + 1·4) + b.
	want := []float32{-4 + 0.5, -4 - 1, 5 + 0.5, 8 - 1}
	if diff := cmp.Diff(want, y); diff != "" {
		t.Errorf("Forward (-want +got):\n%s", diff)
	}
	if _, err := LoadConv1D(l, "c", 2, 3); !errors.Is(err, weights.ErrShape) {
		t.Errorf("wrong shape: %v, want ErrShape", err)
	}
	if _, err := LoadConv1D(weights.NewLoader(weights.Memory{"c.weight": src["c.weight"]}), "c", 3, 2); !errors.Is(err, weights.ErrMissing) {
		t.Errorf("missing bias: %v, want ErrMissing", err)
	}
}

func TestForwardSharedDifferentIn(t *testing.T) {
	t.Parallel()
	a := &Linear{Weight: Param(mat.NewDense[float32](mat.WithShape(2, 3))), In: 3, Out: 2}
	b := &Linear{Weight: Param(mat.NewDense[float32](mat.WithShape(2, 4))), In: 4, Out: 2}
	defer func() {
		if recover() == nil {
			t.Error("maps of input widths 3 and 4: no panic")
		}
	}()
	ForwardShared(make([]float32, 4), 4, 1, Output{a, make([]float32, 2), 2}, Output{b, make([]float32, 2), 2})
}
