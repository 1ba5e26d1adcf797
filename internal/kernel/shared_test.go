package kernel

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestGemmShared checks products sharing A against GemmBias, for the shapes
// that take the shared path and those that fall back.
func TestGemmShared(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 5))
	for _, s := range [][2]int{{48, 200}, {7, 300}, {300, 40}, {1, 100}, {40, 0}} {
		m, k := s[0], s[1]
		lda := k + 3
		a := randSlice(r, max(1, m*lda))
		ns := []int{96, 30, 0, 100}
		var bs []SharedB
		var want [][]float32
		for i, n := range ns {
			ldb, ldc := k+i, n+2
			b := SharedB{N: n, B: randSlice(r, max(1, n*ldb)), LDB: ldb, C: randSlice(r, max(1, m*ldc)), LDC: ldc}
			if i%2 == 0 {
				b.Bias = randSlice(r, n)
			}
			w := append([]float32(nil), b.C...)
			GemmBias(true, m, n, k, 0.5, a, lda, b.B, ldb, 0.25, w, ldc, b.Bias)
			bs = append(bs, b)
			want = append(want, w)
		}
		GemmShared(m, k, 0.5, a, lda, 0.25, bs...)
		for i, b := range bs {
			checkClose(t, fmt.Sprintf("m %d k %d product %d", m, k, i), b.C, widen(want[i]), 1e-5, 1e-5)
		}
	}
}
