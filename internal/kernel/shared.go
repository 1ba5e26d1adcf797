package kernel

import "runtime"

// SharedB is one of the products of GemmShared: C = alpha·A·Bᵀ + beta·C +
// Bias, with B stored N×k (a Linear's out×in weight) with row stride LDB, C
// with row stride LDC, and Bias N values or nil.
type SharedB struct {
	N    int
	B    []float32
	LDB  int
	C    []float32
	LDC  int
	Bias []float32
}

// GemmShared computes several products with the same A (m×k, row stride
// lda), each as GemmBias(true, ...) would: A is packed once, and the parts
// of all the products are spread over the cores together, so that the
// cores wait for each other once rather than after each product. BERT's
// query, key and value projections are one call. Products of up to
// fewRows rows, which pack nothing, run one after the other.
func GemmShared(m, k int, alpha float32, a []float32, lda int, beta float32, bs ...SharedB) {
	work := 0
	for _, b := range bs {
		checkGemm(true, m, b.N, k, a, lda, b.B, b.LDB, b.C, b.LDC)
		checkBias(b.Bias, b.N)
		work += m * b.N * k
	}
	t := runtime.GOMAXPROCS(0)
	if len(bs) < 2 || t <= 1 || m <= fewRows || m > rowBlock || k == 0 || work < serialWork {
		for _, b := range bs {
			GemmBias(true, m, b.N, k, alpha, a, lda, b.B, b.LDB, beta, b.C, b.LDC, b.Bias)
		}
		return
	}
	jobs := make([]gemmJob, len(bs))
	for i, b := range bs {
		if b.N == 0 {
			continue
		}
		jobs[i] = gemmJob{m: m, n: b.N, k: k, alpha: alpha, a: a, lda: lda,
			b: operandB{b: b.B, ldb: b.LDB, trans: true}, beta: beta, c: b.C, ldc: b.LDC, bias: b.Bias}
	}
	gemmShared(best, jobs, t)
}

// gemmShared runs the in-place jobs, which share m, k, A and alpha, on up
// to cores cores.
func gemmShared(im *impl, jobs []gemmJob, cores int) {
	first := &jobs[0]
	tn, tm := tileShape(first.m)
	kern := im.tile(tn)
	ws := workspaces.get()
	defer workspaces.put(ws)
	ap := growSlice(&ws.shared, roundUp(first.m, tm)*first.k)
	// starts[i] is the first part of job i.
	starts := make([]int, len(jobs)+1)
	for i := range jobs {
		j := &jobs[i]
		if j.beta != 0 && j.n > 0 {
			scaleRows(j.c, j.m, j.n, j.ldc, j.beta)
		}
		starts[i+1] = starts[i] + ceilDiv(j.n, inNC)
	}
	onCores(cores, ceilDiv(first.m, tm), func(p int) { packPanel(im, ap, first, tm, p*tm) })
	onCores(cores, starts[len(jobs)], func(p int) {
		i := 0
		for starts[i+1] <= p {
			i++
		}
		j := &jobs[i]
		j0 := (p - starts[i]) * inNC
		own := workspaces.get()
		defer workspaces.put(own)
		j.inPlaceColumns(im, own, kern, tn, tm, ap, j0, min(inNC, j.n-j0), j0+cores*inNC)
	})
}
