package kernel

import "fmt"

// transposeTile is the side of the square blocks Transpose moves at once:
// a block's source and destination rows stay in L1.
const transposeTile = 32

// transposeOuter is the side of the blocks the cores take, each moved in
// tiles. At load the weights come cold from memory and their destination
// is freshly mapped: a block reads and writes 2 KiB of each of its rows
// (sequential runs the prefetchers follow) and faults in the pages of
// 512 destination rows only, where bands of 32 whole rows touched every
// page of the destination in every band: the twelve blocks of GPT-2 small
// load in 240 ms instead of 335 (BenchmarkLoadModel in models/gpt2).
const transposeOuter = 512

// Transpose sets dst (cols×rows, row-major) to the transpose of src
// (rows×cols, row-major), in blocks the cores take as they come. Models
// use it once at load, to store a weight in the layout their products read
// fastest.
func Transpose(dst, src []float32, rows, cols int) {
	if rows < 0 || cols < 0 || len(src) < rows*cols || len(dst) < rows*cols {
		panic(fmt.Sprintf("kernel: Transpose of %dx%d with src %d and dst %d values", rows, cols, len(src), len(dst)))
	}
	bands, blocks := ceilDiv(rows, transposeOuter), ceilDiv(cols, transposeOuter)
	Parallel(bands*blocks, func(lo, hi int) {
		for p := lo; p < hi; p++ {
			R0, C0 := p/blocks*transposeOuter, p%blocks*transposeOuter
			R1, C1 := min(R0+transposeOuter, rows), min(C0+transposeOuter, cols)
			for r0 := R0; r0 < R1; r0 += transposeTile {
				for c0 := C0; c0 < C1; c0 += transposeTile {
					transposeBlock(dst, src, rows, cols, r0, min(r0+transposeTile, R1), c0, min(c0+transposeTile, C1))
				}
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
