package kernel

import "cmp"

// Products read their right-hand operand (a weight: a Linear's out×in, a
// Conv1D's in×out, a tied embedding) where it lies, never copying it: the
// kernels broadcast its elements one at a time and multiply them by vectors
// of A, packed once per product so that each step of k is a few contiguous
// floats of consecutive rows. A tile of C is computed transposed, tn
// columns of C by tm rows, and transposed back as it is stored.
//
// The cores split the columns of C (the rows or columns of the weight), so
// each streams its own part of the weight from memory once; within a part,
// a block of the weight (inNC columns by inKC steps of k) stays in L2 while
// every tm-row panel of A passes over it from L1.

// Blocking of the in-place products: at most inKC steps of k per pass over
// C (k is split evenly), inNC columns of C per part, a multiple of both tile
// widths. Each pass over C reads and writes every tile, transposed, and a
// row of C may be 4 KiB or more from the next: fewer, longer passes win,
// even if the panel of A then streams from L2. Parts are kept small so
// that the cores finish a product together (48 columns: a BERT-base layer
// at seq 128 ran 6% faster on two cores than with 96).
var (
	inKC    = 768
	inNC    = 48
	inStage = 128 // rows of the staging block, a multiple of both tile heights
)

// Tile flags of the in-place kernels.
const (
	flagLoad    = 1 // add the tile to C instead of overwriting it
	flagScratch = 2 // write the tile to c as tn×tm floats, column j at c[j·tm]
	flagDirect  = 4 // write column j of the tile to row j of C, untransposed
)

// tileFunc computes the tn×tm tile c[i·ldc+j] = bias[j] + Σ_p a[p·tm+i]·w[j·ldw+p]
// for i < tm, j < tn, p < k (bias may be nil), then the n-1 tiles tn
// columns of C (tn rows of w) on; flags as above (with flagScratch, n is 1;
// with flagDirect the tile is c[j·ldc+i], and the next tn rows of C on).
type tileFunc func(k int, a, w []float32, ldw int, c []float32, ldc int, bias []float32, flags, n int)

// tileShape returns the tile for a product of m rows: 6×16 (two vectors of
// rows), or 12×8 for m ≤ 8, where a 16-row panel would be half padding.
func tileShape(m int) (tn, tm int) {
	if m <= 8 {
		return 12, 8
	}
	return 6, 16
}

// tile returns im's kernel for the shape.
func (im *impl) tile(tn int) tileFunc {
	if tn == 6 {
		return im.tile16
	}
	return im.tile8
}

// gemmInPlace runs j (B stored n×k, not packed, k > 0) on up to cores cores.
func gemmInPlace(im *impl, j *gemmJob, cores int) {
	tn, tm := tileShape(j.m)
	kern := im.tile(tn)
	ws := workspaces.get()
	defer workspaces.put(ws)
	n := roundUp(j.m, tm) * j.k
	if len(ws.shared) < n {
		ws.shared = make([]float32, n)
	}
	ap := ws.shared[:n]
	if j.beta != 0 {
		scaleRows(j.c, j.m, j.n, j.ldc, j.beta)
	}
	if cores > 1 {
		// The cores get a copy of the job: j stays on the caller's stack.
		shared := *j
		shared.inPlaceParallel(im, kern, tn, tm, ap, cores)
		return
	}
	for i0 := 0; i0 < j.m; i0 += tm {
		packPanel(im, ap, j, tm, i0)
	}
	nc := cmp.Or(j.nc, inNC)
	for j0 := 0; j0 < j.n; j0 += nc {
		j.inPlaceColumns(im, ws, kern, tn, tm, ap, j0, min(nc, j.n-j0), j0+nc)
	}
}

// inPlaceParallel packs A and computes C on up to cores cores.
func (j *gemmJob) inPlaceParallel(im *impl, kern tileFunc, tn, tm int, ap []float32, cores int) {
	onCores(cores, ceilDiv(j.m, tm), func(p int) { packPanel(im, ap, j, tm, p*tm) })
	nc := cmp.Or(j.nc, inNC)
	onCores(cores, ceilDiv(j.n, nc), func(p int) {
		ws := workspaces.get()
		defer workspaces.put(ws)
		j0 := p * nc
		// The core that took this part will likely take the one cores
		// parts on.
		j.inPlaceColumns(im, ws, kern, tn, tm, ap, j0, min(nc, j.n-j0), j0+cores*nc)
	})
}

// packPanel packs rows [i0, i0+tm) of alpha·A (zeros past the last row) into
// panel i0/tm of ap: ap[i0·k + p·tm + i] = alpha·A[i0+i][p].
func packPanel(im *impl, ap []float32, j *gemmJob, tm, i0 int) {
	k := j.k
	dst := ap[i0*k : (i0+tm)*k]
	k8 := k &^ 7
	for g := 0; g < tm; g += 8 {
		r0 := i0 + g
		rows := min(8, j.m-r0)
		if rows == 8 && k8 > 0 {
			im.packRows8(k8, j.a[r0*j.lda:], j.lda, dst[g:], tm, j.alpha)
		}
		for i := 0; i < 8; i++ {
			p0 := 0
			if rows == 8 {
				p0 = k8
			}
			for p := p0; p < k; p++ {
				var v float32
				if i < rows {
					v = j.alpha * j.a[(r0+i)*j.lda+p]
				}
				dst[p*tm+g+i] = v
			}
		}
	}
}

// inPlaceColumns computes the columns [j0, j0+nb) of C from the packed A.
// When rows of C are a multiple of 4 KiB apart (or the tiles overhang C),
// the tiles go to a staging block of inStage rows, whose rows are a few
// lines apart, and from there to C a whole row at a time: stored straight
// to C, the sixteen rows of a tile would all fall in one set of L1 (this
// cost 10% of a product with rows 12 KiB apart).
//
// While the panels of A after the first multiply a block of the weight
// from L2, the next block (the next steps of k, or the columns from next)
// comes from memory, a few rows for each tile.
func (j *gemmJob) inPlaceColumns(im *impl, ws *workspace, kern tileFunc, tn, tm int, ap []float32, j0, nb, next int) {
	kcb := j.kc
	if kcb == 0 {
		kcb = ceilDiv(j.k, ceilDiv(j.k, inKC))
	}
	ldS := roundUp(nb, tn)
	full := nb / tn // tiles read straight from the weight
	panels := ceilDiv(j.m, tm)
	group := roundUp(j.m, tm)
	var stage []float32
	staged := conflicting(j.ldc) || j.m%tm != 0 || nb%tn != 0
	if staged {
		group = inStage
		stage = growSlice(&ws.stage, inStage*ldS)
	}
	for g0 := 0; g0 < j.m; g0 += group {
		g1 := min(g0+group, j.m)
		for pc := 0; pc < j.k; pc += kcb {
			kc := min(kcb, j.k-pc)
			flags := flagLoad
			var bias []float32
			if pc == 0 {
				flags = 0
				if j.bias != nil {
					bias = padTo(growSlice(&ws.biasPad, ldS), j.bias[j0:j0+nb])
				}
			}
			// The next block: rows [nj, nj+nrows) of the weight, steps
			// [npc, npc+nkc), a share of its rows for each panel of A
			// after the first.
			nj, nrows, npc, nkc := j0, nb, pc+kc, min(kcb, j.k-pc-kc)
			if npc >= j.k {
				nj, nrows, npc, nkc = next, min(nb, j.n-next), 0, min(kcb, j.k)
			}
			share := 0
			if panels > 1 && nrows > 0 {
				share = ceilDiv(nrows, panels-1)
			}
			for i0 := g0; i0 < g1; i0 += tm {
				if r := (i0/tm - 1) * share; i0 > 0 && share > 0 && r < nrows {
					im.prefetch(min(share, nrows-r), j.b.b[(nj+r)*j.b.ldb+npc:], j.b.ldb, nkc)
				}
				a := ap[i0*j.k+pc*tm:]
				c, ldc := j.c[i0*j.ldc+j0:], j.ldc
				if staged {
					c, ldc = stage[(i0-g0)*ldS:], ldS
				} else if j.beta != 0 {
					flags = flagLoad
				}
				if full > 0 {
					kern(kc, a, j.b.b[j0*j.b.ldb+pc:], j.b.ldb, c, ldc, bias, flags, full)
				}
				if jt := full * tn; jt < nb {
					w, ldw := j.weightTile(ws, tn, pc, kc, j0+jt, nb-jt)
					var bs []float32
					if bias != nil {
						bs = bias[jt : jt+tn]
					}
					kern(kc, a, w, ldw, c[jt:], ldc, bs, flags, 1)
				}
			}
		}
		for i := g0; i < g1 && staged; i++ {
			dst := j.c[i*j.ldc+j0 : i*j.ldc+j0+nb]
			src := stage[(i-g0)*ldS : (i-g0)*ldS+nb]
			if j.beta != 0 {
				im.add(dst, src)
			} else {
				copy(dst, src)
			}
		}
	}
}

// conflicting reports whether the rows of a matrix ld floats apart fall in
// fewer than four sets of a 64-set L1 cache of 64-byte lines.
func conflicting(ld int) bool {
	s := ld * 4 / 64 % 64
	g := 64
	if s != 0 {
		g = gcd(s, 64)
	}
	return ld*4%64 == 0 && 64/g < 4
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// weightTile returns the rows [jt, jt+tn) of the weight from step pc, and
// their stride. When fewer than tn rows are left, the kernel would read past
// the weight: they are copied to ws.pad, with rows of zeros.
func (j *gemmJob) weightTile(ws *workspace, tn, pc, kc, jt, cols int) ([]float32, int) {
	b, ldb := j.b.b, j.b.ldb
	if cols == tn {
		return b[jt*ldb+pc:], ldb
	}
	if len(ws.pad) < tn*kc {
		ws.pad = make([]float32, tn*max(kc, inKC))
	}
	pad := ws.pad[:tn*kc]
	clear(pad)
	for c := 0; c < cols; c++ {
		copy(pad[c*kc:(c+1)*kc], b[(jt+c)*ldb+pc:])
	}
	return pad, kc
}

// padTo copies src into dst, zero-padded, unless they have the same length.
func padTo(dst, src []float32) []float32 {
	if len(src) == len(dst) {
		return src
	}
	clear(dst)
	copy(dst, src)
	return dst
}

// tileGo returns the portable kernel of a tn×tm tile.
func tileGo(tn, tm int) tileFunc {
	one := func(k int, a, w []float32, ldw int, c []float32, ldc int, bias []float32, flags int) {
		var acc [96]float32 // tn·tm
		for x := 0; x < tn; x++ {
			var b float32
			if bias != nil {
				b = bias[x]
			}
			for i := 0; i < tm; i++ {
				acc[x*tm+i] = b
			}
		}
		for p := 0; p < k; p++ {
			ap := a[p*tm : p*tm+tm]
			for x := 0; x < tn; x++ {
				wv := w[x*ldw+p]
				col := acc[x*tm : x*tm+tm]
				for i, v := range ap {
					col[i] += v * wv
				}
			}
		}
		if flags&flagScratch != 0 {
			copy(c[:tn*tm], acc[:tn*tm])
			return
		}
		load := flags&flagLoad != 0
		if flags&flagDirect != 0 {
			for x := 0; x < tn; x++ {
				row := c[x*ldc : x*ldc+tm]
				for i := range row {
					put(&row[i], acc[x*tm+i], load)
				}
			}
			return
		}
		for i := 0; i < tm; i++ {
			row := c[i*ldc : i*ldc+tn]
			for x := range row {
				put(&row[x], acc[x*tm+i], load)
			}
		}
	}
	return func(k int, a, w []float32, ldw int, c []float32, ldc int, bias []float32, flags, n int) {
		for t := 0; t < n; t++ {
			var bs []float32
			if bias != nil {
				bs = bias[t*tn:]
			}
			if flags&flagDirect != 0 {
				one(k, a, w[t*tn*ldw:], ldw, c[t*tn*ldc:], ldc, bs, flags)
			} else {
				one(k, a, w[t*tn*ldw:], ldw, c[t*tn:], ldc, bs, flags)
			}
		}
	}
}

// packRows8Go sets dst[p·stride+i] = alpha·a[i·lda+p] for i < 8, p < k.
func packRows8Go(k int, a []float32, lda int, dst []float32, stride int, alpha float32) {
	for i := 0; i < 8; i++ {
		row := a[i*lda : i*lda+k]
		for p, v := range row {
			dst[p*stride+i] = alpha * v
		}
	}
}

// put sets *c to v, or adds v to it when load is true.
func put(c *float32, v float32, load bool) {
	if load {
		*c += v
		return
	}
	*c = v
}
