package kernel

import (
	"math"
	"testing"
)

// mathErr is the largest absolute and relative error of f against ref over
// [lo, hi] in steps of step, the relative one counted where |ref| > 1e-30.
func mathErr(f func(float32) float32, ref func(float64) float64, lo, hi, step float64) (maxAbs, maxRel float64, at float64) {
	for x := lo; x <= hi; x += step {
		x32 := float32(x)
		want := ref(float64(x32))
		got := float64(f(x32))
		d := math.Abs(got - want)
		if d > maxAbs {
			maxAbs = d
		}
		if math.Abs(want) > 1e-30 && d/math.Abs(want) > maxRel {
			maxRel, at = d/math.Abs(want), x
		}
	}
	return maxAbs, maxRel, at
}

// eps32 is the float32 unit roundoff, 2^-24.
const eps32 = 1.0 / (1 << 24)

func TestScalarMathAccuracy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		f        func(float32) float32
		ref      func(float64) float64
		lo, hi   float64
		absBound float64
		relBound float64 // in units of eps32
	}{
		{"exp", expf, math.Exp, -87, 88, 0, 4},
		{"erf", erff, math.Erf, -6, 6, 2 * eps32, 4},
		{"tanh", tanhf, math.Tanh, -12, 12, 2 * eps32, 4},
		{"gelu", geluf, func(x float64) float64 { return 0.5 * x * (1 + math.Erf(x/math.Sqrt2)) }, -10, 10, 1e-6, 0},
	}
	for _, tt := range tests {
		abs, rel, at := mathErr(tt.f, tt.ref, tt.lo, tt.hi, 1.0/4096)
		t.Logf("%s on [%g, %g]: max abs error %.3g, max rel error %.3g (%.2f × 2^-24) at %g", tt.name, tt.lo, tt.hi, abs, rel, rel/eps32, at)
		if tt.relBound > 0 && rel > tt.relBound*eps32 {
			t.Errorf("%s: relative error %.3g above %g × 2^-24", tt.name, rel, tt.relBound)
		}
		if tt.absBound > 0 && abs > tt.absBound {
			t.Errorf("%s: absolute error %.3g above %g", tt.name, abs, tt.absBound)
		}
	}
}

func TestScalarMathEdges(t *testing.T) {
	t.Parallel()
	inf := float32(math.Inf(1))
	nan := float32(math.NaN())
	tests := []struct {
		name string
		got  float32
		want float32
	}{
		{"exp(0)", expf(0), 1},
		{"exp(-inf)", expf(-inf), 0},
		{"exp(inf)", expf(inf), inf},
		{"exp(-100)", expf(-100), 0},
		{"exp(100)", expf(100), inf},
		{"erf(0)", erff(0), 0},
		{"erf(10)", erff(10), 1},
		{"erf(-inf)", erff(-inf), -1},
		{"tanh(inf)", tanhf(inf), 1},
		{"tanh(-30)", tanhf(-30), -1},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	for name, v := range map[string]float32{"exp": expf(nan), "erf": erff(nan), "tanh": tanhf(nan)} {
		if v == v {
			t.Errorf("%s(NaN) = %v, want NaN", name, v)
		}
	}
}

// TestVectorMathAccuracy measures every implementation's exp (through the
// softmax loop), GELU and gated GELUs over a dense grid.
func TestVectorMathAccuracy(t *testing.T) {
	t.Parallel()
	var grid []float32
	for x := -20.0; x <= 20; x += 1.0 / 1024 {
		grid = append(grid, float32(x))
	}
	gelu := func(x float64) float64 { return 0.5 * x * (1 + math.Erf(x/math.Sqrt2)) }
	geluTanh := func(x float64) float64 {
		return 0.5 * x * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(x+0.044715*x*x*x)))
	}
	quick := func(x float64) float64 { return x / (1 + math.Exp(-1.702*x)) }
	for _, im := range impls() {
		tests := []struct {
			name     string
			run      func(x []float32)
			ref      func(float64) float64
			absBound float64 // on |ref| ≤ 1
			relBound float64 // on |ref| > 1, in units of 2^-24
		}{
			{"exp", func(x []float32) { im.expSub(x, 0) }, math.Exp, 2 * eps32, 4},
			{"gelu", im.gelu, gelu, 8 * eps32, 4},
			{"geluTanh", func(x []float32) { im.gate(x, geluTanhA, geluTanhB) }, geluTanh, 8 * eps32, 4},
			{"quickGELU", func(x []float32) { im.gate(x, quickA, 0) }, quick, 8 * eps32, 4},
		}
		for _, tt := range tests {
			x := append([]float32(nil), grid...)
			tt.run(x)
			var maxAbs, maxRel float64
			for i, v := range x {
				want := tt.ref(float64(grid[i]))
				d := math.Abs(float64(v) - want)
				if math.Abs(want) <= 1 {
					maxAbs = math.Max(maxAbs, d)
				} else {
					maxRel = math.Max(maxRel, d/math.Abs(want))
				}
			}
			t.Logf("%s %s on [-20, 20]: max abs error %.3g where |f| ≤ 1, max rel error %.2f × 2^-24 where |f| > 1", im.name, tt.name, maxAbs, maxRel/eps32)
			if maxAbs > tt.absBound || maxRel > tt.relBound*eps32 {
				t.Errorf("%s %s: abs error %.3g (bound %.3g), rel error %.3g (bound %g × 2^-24)", im.name, tt.name, maxAbs, tt.absBound, maxRel, tt.relBound)
			}
		}
	}
}
