package kernel

import "runtime"

// Gemm computes C = alpha·A·op(B) + beta·C.
//
// A is m×k with row stride lda. When transB is false, B is k×n with row
// stride ldb; when transB is true, B is stored n×k (the layout of a PyTorch
// Linear weight, out×in) with row stride ldb and Bᵀ is used, without copying.
// C is m×n with row stride ldc. beta == 0 overwrites C (NaNs in C ignored).
//
// The product is blocked for the caches, packed, and split across all cores.
func Gemm(transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	GemmBias(transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, nil)
}

// GemmBias is Gemm that also adds bias (n values, or nil) to every row of C:
// C = alpha·A·op(B) + beta·C + bias, with the bias added in the same pass.
// A Linear layer y = x·Wᵀ + b is GemmBias(true, rows, out, in, 1, x, in, w,
// in, 0, y, out, b).
func GemmBias(transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, bias []float32) {
	checkGemm(transB, m, n, k, a, lda, b, ldb, c, ldc)
	checkBias(bias, n)
	if m == 1 {
		runGemv(best, &gemvJob{n: n, k: k, alpha: alpha, x: a, b: operandB{b: b, ldb: ldb, trans: transB}, beta: beta, y: c, bias: bias})
		return
	}
	run(best, &gemmJob{m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
		b: operandB{b: b, ldb: ldb, trans: transB}, beta: beta, c: c, ldc: ldc, bias: bias})
}

func checkGemm(transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic("kernel: negative dimension")
	}
	if m == 0 || n == 0 {
		return
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	if lda < k || ldb < bc || ldc < n {
		panic("kernel: row stride smaller than row length")
	}
	if len(a) < (m-1)*lda+k || len(c) < (m-1)*ldc+n || (k > 0 && len(b) < (br-1)*ldb+bc) {
		panic("kernel: slice shorter than its matrix")
	}
}

func checkBias(bias []float32, n int) {
	if bias != nil && len(bias) != n {
		panic("kernel: bias length differs from the columns of C")
	}
}

// rowBlock is the most rows of A a product with a weight read in place
// packs at once.
const rowBlock = 256

// serialWork is the number of multiply-adds below which a product runs on
// one core: starting goroutines costs more than it saves.
const serialWork = 1 << 18

// run spreads a job over the cores, unless it is too small to repay it.
func run(im *impl, j *gemmJob) {
	t := runtime.GOMAXPROCS(0)
	if j.m*j.n*j.k < serialWork {
		t = 1
	}
	gemmOn(im, j, t)
}

// gemmOn runs j on up to cores cores: products with a weight stored n×k
// read it in place (inplace.go), as dot products for up to fewRows rows of
// A (gemm_dots.go); those with a weight stored k×n read it with strides
// (gemm_strided.go); with a Packed weight the cores share one packed A and
// take chunks of columns as they come.
func gemmOn(im *impl, j *gemmJob, cores int) {
	switch {
	case j.m == 0 || j.n == 0:
	case j.k == 0:
		scaleRows(j.c, j.m, j.n, j.ldc, j.beta)
		if j.bias != nil {
			AddRow(j.c, j.m, j.ldc, j.bias[:j.n])
		}
	case j.b.packed == nil && j.m > rowBlock:
		// Blocks of rows, one after the other: the packed copy of A stays
		// small, and the weight is read again from L3.
		for i0 := 0; i0 < j.m; i0 += rowBlock {
			blk := *j
			blk.m = min(rowBlock, j.m-i0)
			blk.a = j.a[i0*j.lda:]
			blk.c = j.c[i0*j.ldc:]
			gemmOn(im, &blk, cores)
		}
	case j.b.packed == nil && j.b.trans && j.m <= fewRows:
		gemmDots(im, j, cores)
	case j.b.packed == nil && j.b.trans:
		gemmInPlace(im, j, cores)
	case j.b.packed == nil:
		gemmStrided(im, j, cores)
	case cores > 1:
		// The cores get a copy of the job, so that a serial one stays on
		// the caller's stack.
		shared := *j
		gemmParallel(im, &shared, cores, chunkFor(j.n, cores))
	default:
		gemmPacked(im, j)
	}
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }
func roundUp(a, b int) int { return ceilDiv(a, b) * b }
