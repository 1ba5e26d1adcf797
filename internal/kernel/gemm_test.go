package kernel

import (
	"math/rand/v2"
	"testing"
)

type gemmCase struct {
	transB          bool
	m, n, k         int
	padA, padB, pad int // extra row stride
	alpha, beta     float32
}

func gemmCases() []gemmCase {
	var cases []gemmCase
	dims := [][3]int{
		{1, 1, 1}, {1, 3, 17}, {3, 1, 5}, {2, 17, 3}, {6, 16, 1}, {7, 17, 9},
		{12, 32, 64}, {13, 33, 65}, {17, 129, 31}, {1, 200, 300}, {129, 17, 257},
		{64, 48, 520}, {100, 70, 1}, {5, 5, 0},
	}
	for _, d := range dims {
		for _, tb := range []bool{false, true} {
			cases = append(cases,
				gemmCase{tb, d[0], d[1], d[2], 0, 0, 0, 1, 0},
				gemmCase{tb, d[0], d[1], d[2], 3, 5, 2, 0.5, 1},
				gemmCase{tb, d[0], d[1], d[2], 1, 0, 7, -1.5, 0.25},
			)
		}
	}
	return cases
}

// runGemmCase checks gemm against the float64 reference and that the padding
// between rows of C is left alone.
func runGemmCase(t *testing.T, gemm func(bool, int, int, int, float32, []float32, int, []float32, int, float32, []float32, int), tc gemmCase, seed uint64) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, uint64(tc.m*1000+tc.n)))
	lda, ldc := tc.k+tc.padA, tc.n+tc.pad
	bRows, bCols := tc.k, tc.n
	if tc.transB {
		bRows, bCols = tc.n, tc.k
	}
	ldb := bCols + tc.padB
	a := randSlice(r, max(tc.m*lda, 1))
	b := randSlice(r, max(bRows*ldb, 1))
	c := randSlice(r, max(tc.m*ldc, 1))
	want := refGemm(tc.transB, tc.m, tc.n, tc.k, float64(tc.alpha), a, lda, b, ldb, float64(tc.beta), c, ldc)
	gemm(tc.transB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, c, ldc)
	atol := 1e-6 * float64(tc.k+4)
	for i := 0; i < tc.m; i++ {
		for j := 0; j < ldc; j++ {
			x := i*ldc + j
			w := want[x]
			if j >= tc.n {
				if c[x] != float32(w) {
					t.Fatalf("%+v: padding C[%d][%d] changed to %v", tc, i, j, c[x])
				}
				continue
			}
			if closeTo(c[x:x+1], want[x:x+1], atol, 1e-5) >= 0 {
				t.Fatalf("%+v: C[%d][%d] = %v, want %v", tc, i, j, c[x], w)
			}
		}
	}
}

func TestGemm(t *testing.T) {
	t.Parallel()
	for i, tc := range gemmCases() {
		runGemmCase(t, Gemm, tc, uint64(i))
	}
}

func TestGemmBetaZeroIgnoresNaN(t *testing.T) {
	t.Parallel()
	nan := float32(0)
	nan /= nan
	a := []float32{1, 2, 3, 4}
	b := []float32{1, 0, 0, 1}
	c := []float32{nan, nan, nan, nan}
	Gemm(false, 2, 2, 2, 1, a, 2, b, 2, 0, c, 2)
	checkClose(t, "C", c, []float64{1, 2, 3, 4}, 0, 0)
}

func TestGemmPanicsOnBadShape(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		call func()
	}{
		{"negative", func() { Gemm(false, -1, 1, 1, 1, nil, 1, nil, 1, 0, nil, 1) }},
		{"short A", func() {
			Gemm(false, 2, 2, 2, 1, make([]float32, 3), 2, make([]float32, 4), 2, 0, make([]float32, 4), 2)
		}},
		{"short B", func() { Gemm(true, 2, 2, 2, 1, make([]float32, 4), 2, make([]float32, 3), 2, 0, make([]float32, 4), 2) }},
		{"short C", func() {
			Gemm(false, 2, 2, 2, 1, make([]float32, 4), 2, make([]float32, 4), 2, 0, make([]float32, 3), 2)
		}},
		{"small stride", func() {
			Gemm(false, 2, 2, 2, 1, make([]float32, 4), 1, make([]float32, 4), 2, 0, make([]float32, 4), 2)
		}},
	}
	for _, tt := range tests {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", tt.name)
				}
			}()
			tt.call()
		}()
	}
}
