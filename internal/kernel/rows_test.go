package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestAddRowAndAdd(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	for _, d := range [][3]int{{1, 1, 1}, {3, 17, 20}, {5, 768, 768}, {2, 33, 40}, {64, 768, 769}} {
		rows, n, ld := d[0], d[1], d[2]
		x := randSlice(r, rows*ld)
		v := randSlice(r, n)
		want := widen(x)
		for i := 0; i < rows; i++ {
			for j := 0; j < n; j++ {
				want[i*ld+j] += float64(v[j])
			}
		}
		for _, im := range impls() {
			y := append([]float32(nil), x...)
			addRow(im, y, rows, ld, v)
			checkClose(t, im.name+" addRow", y, want, 1e-7, 1e-7)
		}
		AddRow(x, rows, ld, v)
		checkClose(t, "AddRow", x, want, 1e-7, 1e-7)

		y := randSlice(r, len(x))
		want = widen(x)
		for i := range want {
			want[i] += float64(y[i])
		}
		Add(x, y)
		checkClose(t, "Add", x, want, 1e-7, 1e-7)
	}
}

func refLayerNorm(x []float32, rows, ld int, gamma, beta []float32, eps float64) []float64 {
	out := widen(x)
	n := len(gamma)
	for i := 0; i < rows; i++ {
		r := out[i*ld : i*ld+n]
		var mean, vr float64
		for _, v := range r {
			mean += v
		}
		mean /= float64(n)
		for _, v := range r {
			vr += (v - mean) * (v - mean)
		}
		vr /= float64(n)
		inv := 1 / math.Sqrt(vr+eps)
		for j, v := range r {
			r[j] = (v-mean)*inv*float64(gamma[j]) + float64(beta[j])
		}
	}
	return out
}

func TestLayerNorm(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(3, 4))
	for _, d := range [][3]int{{1, 1, 1}, {2, 7, 9}, {4, 768, 768}, {3, 1024, 1030}, {1, 17, 17}, {64, 768, 770}} {
		rows, n, ld := d[0], d[1], d[2]
		x := randSlice(r, rows*ld)
		for i := range x {
			x[i] = 3*x[i] + 5 // an offset mean, as residual streams have
		}
		res := randSlice(r, rows*n)
		sum := append([]float32(nil), x...)
		for i := 0; i < rows; i++ {
			for j := 0; j < n; j++ {
				sum[i*ld+j] += res[i*n+j]
			}
		}
		gamma, beta := randSlice(r, n), randSlice(r, n)
		want := refLayerNorm(x, rows, ld, gamma, beta, 1e-5)
		wantSum := refLayerNorm(sum, rows, ld, gamma, beta, 1e-12)
		y := append([]float32(nil), x...)
		LayerNorm(y, rows, ld, gamma, beta, 1e-5)
		checkClose(t, "LayerNorm", y, want, 2e-5, 2e-5)
		y = append(y[:0], x...)
		AddLayerNorm(y, rows, ld, res, n, gamma, beta, 1e-12)
		checkClose(t, "AddLayerNorm", y, wantSum, 2e-5, 2e-5)

		// Out of place: x is left alone (LayerNormTo) or holds x+res
		// (AddLayerNormTo, here writing over the residual as GPT-2 does).
		y = append(y[:0], x...)
		dst := make([]float32, rows*n)
		LayerNormTo(dst, n, y, rows, ld, gamma, beta, 1e-5)
		checkClose(t, "LayerNormTo x", y, widen(x), 0, 0)
		for i := 0; i < rows; i++ {
			checkClose(t, "LayerNormTo", dst[i*n:(i+1)*n], want[i*ld:i*ld+n], 2e-5, 2e-5)
		}
		y = append(y[:0], x...)
		r2 := append([]float32(nil), res...)
		AddLayerNormTo(r2, n, y, rows, ld, r2, n, gamma, beta, 1e-12)
		for i := 0; i < rows; i++ {
			checkClose(t, "AddLayerNormTo", r2[i*n:(i+1)*n], wantSum[i*ld:i*ld+n], 2e-5, 2e-5)
			checkClose(t, "AddLayerNormTo x", y[i*ld:i*ld+n], widen(sum[i*ld:i*ld+n]), 0, 0)
		}
		for _, im := range impls() {
			y = append(y[:0], x...)
			layerNorm(im, y, ld, y, ld, rows, nil, 0, gamma, beta, 1e-5)
			checkClose(t, im.name+" layerNorm", y, want, 2e-5, 2e-5)
			y = append(y[:0], x...)
			layerNorm(im, y, ld, y, ld, rows, res, n, gamma, beta, 1e-12)
			checkClose(t, im.name+" layerNorm+residual", y, wantSum, 2e-5, 2e-5)
		}
	}
}

func refSoftmax(x []float32, rows, cols, ld int) []float64 {
	out := widen(x)
	for i := 0; i < rows; i++ {
		r := out[i*ld : i*ld+cols]
		mx := math.Inf(-1)
		for _, v := range r {
			mx = math.Max(mx, v)
		}
		var s float64
		for j, v := range r {
			r[j] = math.Exp(v - mx)
			s += r[j]
		}
		for j := range r {
			r[j] /= s
		}
	}
	return out
}

func TestSoftmax(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 6))
	for _, d := range [][3]int{{1, 1, 1}, {3, 5, 8}, {4, 128, 128}, {2, 77, 100}, {1, 1000, 1000}, {300, 129, 130}} {
		rows, cols, ld := d[0], d[1], d[2]
		x := randSlice(r, rows*ld)
		for i := range x {
			x[i] *= 20
		}
		x[0] = MaskValue
		want := refSoftmax(x, rows, cols, ld)
		for _, im := range impls() {
			y := append([]float32(nil), x...)
			softmax(im, y, rows, cols, ld)
			checkClose(t, im.name+" softmax", y, want, 1e-7, 1e-5)
		}
		Softmax(x, rows, cols, ld)
		checkClose(t, "Softmax", x, want, 1e-7, 1e-5)
	}
}

func TestSoftmaxMaskedRowIsUniform(t *testing.T) {
	t.Parallel()
	x := []float32{MaskValue, MaskValue, MaskValue, MaskValue, 1, MaskValue}
	Softmax(x, 2, 3, 3)
	checkClose(t, "Softmax", x, []float64{1. / 3, 1. / 3, 1. / 3, 0, 1, 0}, 1e-7, 0)
}

// activationCases lists each activation with its float64 definition.
var activationCases = []struct {
	name string
	fn   Activation
	ref  func(float64) float64
}{
	{"GELU", GELU, func(x float64) float64 { return 0.5 * x * (1 + math.Erf(x/math.Sqrt2)) }},
	{"GELUTanh", GELUTanh, func(x float64) float64 {
		return 0.5 * x * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(x+0.044715*x*x*x)))
	}},
	{"GELUFast", GELUFast, func(x float64) float64 {
		return 0.5 * x * (1 + math.Tanh(x*0.7978845608*(1+0.044715*x*x)))
	}},
	{"QuickGELU", QuickGELU, func(x float64) float64 { return x / (1 + math.Exp(-1.702*x)) }},
	{"ReLU", ReLU, func(x float64) float64 { return math.Max(x, 0) }},
	{"Tanh", Tanh, math.Tanh},
}

// activationInputs is a dense grid over [-12, 12] plus the edges of float32.
func activationInputs() []float32 {
	var x []float32
	for v := -12.0; v <= 12; v += 1.0 / 512 {
		x = append(x, float32(v))
	}
	return append(x, 0, -0, 1e-30, -1e-30, 30, -30, 100, -100, 1e4, -1e4, 3e38, -3e38)
}

func TestActivations(t *testing.T) {
	t.Parallel()
	in := activationInputs()
	for _, tc := range activationCases {
		x := append([]float32(nil), in...)
		want := make([]float64, len(x))
		for i, v := range x {
			want[i] = tc.ref(float64(v))
		}
		tc.fn(x)
		checkClose(t, tc.name, x, want, 1e-6, 1e-6)
	}
}
