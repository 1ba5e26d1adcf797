package kernel

import "runtime"

// Gemv computes y = alpha·x·op(B) + beta·y + bias for one row x of k values:
// the m = 1 product of single-token decoding, which streams B once across all
// cores at memory bandwidth. B is k×n with row stride ldb (a weight stored
// in×out, as checkpoints store GPT-2's Conv1D), or n×k when transB (a
// Linear weight, out×in, GPT-2's Conv1D as the model lays it out at load,
// or a tied embedding used as LM head). y and bias (or nil) hold n values.
// Gemm and GemmBias with m = 1 run Gemv.
func Gemv(transB bool, n, k int, alpha float32, x []float32, b []float32, ldb int, beta float32, y []float32, bias []float32) {
	checkGemm(transB, 1, n, k, x, k, b, ldb, y, n)
	checkBias(bias, n)
	runGemv(best, &gemvJob{n: n, k: k, alpha: alpha, x: x, b: operandB{b: b, ldb: ldb, trans: transB}, beta: beta, y: y, bias: bias})
}

// gemvJob is y = alpha·x·op(B) + beta·y + bias over n outputs.
type gemvJob struct {
	n, k  int
	alpha float32
	x     []float32
	b     operandB
	beta  float32
	y     []float32
	bias  []float32
}

// runGemv spreads j over the cores in chunks (about four per core) taken as
// they come: chunks of outputs, or chunks of rows of B for x·B with B k×n.
func runGemv(im *impl, j *gemvJob) {
	if j.n == 0 {
		return
	}
	t := runtime.GOMAXPROCS(0)
	if t <= 1 || j.n*j.k < serialWork {
		gemvRange(im, j, 0, j.n)
		return
	}
	// The goroutines get a copy of the job, so that a serial one stays on
	// the caller's stack.
	shared := *j
	if !j.b.trans && j.b.packed == nil {
		runGemvRows(im, &shared, t)
		return
	}
	runGemvChunks(im, &shared, t)
}

// runGemvChunks runs j on t goroutines that take chunks of outputs.
func runGemvChunks(im *impl, j *gemvJob, t int) {
	chunk := roundUp(ceilDiv(j.n, 4*t), nr)
	onCores(t, ceilDiv(j.n, chunk), func(p int) {
		gemvRange(im, j, p*chunk, min((p+1)*chunk, j.n))
	})
}

// gemvRange computes the outputs [lo, hi) of j.
func gemvRange(im *impl, j *gemvJob, lo, hi int) {
	y := j.y[lo:hi]
	var bias []float32
	if j.bias != nil {
		bias = j.bias[lo:hi]
	}
	if j.k == 0 {
		scaleRows(y, 1, len(y), len(y), j.beta)
		if bias != nil {
			Add(y, bias)
		}
		return
	}
	sc := scratches.get()
	defer scratches.put(sc)
	switch {
	case j.b.packed != nil:
		gemvPacked(im, sc, j, lo, y, bias)
	case j.b.trans:
		gemvDots(im, sc, j, lo, y, bias)
	default:
		j.start(y, bias)
		j.accumRows(im, sc, 0, j.k, lo, y)
	}
}

// store sets y[i] = alpha·s[i] + beta·y[i] + bias[i].
func (j *gemvJob) store(y, s, bias []float32) {
	for i, v := range s {
		j.storeAt(y, i, v, bias)
	}
}

// storeAt sets y[i] = alpha·v + beta·y[i] + bias[i].
func (j *gemvJob) storeAt(y []float32, i int, v float32, bias []float32) {
	storeScaled(&y[i], v, j.alpha, j.beta, bias, i)
}

// storeScaled sets *c = alpha·v + beta·*c + bias[i] (no bias when nil);
// *c is not read when beta is 0.
func storeScaled(c *float32, v, alpha, beta float32, bias []float32, i int) {
	v *= alpha
	if beta != 0 {
		v += beta * *c
	}
	if bias != nil {
		v += bias[i]
	}
	*c = v
}

// gemvDots computes outputs as dot products with rows of B (n×k), four at a
// time. The four rows come from the four quarters of the range, so that
// each core reads four sequential streams of memory at once, which draws
// more bandwidth from DRAM than one; a lone row is passed four times with
// stride 0.
func gemvDots(im *impl, sc *scratch, j *gemvJob, lo int, y, bias []float32) {
	s, one := &sc.s4, &sc.one
	b, ldb := j.b.b, j.b.ldb
	q := len(y) / 4
	for i := 0; i < q; i++ {
		im.dot4(j.k, j.x, b[(lo+i)*ldb:], q*ldb, s)
		for r, v := range s {
			j.storeAt(y, r*q+i, v, bias)
		}
	}
	for i := 4 * q; i < len(y); i += 4 {
		w := min(4, len(y)-i)
		row := b[(lo+i)*ldb:]
		if w == 4 {
			im.dot4(j.k, j.x, row, ldb, s)
		} else {
			for r := 0; r < w; r++ {
				im.dot4(j.k, j.x, b[(lo+i+r)*ldb:], 0, one)
				s[r] = one[0]
			}
		}
		var bs []float32
		if bias != nil {
			bs = bias[i : i+w]
		}
		j.store(y[i:i+w], s[:w], bs)
	}
}

// gemvCols is the width of the slice of y kept in L1 while rows of B stream.
const gemvCols = 4096

// start sets y = beta·y + bias, before products are added to it.
func (j *gemvJob) start(y, bias []float32) {
	if j.beta != 1 {
		scaleRows(y, 1, len(y), len(y), j.beta)
	}
	if bias != nil {
		Add(y, bias)
	}
}

// accumRows adds alpha·Σ x[p]·B[p][lo:lo+len(y)] over rows [p0, p1) of B to
// y, four rows at a time, over column slices that stay in L1. The four rows
// come from the four quarters of [p0, p1): four sequential streams at once.
func (j *gemvJob) accumRows(im *impl, sc *scratch, p0, p1, lo int, y []float32) {
	xs := &sc.x4
	b, ldb := j.b.b, j.b.ldb
	q := (p1 - p0) / 4
	for c0 := 0; c0 < len(y); c0 += gemvCols {
		yc := y[c0:min(c0+gemvCols, len(y))]
		for p := p0; p < p0+q; p++ {
			*xs = [4]float32{j.alpha * j.x[p], j.alpha * j.x[p+q], j.alpha * j.x[p+2*q], j.alpha * j.x[p+3*q]}
			im.axpy4(len(yc), xs, b[p*ldb+lo+c0:], q*ldb, yc)
		}
		p := p0 + 4*q
		for ; p+4 <= p1; p += 4 {
			*xs = [4]float32{j.alpha * j.x[p], j.alpha * j.x[p+1], j.alpha * j.x[p+2], j.alpha * j.x[p+3]}
			im.axpy4(len(yc), xs, b[p*ldb+lo+c0:], ldb, yc)
		}
		for ; p < p1; p++ {
			// One row: the other three carry weight 0 and read it again.
			*xs = [4]float32{j.alpha * j.x[p]}
			im.axpy4(len(yc), xs, b[p*ldb+lo+c0:], 0, yc)
		}
	}
}

// runGemvRows runs x·B for B k×n on t cores, each part a block of rows of
// B: a contiguous stretch of memory, streamed as four quarters side by side
// (accumRows). The first part adds into y, the others into partial sums
// added at the end.
func runGemvRows(im *impl, j *gemvJob, t int) {
	j.start(j.y[:j.n], j.bias)
	if j.k == 0 {
		return
	}
	chunk := roundUp(ceilDiv(j.k, t), 4)
	parts := ceilDiv(j.k, chunk)
	sums := make([]*[]float32, parts-1)
	for w := range sums {
		sums[w] = partials.get()
		if cap(*sums[w]) < j.n {
			*sums[w] = make([]float32, j.n)
		}
		clear((*sums[w])[:j.n])
	}
	onCores(t, parts, func(p int) {
		y := j.y[:j.n]
		if p > 0 {
			y = (*sums[p-1])[:j.n]
		}
		sc := scratches.get()
		defer scratches.put(sc)
		j.accumRows(im, sc, p*chunk, min((p+1)*chunk, j.k), 0, y)
	})
	for _, s := range sums {
		Add(j.y[:j.n], (*s)[:j.n])
		partials.put(s)
	}
}

var partials freeList[[]float32]

// scratch holds the small arrays the inner loops hand to the kernels. On
// the stack, passing them through a function value would move them to the
// heap on every call.
type scratch struct {
	x4, s4, one [4]float32
	dots        [12]float32
	panel       [nr]float32
}

var scratches freeList[scratch]

// gemvPacked multiplies x by the packed panels covering [lo, lo+len(y)).
func gemvPacked(im *impl, sc *scratch, j *gemvJob, lo int, y, bias []float32) {
	p := j.b.packed
	s := &sc.panel
	for i := 0; i < len(y); i += nr {
		w := min(nr, len(y)-i)
		panel := (j.b.col0 + lo + i) / nr
		im.panel(j.k, j.x, p.data[panel*p.k*nr:(panel+1)*p.k*nr], s)
		var bs []float32
		if bias != nil {
			bs = bias[i : i+w]
		}
		j.store(y[i:i+w], s[:w], bs)
	}
}

// dot4Go sets out[r] = Σ_p x[p]·b[r·ldb+p] for r < 4.
func dot4Go(k int, x, b []float32, ldb int, out *[4]float32) {
	for r := range out {
		out[r] = dotGo(x[:k], b[r*ldb:r*ldb+k])
	}
}

// dotGo returns Σ_p x[p]·y[p] over len(x) ≤ len(y), in two partial sums.
func dotGo(x, y []float32) float32 {
	y = y[:len(x)]
	var s0, s1 float32
	p := 0
	for ; p+1 < len(x); p += 2 {
		s0 += x[p] * y[p]
		s1 += x[p+1] * y[p+1]
	}
	if p < len(x) {
		s0 += x[p] * y[p]
	}
	return s0 + s1
}

// axpy4Go adds Σ_r x[r]·b[r·ldb+c] to y[c] for r < 4.
func axpy4Go(n int, x *[4]float32, b []float32, ldb int, y []float32) {
	y = y[:n]
	r0, r1, r2, r3 := b[:n], b[ldb:ldb+n], b[2*ldb:2*ldb+n], b[3*ldb:3*ldb+n]
	for c := range y {
		y[c] += x[0]*r0[c] + x[1]*r1[c] + x[2]*r2[c] + x[3]*r3[c]
	}
}

// panelGo sets out[c] = Σ_p x[p]·panel[p·nr+c].
func panelGo(k int, x, panel []float32, out *[nr]float32) {
	clear(out[:])
	panel = panel[:k*nr]
	for p, xv := range x[:k] {
		row := panel[p*nr : p*nr+nr : p*nr+nr]
		for c := range out {
			out[c] += xv * row[c]
		}
	}
}
