package kernel

// packA copies the rows×kc block of A at a (row stride lda), times alpha,
// into dst as micro-panels of mr rows: dst[panel·kc·mr + p·mr + r]. Rows past
// the block are zero.
func packA(dst []float32, a []float32, lda, rows, kc int, alpha float32) {
	for i0 := 0; i0 < rows; i0 += mr {
		d := dst[i0*kc : (i0+mr)*kc]
		h := min(mr, rows-i0)
		for r := 0; r < mr; r++ {
			if r >= h {
				for p := 0; p < kc; p++ {
					d[p*mr+r] = 0
				}
				continue
			}
			src := a[(i0+r)*lda : (i0+r)*lda+kc]
			if alpha == 1 {
				for p, v := range src {
					d[p*mr+r] = v
				}
			} else {
				for p, v := range src {
					d[p*mr+r] = alpha * v
				}
			}
		}
	}
}

// packB copies the kc×cols block of op(B) starting at row p0 and column j0
// into dst as micro-panels of nr columns: dst[panel·kc·nr + p·nr + j].
// Columns past the block are zero.
func packB(dst []float32, b []float32, ldb int, trans bool, p0, j0, kc, cols int) {
	for jp := 0; jp < cols; jp += nr {
		d := dst[jp*kc : (jp+nr)*kc]
		w := min(nr, cols-jp)
		if trans {
			packBTrans(d, b, ldb, p0, j0+jp, kc, w)
		} else {
			packBPlain(d, b, ldb, p0, j0+jp, kc, w)
		}
	}
}

// packBPlain packs one panel of a k×n row-major B: nr contiguous floats a row.
func packBPlain(d, b []float32, ldb, p0, j, kc, w int) {
	for p := 0; p < kc; p++ {
		row := b[(p0+p)*ldb+j : (p0+p)*ldb+j+w]
		dp := d[p*nr : p*nr+nr]
		copy(dp, row)
		clear(dp[w:])
	}
}

// packBTrans packs one panel of B stored n×k: column j of op(B) is row j of b.
func packBTrans(d, b []float32, ldb, p0, j, kc, w int) {
	for c := 0; c < nr; c++ {
		if c >= w {
			for p := 0; p < kc; p++ {
				d[p*nr+c] = 0
			}
			continue
		}
		src := b[(j+c)*ldb+p0 : (j+c)*ldb+p0+kc]
		for p, v := range src {
			d[p*nr+c] = v
		}
	}
}
