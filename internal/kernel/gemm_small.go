package kernel

// Products with few rows and B stored n×k (a Linear weight) are dominated
// by reading B: packing it would read it, write it and read it again. They
// take dot products of rows of A with rows of B in place instead, da×db at
// a time, streaming B once.

// smallM is the largest m that reads B in place.
const smallM = 16

// Tile of the dot-product kernel: da rows of A by db rows of B.
const (
	da = 4
	db = 3
)

// dotsGo sets out[i·db+j] = Σ_p a[i·lda+p]·b[j·ldb+p].
func dotsGo(k int, a []float32, lda int, b []float32, ldb int, out *[da * db]float32) {
	for i := 0; i < da; i++ {
		ar := a[i*lda : i*lda+k]
		for j := 0; j < db; j++ {
			br := b[j*ldb : j*ldb+k]
			var s0, s1 float32
			p := 0
			for ; p+1 < k; p += 2 {
				s0 += ar[p] * br[p]
				s1 += ar[p+1] * br[p+1]
			}
			if p < k {
				s0 += ar[p] * br[p]
			}
			out[i*db+j] = s0 + s1
		}
	}
}

// gemmDots runs a job with B stored n×k by dot products. Rows of A and B
// past the edges are replaced by padded copies in ws.
func gemmDots(im *impl, ws *workspace, j *gemmJob) {
	k := j.k
	if len(ws.a) < da*k {
		ws.a = make([]float32, da*k)
	}
	if len(ws.b) < db*k {
		ws.b = make([]float32, db*k)
	}
	out := &ws.dots
	for jb := 0; jb < j.n; jb += db {
		w := min(db, j.n-jb)
		b, ldb := j.b.b[jb*j.b.ldb:], j.b.ldb
		if w < db {
			b, ldb = padRows(ws.b, b, ldb, w, db, k), k
		}
		for ib := 0; ib < j.m; ib += da {
			h := min(da, j.m-ib)
			a, lda := j.a[ib*j.lda:], j.lda
			if h < da {
				a, lda = padRows(ws.a, a, lda, h, da, k), k
			}
			im.dots(k, a, lda, b, ldb, out)
			j.storeDots(out, ib, jb, h, w)
		}
	}
}

// padRows copies rows×k of src (stride ld) into dst and zeroes the rows up
// to total.
func padRows(dst, src []float32, ld, rows, total, k int) []float32 {
	for r := 0; r < rows; r++ {
		copy(dst[r*k:(r+1)*k], src[r*ld:r*ld+k])
	}
	clear(dst[rows*k : total*k])
	return dst[:total*k]
}

// storeDots writes the h×w corner of a dot-product tile into C at (ib, jb),
// adding to C (already scaled by beta) unless beta is 0.
func (j *gemmJob) storeDots(out *[da * db]float32, ib, jb, h, w int) {
	for i := 0; i < h; i++ {
		c := j.c[(ib+i)*j.ldc+jb : (ib+i)*j.ldc+jb+w]
		for x := range c {
			v := j.alpha * out[i*db+x]
			if j.beta != 0 {
				v += c[x]
			}
			if j.bias != nil {
				v += j.bias[jb+x]
			}
			c[x] = v
		}
	}
}
