package kernel

import "testing"

func gemvCases() []gemmCase {
	var cases []gemmCase
	for _, d := range [][2]int{{1, 1}, {3, 17}, {37, 9}, {100, 300}, {4100, 5}, {2304, 64}, {5, 4101}, {64, 0}, {1, 59}, {30, 7}, {70, 3}, {3, 2}, {700, 401}} {
		for _, tb := range []bool{false, true} {
			cases = append(cases,
				gemmCase{tb, 1, d[0], d[1], 0, 0, 0, 1, 0},
				gemmCase{tb, 1, d[0], d[1], 2, 3, 0, -0.5, 1},
				gemmCase{tb, 1, d[0], d[1], 0, 1, 0, 2, 0.5},
			)
		}
	}
	return cases
}

func TestGemv(t *testing.T) {
	t.Parallel()
	variants := map[string]gemmFunc{
		"Gemv": func(tc gemmCase, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, bias []float32) {
			Gemv(tc.transB, tc.n, tc.k, tc.alpha, a, b, ldb, tc.beta, c, bias)
		},
		"GemmPacked": gemmVariants()["GemmPacked"],
	}
	for _, im := range impls() {
		job := func(tc gemmCase, a []float32, b []float32, ldb int, c []float32, bias []float32) *gemvJob {
			return &gemvJob{n: tc.n, k: tc.k, alpha: tc.alpha, x: a, b: operandB{b: b, ldb: ldb, trans: tc.transB}, beta: tc.beta, y: c, bias: bias}
		}
		variants[im.name+"/split"] = func(tc gemmCase, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, bias []float32) {
			j := job(tc, a, b, ldb, c, bias)
			for lo := 0; lo < tc.n; lo += 48 {
				gemvRange(im, j, lo, min(lo+48, tc.n))
			}
		}
		variants[im.name+"/rows"] = func(tc gemmCase, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, bias []float32) {
			j := job(tc, a, b, ldb, c, bias)
			if tc.transB || tc.n == 0 {
				gemvRange(im, j, 0, tc.n)
				return
			}
			runGemvRows(im, j, 3)
		}
		variants[im.name+"/packed"] = func(tc gemmCase, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, bias []float32) {
			j := job(tc, a, b, ldb, c, bias)
			j.b = operandB{packed: PackB(tc.transB, tc.k, tc.n, b, ldb)}
			gemvRange(im, j, 0, tc.n)
		}
	}
	for i, tc := range gemvCases() {
		d := newGemmData(tc, i%2 == 0, uint64(i))
		for name, fn := range variants {
			d.check(t, name, fn)
		}
	}
}
