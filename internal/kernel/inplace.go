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
// even if the panel of A then streams from L2.
var (
	inKC = 768
	inNC = 96
)

// Tile flags of the in-place kernels.
const (
	flagLoad    = 1 // add the tile to C instead of overwriting it
	flagScratch = 2 // write the tile to c as tn×tm floats, column j at c[j·tm]
)

// tileFunc computes the tn×tm tile c[i·ldc+j] = bias[j] + Σ_p a[p·tm+i]·w[j·ldw+p]
// for i < tm, j < tn, p < k; bias may be nil. flags as above.
type tileFunc func(k int, a, w []float32, ldw int, c []float32, ldc int, bias []float32, flags int)

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
		j.inPlaceColumns(im, ws, kern, tn, tm, ap, j0, min(nc, j.n-j0))
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
		j.inPlaceColumns(im, ws, kern, tn, tm, ap, j0, min(nc, j.n-j0))
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
func (j *gemmJob) inPlaceColumns(im *impl, ws *workspace, kern tileFunc, tn, tm int, ap []float32, j0, nb int) {
	kcb := j.kc
	if kcb == 0 {
		kcb = ceilDiv(j.k, ceilDiv(j.k, inKC))
	}
	for pc := 0; pc < j.k; pc += kcb {
		kc := min(kcb, j.k-pc)
		flags := 0
		if pc > 0 || j.beta != 0 {
			flags = flagLoad
		}
		for i0 := 0; i0 < j.m; i0 += tm {
			rows := min(tm, j.m-i0)
			a := ap[i0*j.k+pc*tm:]
			for jt := j0; jt < j0+nb; jt += tn {
				cols := min(tn, j0+nb-jt)
				w, ldw := j.weightTile(ws, tn, pc, kc, jt, cols)
				var bias []float32
				if pc == 0 && j.bias != nil {
					bias = padTo(ws.bias[:tn], j.bias[jt:jt+cols])
				}
				if rows == tm && cols == tn {
					kern(kc, a, w, ldw, j.c[i0*j.ldc+jt:], j.ldc, bias, flags)
					continue
				}
				tile := ws.tile[:tn*tm]
				kern(kc, a, w, ldw, tile, 0, bias, flagScratch)
				for i := 0; i < rows; i++ {
					c := j.c[(i0+i)*j.ldc+jt : (i0+i)*j.ldc+jt+cols]
					for x := range c {
						if flags&flagLoad != 0 {
							c[x] += tile[x*tm+i]
						} else {
							c[x] = tile[x*tm+i]
						}
					}
				}
			}
		}
	}
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
	return func(k int, a, w []float32, ldw int, c []float32, ldc int, bias []float32, flags int) {
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
		for i := 0; i < tm; i++ {
			row := c[i*ldc : i*ldc+tn]
			for x := range row {
				if flags&flagLoad != 0 {
					row[x] += acc[x*tm+i]
				} else {
					row[x] = acc[x*tm+i]
				}
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
