package kernel

import "cmp"

// Products with a weight stored k×n (a Conv1D's in×out, as GPT-2
// checkpoints store it) and more than one row read it in place too. The
// first panel of A multiplies a micro-panel of B (kc rows of nr floats) read straight from the rows of
// the weight, ldb floats apart, and leaves a packed copy of it in L1 for
// the other panels of A; while they run, the next micro-panel is
// prefetched, a share of its rows per panel of A. Rows of a weight are
// often a multiple of 4 KiB apart, each in a page of its own, all in one
// set of L1: without the copy every panel of A would read B from L2, and
// without the prefetch the first would wait on memory row by row.

// Blocking of the strided products: steps of k per pass over C, and
// columns of C per part (a multiple of nr).
var (
	stridedKC = 256
	stridedNC = 192
)

// gemmStrided runs j (B k×n, not packed, k > 0) on up to cores cores. The
// blocks of kcb rows of B are done one after the other, each split into
// parts of columns: a block's rows are then the only pages of B in use,
// few enough for the TLB, where parts that each ran down all k rows would
// go through every page of a large weight, over and over.
func gemmStrided(im *impl, j *gemmJob, cores int) {
	kcb := cmp.Or(j.kc, stridedKC)
	mp := roundUp(j.m, mr)
	ws := workspaces.get()
	defer workspaces.put(ws)
	n := mp * j.k
	if len(ws.shared) < n {
		ws.shared = make([]float32, n)
	}
	ap := ws.shared[:n]
	if j.beta != 0 {
		scaleRows(j.c, j.m, j.n, j.ldc, j.beta)
	}
	if cores <= 1 {
		j.packStrided(im, ap, mp, kcb, 0, j.m)
		for pc := 0; pc < j.k; pc += kcb {
			for j0 := 0; j0 < j.n; j0 += stridedNC {
				j.stridedBlock(im, ws, ap, mp, pc, min(kcb, j.k-pc), j0, min(stridedNC, j.n-j0))
			}
		}
		return
	}
	shared := *j // the cores get a copy: j stays on the caller's stack
	shared.stridedParallel(im, ap, mp, kcb, cores)
}

func (j *gemmJob) stridedParallel(im *impl, ap []float32, mp, kcb, cores int) {
	rows := roundUp(ceilDiv(j.m, cores), mr)
	onCores(cores, ceilDiv(j.m, rows), func(p int) {
		j.packStrided(im, ap, mp, kcb, p*rows, min((p+1)*rows, j.m))
	})
	nc := cmp.Or(j.nc, stridedNC)
	for pc := 0; pc < j.k; pc += kcb {
		kc := min(kcb, j.k-pc)
		onCores(cores, ceilDiv(j.n, nc), func(p int) {
			ws := workspaces.get()
			defer workspaces.put(ws)
			j0 := p * nc
			j.stridedBlock(im, ws, ap, mp, pc, kc, j0, min(nc, j.n-j0))
		})
	}
}

// packStrided packs rows [r0, r1) of alpha·A, in every block of kcb steps.
func (j *gemmJob) packStrided(im *impl, ap []float32, mp, kcb, r0, r1 int) {
	for pc := 0; pc < j.k; pc += kcb {
		kc := min(kcb, j.k-pc)
		im.packA(ap[mp*pc+r0*kc:], j.a[r0*j.lda+pc:], j.lda, r1-r0, kc, j.alpha)
	}
}

// stridedBlock computes the columns [j0, j0+nb) of C over the steps
// [pc, pc+kc) of k.
func (j *gemmJob) stridedBlock(im *impl, ws *workspace, ap []float32, mp, pc, kc, j0, nb int) {
	load := pc > 0 || j.beta != 0
	block := ap[mp*pc:]
	panel := growSlice(&ws.panel, kc*nr)
	for jr := j0; jr < j0+nb; jr += nr {
		w := min(nr, j0+nb-jr)
		b, ldb := j.b.b[pc*j.b.ldb+jr:], j.b.ldb
		var bias []float32
		if pc == 0 && j.bias != nil {
			bias = padTo(ws.bias[:], j.bias[jr:jr+w])
		}
		if w < nr {
			// The last columns: the kernel would read past the weight;
			// they go to the packed panel, zero-padded.
			for p := 0; p < kc; p++ {
				copy(panel[p*nr:p*nr+w], b[p*ldb:p*ldb+w])
				clear(panel[p*nr+w : (p+1)*nr])
			}
		}
		// The first panel of A reads B in place and leaves a packed copy in
		// L1 for the others.
		copied := w < nr
		// While the other panels of A are multiplied from L1, the next
		// micro-panel comes from memory, a share of its rows per panel.
		next := jr + nr
		share := 0
		if next+nr <= j0+nb && j.m > mr {
			share = ceilDiv(kc, ceilDiv(j.m, mr)-1)
		}
		for ir := 0; ir < j.m; ir += mr {
			if share > 0 && ir > 0 {
				r0 := (ir/mr - 1) * share
				if r0 < kc {
					im.prefetch(min(share, kc-r0), j.b.b[(pc+r0)*j.b.ldb+next:], j.b.ldb, nr)
				}
			}
			h := min(mr, j.m-ir)
			a := block[ir*kc:]
			c, ldc := j.c[ir*j.ldc+jr:], j.ldc
			full := h == mr && w == nr
			if !full {
				c, ldc = ws.tile[:], nr
			}
			switch {
			case copied:
				im.micro(kc, a, panel, c, ldc, bias, load && full)
			case ir+mr < j.m:
				im.microSC(kc, a, b, ldb, c, ldc, bias, load && full, panel)
				copied = true
			default:
				im.microS(kc, a, b, ldb, c, ldc, bias, load && full)
			}
			if !full {
				mergeTile(j.c[ir*j.ldc+jr:], j.ldc, ws.tile[:], h, w, load)
			}
		}
	}
}

// growSlice returns (*s)[:n], allocating when it is too short.
func growSlice(s *[]float32, n int) []float32 {
	if len(*s) < n {
		*s = make([]float32, n)
	}
	return (*s)[:n]
}

// microStridedGo is the portable strided micro-kernel: microGo on B rows
// ldb floats apart.
func microStridedGo(k int, a, b []float32, ldb int, c []float32, ldc int, bias []float32, load bool) {
	microStridedCopyGo(k, a, b, ldb, c, ldc, bias, load, nil)
}

// microStridedCopyGo is microStridedGo that also writes the steps of B to
// dst (unless nil), nr floats each.
func microStridedCopyGo(k int, a, b []float32, ldb int, c []float32, ldc int, bias []float32, load bool, dst []float32) {
	if dst != nil {
		for p := 0; p < k; p++ {
			copy(dst[p*nr:(p+1)*nr], b[p*ldb:p*ldb+nr])
		}
	}
	const kcb = 64
	var panel [kcb * nr]float32
	for p0 := 0; p0 < k; p0 += kcb {
		kc := min(kcb, k-p0)
		for p := 0; p < kc; p++ {
			copy(panel[p*nr:(p+1)*nr], b[(p0+p)*ldb:(p0+p)*ldb+nr])
		}
		if p0 > 0 {
			bias, load = nil, true
		}
		microGo(kc, a[p0*mr:], panel[:], c, ldc, bias, load)
	}
}
