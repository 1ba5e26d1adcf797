package kernel

import "sync"

// Cache blocking (GotoBLAS/BLIS): a kc×nc panel of packed B stays in L3 and
// is reused by every mc×kc block of packed A, which stays in L2 while each
// kc×nr micro-panel of B sits in L1 under the micro-kernel.
var (
	kcMax = 256
	mcMax = 96   // multiple of mr
	ncMax = 3072 // multiple of nr
)

// operandB is the right-hand operand of a product: a row-major matrix (k×n,
// or n×k when trans) read in place, or a Packed one, starting at column col0
// of op(B).
type operandB struct {
	b      []float32
	ldb    int
	trans  bool
	packed *Packed
	col0   int
}

// gemmJob is C = alpha·A·op(B) + beta·C + bias (bias added to every row).
type gemmJob struct {
	m, n, k int
	alpha   float32
	a       []float32
	lda     int
	b       operandB
	beta    float32
	c       []float32
	ldc     int
	bias    []float32
	// kc and nc, when not 0, replace inKC and inNC (for tests).
	kc, nc int
}

type workspace struct {
	a []float32
	// shared holds all of a packed A, read by every core.
	shared []float32
	// pad holds the last rows of a weight read in place, padded; panel a
	// micro-panel of a weight read with strides, packed (gemm_strided.go).
	pad, panel []float32
	// stage and biasPad hold a block of C and its bias (inplace.go).
	stage, biasPad []float32
	tile           [96]float32 // a micro-tile, mr×nr, or an in-place tile, tn×tm
	bias           [nr]float32
}

// workspaces is a free list of packing buffers. Unlike a sync.Pool it keeps
// them across garbage collections: a few MiB per concurrent product, instead
// of allocating and zeroing them again after every collection.
var workspaces freeList[workspace]

type freeList[T any] struct {
	mu   sync.Mutex
	free []*T
}

func (l *freeList[T]) get() *T {
	l.mu.Lock()
	defer l.mu.Unlock()
	if n := len(l.free); n > 0 {
		w := l.free[n-1]
		l.free = l.free[:n-1]
		return w
	}
	return new(T)
}

func (l *freeList[T]) put(w *T) {
	l.mu.Lock()
	l.free = append(l.free, w)
	l.mu.Unlock()
}

// grow sizes the packing buffer of A for the current blocking.
func (ws *workspace) grow() {
	if len(ws.a) < mcMax*kcMax {
		ws.a = make([]float32, mcMax*kcMax)
	}
}

// kcFor splits k into equal blocks of at most kcMax.
func kcFor(k int) int {
	nb := (k + kcMax - 1) / kcMax
	return (k + nb - 1) / nb
}

// gemmSerial runs a job on the calling goroutine.
func gemmSerial(im *impl, j *gemmJob) { gemmOn(im, j, 1) }

// gemmPacked runs a job with a Packed B on the calling goroutine: for each
// block of columns and of k, every block of rows of A is packed and
// multiplied by the packed panels.
func gemmPacked(im *impl, j *gemmJob) {
	if j.beta != 0 {
		scaleRows(j.c, j.m, j.n, j.ldc, j.beta)
	}
	ws := workspaces.get()
	defer workspaces.put(ws)
	ws.grow()
	kcb := kcFor(j.k)
	for jc := 0; jc < j.n; jc += ncMax {
		nc := min(ncMax, j.n-jc)
		for pc := 0; pc < j.k; pc += kcb {
			kc := min(kcb, j.k-pc)
			bp, stride := j.panelB(jc, pc)
			var bias []float32
			if pc == 0 && j.bias != nil {
				bias = j.bias[jc : jc+nc]
			}
			load := j.beta != 0 || pc > 0
			for ic := 0; ic < j.m; ic += mcMax {
				mc := min(mcMax, j.m-ic)
				im.packA(ws.a, j.a[ic*j.lda+pc:], j.lda, mc, kc, j.alpha)
				macro(im, ws, kc, mc, nc, ws.a, bp, stride, j.c[ic*j.ldc+jc:], j.ldc, bias, load)
			}
		}
	}
}

// panelB returns the kc×nc block of the packed B at (pc, jc) and the
// distance between its micro-panels.
func (j *gemmJob) panelB(jc, pc int) ([]float32, int) {
	p := j.b.packed
	return p.data[(j.b.col0+jc)/nr*p.k*nr+pc*nr:], p.k * nr
}

// macro multiplies a packed mc×kc block of A by a packed kc×nc panel of B into
// C, tile by tile; tiles cut by the edges of C go through ws.tile.
func macro(im *impl, ws *workspace, kc, mc, nc int, ap, bp []float32, stride int, c []float32, ldc int, bias []float32, load bool) {
	for jr := 0; jr < nc; jr += nr {
		w := min(nr, nc-jr)
		b := bp[jr/nr*stride:]
		var bs []float32
		if bias != nil {
			if w == nr {
				bs = bias[jr : jr+nr]
			} else {
				bs = ws.bias[:]
				clear(bs)
				copy(bs, bias[jr:jr+w])
			}
		}
		for ir := 0; ir < mc; ir += mr {
			h := min(mr, mc-ir)
			a := ap[ir*kc:]
			if h == mr && w == nr {
				im.micro(kc, a, b, c[ir*ldc+jr:], ldc, bs, load)
				continue
			}
			im.micro(kc, a, b, ws.tile[:], nr, bs, false)
			mergeTile(c[ir*ldc+jr:], ldc, ws.tile[:], h, w, load)
		}
	}
}

// mergeTile writes (or adds, when load) the h×w corner of tile into c.
func mergeTile(c []float32, ldc int, tile []float32, h, w int, load bool) {
	for i := 0; i < h; i++ {
		dst := c[i*ldc : i*ldc+w]
		src := tile[i*nr : i*nr+w]
		if load {
			for x, v := range src {
				dst[x] += v
			}
		} else {
			copy(dst, src)
		}
	}
}

// scaleRows sets C = beta·C; beta == 0 clears C, NaNs included.
func scaleRows(c []float32, m, n, ldc int, beta float32) {
	if beta == 1 {
		return
	}
	for i := 0; i < m; i++ {
		r := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(r)
			continue
		}
		for x := range r {
			r[x] *= beta
		}
	}
}
