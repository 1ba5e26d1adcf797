package kernel

import "math"

// Activation is an element-wise function applied in place.
type Activation func(x []float32)

// GELU is the exact erf form 0.5·x·(1+erf(x/√2)) ("gelu" in transformers).
func GELU(x []float32) {
	for i, v := range x {
		x[i] = float32(0.5 * float64(v) * (1 + math.Erf(float64(v)/math.Sqrt2)))
	}
}

// GELUTanh is the tanh approximation ("gelu_new", "gelu_pytorch_tanh").
func GELUTanh(x []float32) {
	const c = 0.7978845608028654 // sqrt(2/pi)
	for i, v := range x {
		f := float64(v)
		x[i] = float32(0.5 * f * (1 + math.Tanh(c*(f+0.044715*f*f*f))))
	}
}

// GELUFast is transformers' "gelu_fast": 0.5·x·(1+tanh(x·0.7978845608·(1+0.044715·x²))).
func GELUFast(x []float32) {
	for i, v := range x {
		f := float64(v)
		x[i] = float32(0.5 * f * (1 + math.Tanh(f*0.7978845608*(1+0.044715*f*f))))
	}
}

// QuickGELU is x·σ(1.702x).
func QuickGELU(x []float32) {
	for i, v := range x {
		f := float64(v)
		x[i] = float32(f / (1 + math.Exp(-1.702*f)))
	}
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
		x[i] = float32(math.Tanh(float64(v)))
	}
}
