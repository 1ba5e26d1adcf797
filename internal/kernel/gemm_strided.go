package kernel

import "cmp"

// Products with a weight stored k×n (GPT-2's Conv1D, in×out) and more than
// one row read it in place too: the micro-kernel takes each step's nr
// floats of B straight from a row of the weight, ldb floats from the last.
// The rows are often a multiple of 4 KiB apart, so that a micro-panel of B
// (kc rows of nr floats) falls in a few sets of the caches: kc is kept
// short, so that it stays in L2 for every panel of A that reads it after
// the first.

// Blocking of the strided products: steps of k per pass over C, and
// columns of C per part (a multiple of nr).
var (
	stridedKC = 256
	stridedNC = 96
)

// gemmStrided runs j (B k×n, not packed, k > 0) on up to cores cores.
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
		for j0 := 0; j0 < j.n; j0 += stridedNC {
			j.stridedColumns(im, ws, ap, mp, kcb, j0, min(stridedNC, j.n-j0))
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
	onCores(cores, ceilDiv(j.n, nc), func(p int) {
		ws := workspaces.get()
		defer workspaces.put(ws)
		j0 := p * nc
		j.stridedColumns(im, ws, ap, mp, kcb, j0, min(nc, j.n-j0))
	})
}

// packStrided packs rows [r0, r1) of alpha·A, in every block of kcb steps.
func (j *gemmJob) packStrided(im *impl, ap []float32, mp, kcb, r0, r1 int) {
	for pc := 0; pc < j.k; pc += kcb {
		kc := min(kcb, j.k-pc)
		im.packA(ap[mp*pc+r0*kc:], j.a[r0*j.lda+pc:], j.lda, r1-r0, kc, j.alpha)
	}
}

// stridedColumns computes the columns [j0, j0+nb) of C.
func (j *gemmJob) stridedColumns(im *impl, ws *workspace, ap []float32, mp, kcb, j0, nb int) {
	for pc := 0; pc < j.k; pc += kcb {
		kc := min(kcb, j.k-pc)
		load := pc > 0 || j.beta != 0
		block := ap[mp*pc:]
		for jr := j0; jr < j0+nb; jr += nr {
			w := min(nr, j0+nb-jr)
			b, ldb := j.b.b[pc*j.b.ldb+jr:], j.b.ldb
			var bias []float32
			if pc == 0 && j.bias != nil {
				bias = padTo(ws.bias[:], j.bias[jr:jr+w])
			}
			if w < nr {
				// The last columns: the kernel would read past the weight.
				pad := ws.pad[:0]
				for p := 0; p < kc; p++ {
					pad = append(pad, b[p*ldb:p*ldb+w]...)
					pad = append(pad, make([]float32, nr-w)...)
				}
				ws.pad = pad
				b, ldb = pad, nr
			}
			for ir := 0; ir < j.m; ir += mr {
				h := min(mr, j.m-ir)
				a := block[ir*kc:]
				c := j.c[ir*j.ldc+jr:]
				if h == mr && w == nr {
					im.microS(kc, a, b, ldb, c, j.ldc, bias, load)
					continue
				}
				im.microS(kc, a, b, ldb, ws.tile[:], nr, bias, false)
				mergeTile(c, j.ldc, ws.tile[:], h, w, load)
			}
		}
	}
}

// microStridedGo is the portable strided micro-kernel: microGo on B rows
// ldb floats apart.
func microStridedGo(k int, a, b []float32, ldb int, c []float32, ldc int, bias []float32, load bool) {
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
