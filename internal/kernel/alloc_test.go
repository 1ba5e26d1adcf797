package kernel

import (
	"math/rand/v2"
	"testing"
)

// TestNoAllocs checks that the kernels allocate nothing per call once their
// scratch space exists, on one core and across cores (where only the
// goroutines that share the work may allocate).
func TestNoAllocs(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	x := randSlice(r, 128*768)
	w := randSlice(r, 768*768)
	y := make([]float32, 128*768)
	gamma, beta := randSlice(r, 768), randSlice(r, 768)
	p := PackB(true, 768, 768, w, 768)
	cfg := AttentionConfig{Heads: 12, HeadDim: 64, Scale: 0.125, Causal: true}
	tests := []struct {
		name     string
		maxAlloc float64
		fn       func()
	}{
		{"Gemm serial", 0, func() { Gemm(true, 8, 16, 64, 1, x, 768, w, 768, 0, y, 768) }},
		{"Gemm packed serial", 0, func() { Gemm(false, 20, 24, 64, 1, x, 768, w, 768, 0, y, 768) }},
		{"Gemm few rows serial", 0, func() { Gemm(true, 4, 64, 768, 1, x, 768, w, 768, 0, y, 768) }},
		{"Gemv serial", 0, func() { Gemv(true, 64, 768, 1, x, w, 768, 0, y, nil) }},
		{"LayerNorm", 0, func() { LayerNorm(x, 4, 768, gamma, beta, 1e-5) }},
		{"Softmax", 0, func() { Softmax(x, 4, 128, 128) }},
		{"GELU", 0, func() { GELU(x[:4096]) }},
		{"Attention decode", 0, func() { Attention(cfg, y, 768, x, 768, w, 768, w, 768, 1, 20, nil, nil) }},
		{"Gemm parallel", 16, func() { Gemm(true, 128, 768, 768, 1, x, 768, w, 768, 0, y, 768) }},
		{"GemmPacked parallel", 16, func() { GemmPacked(128, 1, x, 768, p, 0, y, 768, nil) }},
		{"Gemv parallel", 16, func() { Gemv(false, 768, 768, 1, x, w, 768, 0, y, nil) }},
	}
	for _, tt := range tests {
		if got := testing.AllocsPerRun(5, tt.fn); got > tt.maxAlloc {
			t.Errorf("%s: %v allocations per call, want at most %v", tt.name, got, tt.maxAlloc)
		}
	}
}
