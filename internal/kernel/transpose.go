package kernel

import "fmt"

// transposeTile is the side of the square blocks Transpose moves at once:
// a block's source and destination rows stay in L1.
const transposeTile = 32

// Transpose sets dst (cols×rows, row-major) to the transpose of src
// (rows×cols, row-major), in blocks spread over the cores. Models use it
// once at load, to store a weight in the layout their products read
// fastest.
func Transpose(dst, src []float32, rows, cols int) {
	if rows < 0 || cols < 0 || len(src) < rows*cols || len(dst) < rows*cols {
		panic(fmt.Sprintf("kernel: Transpose of %dx%d with src %d and dst %d values", rows, cols, len(src), len(dst)))
	}
	Parallel(ceilDiv(rows, transposeTile), func(lo, hi int) {
		for r0 := lo * transposeTile; r0 < min(hi*transposeTile, rows); r0 += transposeTile {
			r1 := min(r0+transposeTile, rows)
			for c0 := 0; c0 < cols; c0 += transposeTile {
				transposeBlock(dst, src, rows, cols, r0, r1, c0, min(c0+transposeTile, cols))
			}
		}
	})
}

// transposeBlock moves src[r0:r1][c0:c1] to dst[c0:c1][r0:r1], eight
// source rows at a time.
func transposeBlock(dst, src []float32, rows, cols, r0, r1, c0, c1 int) {
	r := r0
	n := c1 - c0
	for ; r+8 <= r1; r += 8 {
		b := r*cols + c0
		s0, s1, s2, s3 := src[b:b+n], src[b+cols:b+cols+n], src[b+2*cols:b+2*cols+n], src[b+3*cols:b+3*cols+n]
		b += 4 * cols
		s4, s5, s6, s7 := src[b:b+n], src[b+cols:b+cols+n], src[b+2*cols:b+2*cols+n], src[b+3*cols:b+3*cols+n]
		for j, v := range s0 {
			o := (c0+j)*rows + r
			d := dst[o : o+8 : o+8]
			d[0], d[1], d[2], d[3] = v, s1[j], s2[j], s3[j]
			d[4], d[5], d[6], d[7] = s4[j], s5[j], s6[j], s7[j]
		}
	}
	for ; r < r1; r++ {
		for j, v := range src[r*cols+c0 : r*cols+c1] {
			dst[(c0+j)*rows+r] = v
		}
	}
}
