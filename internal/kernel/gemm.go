package kernel

// Gemm computes C = alpha·A·op(B) + beta·C.
//
// A is m×k with row stride lda. When transB is false, B is k×n with row
// stride ldb; when transB is true, B is stored n×k (the layout of a PyTorch
// Linear weight, out×in) with row stride ldb and Bᵀ is used, without copying.
// C is m×n with row stride ldc. beta == 0 overwrites C (NaNs in C ignored).
func Gemm(transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkGemm(transB, m, n, k, a, lda, b, ldb, c, ldc)
	for i := 0; i < m; i++ {
		ci := c[i*ldc : i*ldc+n]
		ai := a[i*lda : i*lda+k]
		for j := range ci {
			var s float32
			if transB {
				bj := b[j*ldb : j*ldb+k]
				for p, av := range ai {
					s += av * bj[p]
				}
			} else {
				for p, av := range ai {
					s += av * b[p*ldb+j]
				}
			}
			if beta == 0 {
				ci[j] = alpha * s
			} else {
				ci[j] = alpha*s + beta*ci[j]
			}
		}
	}
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
