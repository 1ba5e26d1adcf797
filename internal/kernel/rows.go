package kernel

import "math"

// rowsWork is the number of elements below which a row pass runs on one
// core.
const rowsWork = 1 << 15

// serialRows reports whether rows of cols elements are too few to spread
// over the cores. The callers build their closure for Parallel only when
// they do spread: a closure handed on escapes and costs an allocation.
func serialRows(rows, cols int) bool {
	return rows*cols < rowsWork
}

// AddRow adds the vector v to each of the rows of x (rows×len(v), stride ld).
func AddRow(x []float32, rows, ld int, v []float32) {
	addRow(best, x, rows, ld, v)
}

func addRow(im *impl, x []float32, rows, ld int, v []float32) {
	checkRows(x, rows, len(v), ld)
	if serialRows(rows, len(v)) {
		addRows(im, x, ld, v, 0, rows)
		return
	}
	Parallel(rows, func(lo, hi int) { addRows(im, x, ld, v, lo, hi) })
}

func addRows(im *impl, x []float32, ld int, v []float32, lo, hi int) {
	for i := lo; i < hi; i++ {
		im.add(x[i*ld:i*ld+len(v)], v)
	}
}

// Add sets dst[i] += src[i].
func Add(dst, src []float32) {
	best.add(dst, src[:len(dst)])
}

func checkRows(x []float32, rows, cols, ld int) {
	if rows < 0 || cols < 0 {
		panic("kernel: negative dimension")
	}
	if rows > 0 && (ld < cols || len(x) < (rows-1)*ld+cols) {
		panic("kernel: slice shorter than its matrix")
	}
}

// LayerNorm normalises each of the rows of x (rows×len(gamma), stride ld) in
// place: (x-mean)/sqrt(var+eps)·gamma + beta, the biased variance, as
// torch.nn.LayerNorm computes it.
func LayerNorm(x []float32, rows, ld int, gamma, beta []float32, eps float32) {
	layerNorm(best, x, ld, x, ld, rows, nil, 0, gamma, beta, eps)
}

// LayerNormTo writes the LayerNorm of the rows of x (stride ld) to dst
// (stride ldd) and leaves x as it is: GPT-2's pre-norm blocks normalise
// the residual stream into a scratch matrix.
func LayerNormTo(dst []float32, ldd int, x []float32, rows, ld int, gamma, beta []float32, eps float32) {
	checkRows(dst, rows, len(gamma), ldd)
	layerNorm(best, dst, ldd, x, ld, rows, nil, 0, gamma, beta, eps)
}

// AddLayerNorm adds the residual (rows×len(gamma), stride ldr) to x and
// normalises the sums in place, in one pass over memory less than Add then
// LayerNorm: BERT's LayerNorm(hidden + input).
func AddLayerNorm(x []float32, rows, ld int, residual []float32, ldr int, gamma, beta []float32, eps float32) {
	checkRows(residual, rows, len(gamma), ldr)
	layerNorm(best, x, ld, x, ld, rows, residual, ldr, gamma, beta, eps)
}

// AddLayerNormTo adds the residual (stride ldr) to x, keeping the sums in
// x, and writes their LayerNorm to dst (stride ldd). dst may be the
// residual itself: GPT-2's x += h; h = ln_2(x) is
// AddLayerNormTo(h, e, x, rows, e, h, e, gamma, beta, eps).
func AddLayerNormTo(dst []float32, ldd int, x []float32, rows, ld int, residual []float32, ldr int, gamma, beta []float32, eps float32) {
	checkRows(dst, rows, len(gamma), ldd)
	checkRows(residual, rows, len(gamma), ldr)
	layerNorm(best, dst, ldd, x, ld, rows, residual, ldr, gamma, beta, eps)
}

// layerNorm sets dst = LayerNorm(x + res) row by row (res nil for none),
// leaving x + res in x; dst may be x or res.
func layerNorm(im *impl, dst []float32, ldd int, x []float32, ld, rows int, res []float32, ldr int, gamma, beta []float32, eps float32) {
	n := len(gamma)
	checkRows(x, rows, n, ld)
	if len(beta) != n {
		panic("kernel: LayerNorm beta and gamma lengths differ")
	}
	if n == 0 {
		return
	}
	ln := lnJob{im: im, dst: dst, x: x, res: res, ldd: ldd, ld: ld, ldr: ldr, gamma: gamma, beta: beta, eps: eps}
	if serialRows(rows, n) {
		ln.rows(0, rows)
		return
	}
	shared := ln // escapes to the goroutines; ln stays on the stack
	Parallel(rows, shared.rows)
}

// lnJob is dst = LayerNorm(x + res), row by row.
type lnJob struct {
	im          *impl
	dst, x, res []float32
	ldd, ld     int
	ldr         int
	gamma, beta []float32
	eps         float32
}

func (ln *lnJob) rows(lo, hi int) {
	n := len(ln.gamma)
	for i := lo; i < hi; i++ {
		r := ln.x[i*ln.ld : i*ln.ld+n]
		var sum float32
		if ln.res != nil {
			sum = ln.im.addSum(r, ln.res[i*ln.ldr:i*ln.ldr+n])
		} else {
			sum = ln.im.sum(r)
		}
		mean := sum / float32(n)
		vr := ln.im.sumSqDev(r, mean) / float32(n)
		inv := 1 / float32(math.Sqrt(float64(vr+ln.eps)))
		ln.im.norm(ln.dst[i*ln.ldd:i*ln.ldd+n], r, mean, inv, ln.gamma, ln.beta)
	}
}

// Softmax replaces each of the rows of x (rows×cols, stride ld) by its
// softmax. A row of -Inf only becomes uniform, as in PyTorch with a
// float32-min mask.
func Softmax(x []float32, rows, cols, ld int) {
	softmax(best, x, rows, cols, ld)
}

func softmax(im *impl, x []float32, rows, cols, ld int) {
	checkRows(x, rows, cols, ld)
	if cols == 0 {
		return
	}
	if serialRows(rows, cols) {
		softmaxRows(im, x, cols, ld, 0, rows)
		return
	}
	Parallel(rows, func(lo, hi int) { softmaxRows(im, x, cols, ld, lo, hi) })
}

func softmaxRows(im *impl, x []float32, cols, ld, lo, hi int) {
	for i := lo; i < hi; i++ {
		softmaxRow(im, x[i*ld:i*ld+cols])
	}
}

func softmaxRow(im *impl, r []float32) {
	m := im.max(r)
	s := im.expSub(r, m)
	im.scale(r, 1/s)
}
