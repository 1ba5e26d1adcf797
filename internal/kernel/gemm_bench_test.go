package kernel

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/nlpodyssey/spago/mat"
)

// bertShapes are the products of a BERT-base layer: QKV/output projection,
// FFN up and FFN down, each x·Wᵀ with W stored out×in.
var bertShapes = []struct{ n, k int }{{768, 768}, {3072, 768}, {768, 3072}}

var bertSeqs = []int{2, 8, 128, 512}

func reportGFLOPS(b *testing.B, m, n, k int) {
	b.ReportMetric(2*float64(m)*float64(n)*float64(k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// BenchmarkGemm runs the BERT-base products with transB, as the Linear layer
// calls them, plus the same product with the weight packed once (Packed),
// spago's Dense.Mul on the k×n weight, and for a few rows the in-place
// tiles, for comparison.
func BenchmarkGemm(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, m := range bertSeqs {
		for _, s := range bertShapes {
			n, k := s.n, s.k
			x := randSlice(r, m*k)
			w := randSlice(r, n*k)
			y := make([]float32, m*n)
			name := fmt.Sprintf("%dx%dx%d", m, k, n)
			b.Run("kernel/"+name, func(b *testing.B) {
				for b.Loop() {
					Gemm(true, m, n, k, 1, x, k, w, k, 0, y, n)
				}
				reportGFLOPS(b, m, n, k)
			})
			if m <= fewRows {
				// The in-place tiles the dot products replace at this size.
				b.Run("tiles/"+name, func(b *testing.B) {
					for b.Loop() {
						gemmInPlace(best, &gemmJob{m: m, n: n, k: k, alpha: 1, a: x, lda: k,
							b: operandB{b: w, ldb: k, trans: true}, c: y, ldc: n}, runtime.GOMAXPROCS(0))
					}
					reportGFLOPS(b, m, n, k)
				})
			}
			p := PackB(true, k, n, w, k)
			b.Run("packed/"+name, func(b *testing.B) {
				for b.Loop() {
					GemmPacked(m, 1, x, k, p, 0, y, n, nil)
				}
				reportGFLOPS(b, m, n, k)
			})
			xm := mat.NewDense[float32](mat.WithShape(m, k), mat.WithBacking(x))
			wm := mat.NewDense[float32](mat.WithShape(k, n), mat.WithBacking(w))
			b.Run("spago/"+name, func(b *testing.B) {
				for b.Loop() {
					xm.Mul(wm)
				}
				reportGFLOPS(b, m, n, k)
			})
		}
	}
}

// BenchmarkMicroKernel is one core's micro-kernel on panels held in L1: the
// ceiling of the blocked product.
func BenchmarkMicroKernel(b *testing.B) {
	r := rand.New(rand.NewPCG(2, 2))
	k := kcMax
	a, bp := randSlice(r, k*mr), randSlice(r, k*nr)
	c := make([]float32, mr*nr)
	for _, im := range impls() {
		b.Run(im.name, func(b *testing.B) {
			for b.Loop() {
				im.micro(k, a, bp, c, nr, nil, true)
			}
			reportGFLOPS(b, mr, nr, k)
		})
	}
}
