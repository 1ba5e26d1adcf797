package kernel

// Packed is the right-hand operand of a product (a weight matrix), laid out
// once in the panels the micro-kernel reads, so that repeated products with
// it skip packing. It holds a copy: the source may be dropped.
type Packed struct {
	k, n int
	data []float32 // ceil(n/nr) panels of k×nr, zero-padded
}

// PackB packs op(B), a k×n matrix: B is k×n with row stride ldb, or n×k
// (a PyTorch Linear weight, out×in) when transB.
func PackB(transB bool, k, n int, b []float32, ldb int) *Packed {
	if k < 0 || n < 0 {
		panic("kernel: negative dimension")
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	if k > 0 && n > 0 && (ldb < bc || len(b) < (br-1)*ldb+bc) {
		panic("kernel: slice shorter than its matrix")
	}
	p := &Packed{k: k, n: n, data: make([]float32, roundUp(n, nr)*k)}
	if k > 0 && n > 0 {
		best.packB(p.data, b, ldb, transB, 0, 0, k, n)
	}
	return p
}

// Rows returns k, the inner dimension of products with p.
func (p *Packed) Rows() int { return p.k }

// Cols returns n, the columns of products with p.
func (p *Packed) Cols() int { return p.n }

// GemmPacked computes C = alpha·A·B + beta·C + bias with B packed by PackB:
// A is m×k (row stride lda), C m×n (row stride ldc), bias n values or nil.
func GemmPacked(m int, alpha float32, a []float32, lda int, b *Packed, beta float32, c []float32, ldc int, bias []float32) {
	k, n := b.k, b.n
	if m < 0 {
		panic("kernel: negative dimension")
	}
	if m > 0 && n > 0 && (lda < k || ldc < n || len(a) < (m-1)*lda+k || len(c) < (m-1)*ldc+n) {
		panic("kernel: slice shorter than its matrix")
	}
	checkBias(bias, n)
	if m == 1 {
		runGemv(best, &gemvJob{n: n, k: k, alpha: alpha, x: a, b: operandB{packed: b}, beta: beta, y: c, bias: bias})
		return
	}
	run(best, &gemmJob{m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
		b: operandB{packed: b}, beta: beta, c: c, ldc: ldc, bias: bias})
}
