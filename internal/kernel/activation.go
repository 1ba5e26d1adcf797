package kernel

// Activation is an element-wise function applied in place.
type Activation func(x []float32)

// The tanh GELUs and QuickGELU are x·σ(x·(a + b·x²)): 0.5·x·(1 + tanh(u))
// equals x·σ(2u).
const (
	geluTanhA = 2 * 0.7978845608028654 // 2·sqrt(2/π)
	geluTanhB = geluTanhA * 0.044715
	geluFastA = 2 * 0.7978845608
	geluFastB = geluFastA * 0.044715
	quickA    = 1.702
)

// apply runs fn over x, split across the cores when x is long.
func apply(x []float32, fn func([]float32)) {
	if len(x) < rowsWork {
		fn(x)
		return
	}
	const chunk = 256 // keeps every piece a multiple of 8 but the last
	Parallel(ceilDiv(len(x), chunk), func(lo, hi int) {
		fn(x[lo*chunk : min(hi*chunk, len(x))])
	})
}

// GELU is the exact erf form 0.5·x·(1+erf(x/√2)) ("gelu" in transformers).
func GELU(x []float32) { apply(x, best.gelu) }

// GELUTanh is the tanh approximation ("gelu_new", "gelu_pytorch_tanh").
func GELUTanh(x []float32) {
	apply(x, func(x []float32) { best.gate(x, geluTanhA, geluTanhB) })
}

// GELUFast is transformers' "gelu_fast": 0.5·x·(1+tanh(x·0.7978845608·(1+0.044715·x²))).
func GELUFast(x []float32) {
	apply(x, func(x []float32) { best.gate(x, geluFastA, geluFastB) })
}

// QuickGELU is x·σ(1.702x).
func QuickGELU(x []float32) {
	apply(x, func(x []float32) { best.gate(x, quickA, 0) })
}

// ReLU is max(x, 0).
func ReLU(x []float32) {
	for i, v := range x {
		if v < 0 {
			x[i] = 0
		}
	}
}

// Tanh is the hyperbolic tangent.
func Tanh(x []float32) {
	for i, v := range x {
		x[i] = tanhf(v)
	}
}
