package kernel

import (
	"fmt"
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
		{64, 48, 520}, {100, 70, 1}, {5, 5, 0}, {7, 3100, 3}, {200, 40, 300},
		{300, 30, 20}, // more rows than a block of A (rowBlock)
		{4, 70, 40}, {5, 23, 776}, {6, 97, 24}, {8, 30, 40},
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

// gemmFunc is one way of computing C = alpha·A·op(B) + beta·C + bias.
type gemmFunc func(tc gemmCase, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, bias []float32)

// gemmVariants are the entry points and code paths that must agree with the
// reference: the public functions, and each implementation run serially and
// split across goroutines.
func gemmVariants() map[string]gemmFunc {
	v := map[string]gemmFunc{
		"Gemm": func(tc gemmCase, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, bias []float32) {
			Gemm(tc.transB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, c, ldc)
			if bias != nil {
				AddRow(c, tc.m, ldc, bias)
			}
		},
		"GemmBias": func(tc gemmCase, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, bias []float32) {
			GemmBias(tc.transB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, c, ldc, bias)
		},
		"GemmPacked": func(tc gemmCase, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, bias []float32) {
			GemmPacked(tc.m, tc.alpha, a, lda, PackB(tc.transB, tc.k, tc.n, b, ldb), tc.beta, c, ldc, bias)
		},
	}
	for _, im := range impls() {
		job := func(tc gemmCase, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, bias []float32) *gemmJob {
			return &gemmJob{m: tc.m, n: tc.n, k: tc.k, alpha: tc.alpha, a: a, lda: lda,
				b: operandB{b: b, ldb: ldb, trans: tc.transB}, beta: tc.beta, c: c, ldc: ldc, bias: bias}
		}
		v[im.name+"/serial"] = func(tc gemmCase, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, bias []float32) {
			gemmSerial(im, job(tc, a, lda, b, ldb, c, ldc, bias))
		}
		v[im.name+"/parallel"] = func(tc gemmCase, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, bias []float32) {
			gemmOn(im, job(tc, a, lda, b, ldb, c, ldc, bias), 3)
		}
		// Small blocks: several passes over k and many parts.
		v[im.name+"/blocked"] = func(tc gemmCase, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, bias []float32) {
			j := job(tc, a, lda, b, ldb, c, ldc, bias)
			j.kc, j.nc = 5, 24
			gemmOn(im, j, 2)
		}
		for _, cores := range []int{1, 3} {
			v[fmt.Sprintf("%s/packed/%d", im.name, cores)] = func(tc gemmCase, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, bias []float32) {
				j := job(tc, a, lda, b, ldb, c, ldc, bias)
				j.b = operandB{packed: PackB(tc.transB, tc.k, tc.n, b, ldb)}
				gemmOn(im, j, cores)
			}
		}
	}
	return v
}

// gemmData is one case's operands and its float64 reference result.
type gemmData struct {
	tc            gemmCase
	a, b, c, bias []float32
	lda, ldb, ldc int
	want          []float64
}

func newGemmData(tc gemmCase, withBias bool, seed uint64) *gemmData {
	r := rand.New(rand.NewPCG(seed, uint64(tc.m*1000+tc.n)))
	d := &gemmData{tc: tc, lda: tc.k + tc.padA, ldc: tc.n + tc.pad}
	bRows, bCols := tc.k, tc.n
	if tc.transB {
		bRows, bCols = tc.n, tc.k
	}
	d.ldb = bCols + tc.padB
	d.a = randSlice(r, max(tc.m*d.lda, 1))
	d.b = randSlice(r, max(bRows*d.ldb, 1))
	d.c = randSlice(r, max(tc.m*d.ldc, 1))
	d.want = refGemm(tc.transB, tc.m, tc.n, tc.k, float64(tc.alpha), d.a, d.lda, d.b, d.ldb, float64(tc.beta), d.c, d.ldc)
	if withBias {
		d.bias = randSlice(r, tc.n)
		for i := 0; i < tc.m; i++ {
			for j := 0; j < tc.n; j++ {
				d.want[i*d.ldc+j] += float64(d.bias[j])
			}
		}
	}
	return d
}

// check runs gemm on a copy of C and compares it with the reference, and
// checks that the padding between rows of C is left alone.
func (d *gemmData) check(t *testing.T, name string, gemm gemmFunc) {
	t.Helper()
	tc := d.tc
	c := append([]float32(nil), d.c...)
	gemm(tc, d.a, d.lda, d.b, d.ldb, c, d.ldc, d.bias)
	atol := 1e-6 * float64(tc.k+4)
	for i := 0; i < tc.m; i++ {
		for j := 0; j < d.ldc; j++ {
			x := i*d.ldc + j
			w := d.want[x]
			if j >= tc.n {
				if c[x] != float32(w) {
					t.Fatalf("%s %+v: padding C[%d][%d] changed to %v", name, tc, i, j, c[x])
				}
				continue
			}
			if closeTo(c[x:x+1], d.want[x:x+1], atol, 1e-5) >= 0 {
				t.Fatalf("%s %+v bias %v: C[%d][%d] = %v, want %v", name, tc, d.bias != nil, i, j, c[x], w)
			}
		}
	}
}

func TestGemm(t *testing.T) {
	t.Parallel()
	variants := gemmVariants()
	for i, tc := range gemmCases() {
		d := newGemmData(tc, i%2 == 1, uint64(i))
		for name, fn := range variants {
			d.check(t, name, fn)
		}
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
