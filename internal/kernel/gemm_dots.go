package kernel

// Products of a few rows of A with a weight stored n×k (a Linear's out×in)
// run as dot products: each row of the weight is streamed once, as in a
// matrix-vector product, four rows at a time from the four quarters of a
// chunk of outputs (four sequential streams per core), and multiplied by
// the rows of A two at a time while it is in L1. The in-place tiles
// (inplace.go) pad A to eight rows and broadcast the weight one element at
// a time; for up to fewRows rows this reads the weight at close to memory
// bandwidth instead: on the products of a BERT-base or GPT-2 layer, cold,
// two rows took half the time of the tiles, four two thirds, six four
// fifths; at eight the tiles win.

// fewRows is the most rows of A a product runs as dot products.
const fewRows = 6

// gemmDots runs j (B stored n×k, not packed, m ≤ fewRows) on up to cores
// cores, which take chunks of outputs as they come.
func gemmDots(im *impl, j *gemmJob, cores int) {
	if cores <= 1 {
		j.dotsRange(im, 0, j.n)
		return
	}
	// The cores get a copy of the job: j stays on the caller's stack.
	shared := *j
	chunk := roundUp(ceilDiv(j.n, 4*cores), nr)
	onCores(cores, ceilDiv(j.n, chunk), func(p int) {
		shared.dotsRange(im, p*chunk, min((p+1)*chunk, shared.n))
	})
}

// dotsRange computes the columns [lo, hi) of C.
func (j *gemmJob) dotsRange(im *impl, lo, hi int) {
	sc := scratches.get()
	defer scratches.put(sc)
	out := &sc.dots
	b, ldb := j.b.b, j.b.ldb
	q := (hi - lo) / 4
	for i := 0; i < q; i++ {
		j.dotsRows(im, b[(lo+i)*ldb:], q*ldb, lo+i, q, 4, out)
	}
	for col := lo + 4*q; col < hi; col++ {
		// One row of B: the other three are the same row again (stride 0).
		j.dotsRows(im, b[col*ldb:], 0, col, 0, 1, out)
	}
}

// dotsRows computes, for each row of A, its products with the rows of B
// at b, b+ldb, ... (the first w of four), stored to the columns col,
// col+step, ...
func (j *gemmJob) dotsRows(im *impl, b []float32, ldb, col, step, w int, out *[8]float32) {
	for t := 0; t < j.m; t += 2 {
		lda := j.lda
		if t+1 == j.m {
			lda = 0 // a last, odd row is passed twice
		}
		im.dots(j.k, j.a[t*j.lda:], lda, b, ldb, out)
		for r := range w {
			j.storeDot(t, col+r*step, out[r])
			if lda != 0 {
				j.storeDot(t+1, col+r*step, out[4+r])
			}
		}
	}
}

// storeDot sets C[t][col] = alpha·v + beta·C[t][col] + bias[col].
func (j *gemmJob) storeDot(t, col int, v float32) {
	c := &j.c[t*j.ldc+col]
	v *= j.alpha
	if j.beta != 0 {
		v += j.beta * *c
	}
	if j.bias != nil {
		v += j.bias[col]
	}
	*c = v
}

// dotsGo sets out[4t+r] = Σ_p a[t·lda+p]·b[r·ldb+p] for t < 2, r < 4.
func dotsGo(k int, a []float32, lda int, b []float32, ldb int, out *[8]float32) {
	for t := range 2 {
		x := a[t*lda : t*lda+k]
		for r := range 4 {
			row := b[r*ldb : r*ldb+k]
			var s0, s1 float32
			p := 0
			for ; p+1 < k; p += 2 {
				s0 += x[p] * row[p]
				s1 += x[p+1] * row[p+1]
			}
			if p < k {
				s0 += x[p] * row[p]
			}
			out[4*t+r] = s0 + s1
		}
	}
}
