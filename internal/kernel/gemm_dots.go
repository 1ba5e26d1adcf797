package kernel

// Products of a few rows of A with a weight stored n×k (a Linear's out×in)
// run as dot products: each row of the weight is streamed once, as in a
// matrix-vector product, three rows at a time from the three thirds of a
// chunk of outputs (three sequential streams per core), and multiplied by
// four rows of A while it is in L1. The in-place tiles (inplace.go) pad A
// to eight rows and broadcast the weight one element at a time; for up to
// fewRows rows this reads the weight at close to memory bandwidth instead.
// On the products of a BERT-base or GPT-2 layer, cold, two rows took about
// half the time of the tiles, four two thirds, six four fifths; at eight
// the tiles win.

// fewRows is the most rows of A a product runs as dot products.
const fewRows = 6

// gemmDots runs j (B stored n×k, not packed, m ≤ fewRows) on up to cores
// cores, which take chunks of outputs as they come. A is copied once into
// rows of k floats, zero rows completing the last four.
func gemmDots(im *impl, j *gemmJob, cores int) {
	ws := workspaces.get()
	defer workspaces.put(ws)
	mp := roundUp(j.m, 4)
	ap := growSlice(&ws.shared, mp*j.k)
	for t := range mp {
		row := ap[t*j.k : (t+1)*j.k]
		if t < j.m {
			copy(row, j.a[t*j.lda:t*j.lda+j.k])
		} else {
			clear(row)
		}
	}
	if cores <= 1 {
		j.dotsRange(im, ap, 0, j.n)
		return
	}
	// The cores get a copy of the job: j stays on the caller's stack.
	shared := *j
	chunk := roundUp(ceilDiv(j.n, 4*cores), nr)
	onCores(cores, ceilDiv(j.n, chunk), func(p int) {
		shared.dotsRange(im, ap, p*chunk, min((p+1)*chunk, shared.n))
	})
}

// dotsRange computes the columns [lo, hi) of C from the copied A.
func (j *gemmJob) dotsRange(im *impl, ap []float32, lo, hi int) {
	sc := scratches.get()
	defer scratches.put(sc)
	out := &sc.dots
	b, ldb := j.b.b, j.b.ldb
	q := (hi - lo) / 3
	for i := 0; i < q; i++ {
		j.dotsRows(im, ap, b[(lo+i)*ldb:], q*ldb, lo+i, q, 3, out)
	}
	for col := lo + 3*q; col < hi; col++ {
		// One row of B: the other two are the same row again (stride 0).
		j.dotsRows(im, ap, b[col*ldb:], 0, col, 0, 1, out)
	}
}

// dotsRows computes the products of every row of A with the first w of
// the three rows of B at b, b+ldb, b+2·ldb, and stores them to the columns
// col, col+step, ...
func (j *gemmJob) dotsRows(im *impl, ap, b []float32, ldb, col, step, w int, out *[12]float32) {
	k := j.k
	for t0 := 0; t0 < j.m; t0 += 4 {
		im.dots(k, ap[t0*k:], k, b, ldb, out)
		for r := range w {
			for t := t0; t < min(t0+4, j.m); t++ {
				j.storeDot(t, col+r*step, out[4*r+t-t0])
			}
		}
	}
}

// storeDot sets C[t][col] = alpha·v + beta·C[t][col] + bias[col].
func (j *gemmJob) storeDot(t, col int, v float32) {
	storeScaled(&j.c[t*j.ldc+col], v, j.alpha, j.beta, j.bias, col)
}

// dotsGo sets out[4r+t] = Σ_p a[t·lda+p]·b[r·ldb+p] for t < 4, r < 3.
func dotsGo(k int, a []float32, lda int, b []float32, ldb int, out *[12]float32) {
	for r := range 3 {
		for t := range 4 {
			out[4*r+t] = dotGo(a[t*lda:t*lda+k], b[r*ldb:r*ldb+k])
		}
	}
}
