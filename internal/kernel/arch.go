package kernel

// impl is one implementation of the inner loops: the portable Go one, or the
// AVX2/FMA assembly one where the CPU has it.
type impl struct {
	name string
	// micro computes the mr×nr tile at c (row stride ldc) from k steps of
	// packed panels of A (mr floats a step) and B (nr floats a step),
	// starting from bias (nr floats, for every row) when not nil and adding
	// to the tile when load is true.
	micro func(k int, a, b, c []float32, ldc int, bias []float32, load bool)
	// microS is micro with B read in place, its steps ldb floats apart;
	// microSC also writes them to dst as a packed panel.
	microS  func(k int, a, b []float32, ldb int, c []float32, ldc int, bias []float32, load bool)
	microSC func(k int, a, b []float32, ldb int, c []float32, ldc int, bias []float32, load bool, dst []float32)
	// prefetch fetches n floats of each of rows rows of b, ld floats
	// apart, into L2 (a no-op in Go).
	prefetch func(rows int, b []float32, ld, n int)
	// packA and packB lay blocks of A and B out as micro-panels (pack.go).
	packA func(dst []float32, a []float32, lda, rows, kc int, alpha float32)
	packB func(dst []float32, b []float32, ldb int, trans bool, p0, j0, kc, cols int)
	// dot4, axpy4 and panel are the inner loops of Gemv (gemv.go).
	dot4  func(k int, x, b []float32, ldb int, out *[4]float32)
	axpy4 func(n int, x *[4]float32, b []float32, ldb int, y []float32)
	panel func(k int, x, panel []float32, out *[nr]float32)
	// dots sets out[4r+t] to the dot product of row t of A with row r of
	// B, for t < 4 and r < 3: the inner loop of products of a few rows
	// (gemm_dots.go).
	dots func(k int, a []float32, lda int, b []float32, ldb int, out *[12]float32)
	// The kernels of products that read a weight stored n×k in place
	// (inplace.go), 6×16 and 12×8 tiles, and the packer of eight rows of A.
	tile16, tile8 tileFunc
	packRows8     func(k int, a []float32, lda int, dst []float32, stride int, alpha float32)
	// The loops of the row passes (vec.go).
	sum      func(x []float32) float32
	sumSqDev func(x []float32, m float32) float32
	addSum   func(x, r []float32) float32
	max      func(x []float32) float32
	norm     func(dst, x []float32, m, inv float32, gamma, beta []float32)
	expSub   func(x []float32, m float32) float32
	scale    func(x []float32, s float32)
	add      func(dst, src []float32)
	gelu     func(x []float32)
	gate     func(x []float32, a, b float32)
}

// Sizes of the micro-tile and of the cache blocks (see gemm_serial.go).
// 4×24 uses the sixteen YMM registers as well as 6×16 and divides the
// shapes of BERT and GPT-2 (rows in multiples of 4, widths of 768) exactly.
const (
	mr = 4
	nr = 24
)

var goImpl = &impl{name: "go", micro: microGo, microS: microStridedGo, microSC: microStridedCopyGo, prefetch: func(int, []float32, int, int) {}, packA: packA, packB: packB,
	dot4: dot4Go, axpy4: axpy4Go, panel: panelGo, dots: dotsGo,
	tile16: tileGo(6, 16), tile8: tileGo(12, 8), packRows8: packRows8Go,
	sum: sumGo, sumSqDev: sumSqDevGo, addSum: addSumGo, max: maxGo, norm: normGo,
	expSub: expSubGo, scale: scaleGo, add: addGo, gelu: geluGo, gate: gateGo}

// best is the fastest implementation this CPU runs; arch_amd64.go replaces
// it at init when the CPU has AVX2 and FMA.
var best = goImpl

// impls lists the implementations this CPU can run, the portable one first.
func impls() []*impl {
	if best == goImpl {
		return []*impl{goImpl}
	}
	return []*impl{goImpl, best}
}

// microGo is the portable micro-kernel: 2×4 register blocks over the mr×nr
// tile, one pass over the packed panels for each.
func microGo(k int, a, b, c []float32, ldc int, bias []float32, load bool) {
	a = a[:k*mr]
	b = b[:k*nr]
	_ = c[(mr-1)*ldc+nr-1]
	for i := 0; i < mr; i += 2 {
		for j := 0; j < nr; j += 4 {
			var s00, s01, s02, s03, s10, s11, s12, s13 float32
			if bias != nil {
				bj := bias[j : j+4 : j+4]
				s00, s01, s02, s03 = bj[0], bj[1], bj[2], bj[3]
				s10, s11, s12, s13 = bj[0], bj[1], bj[2], bj[3]
			}
			for p := 0; p < k; p++ {
				ap := a[p*mr+i : p*mr+i+2 : p*mr+i+2]
				bp := b[p*nr+j : p*nr+j+4 : p*nr+j+4]
				a0, a1 := ap[0], ap[1]
				b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
				s00 += a0 * b0
				s01 += a0 * b1
				s02 += a0 * b2
				s03 += a0 * b3
				s10 += a1 * b0
				s11 += a1 * b1
				s12 += a1 * b2
				s13 += a1 * b3
			}
			r0 := c[i*ldc+j : i*ldc+j+4 : i*ldc+j+4]
			r1 := c[(i+1)*ldc+j : (i+1)*ldc+j+4 : (i+1)*ldc+j+4]
			if load {
				s00 += r0[0]
				s01 += r0[1]
				s02 += r0[2]
				s03 += r0[3]
				s10 += r1[0]
				s11 += r1[1]
				s12 += r1[2]
				s13 += r1[3]
			}
			r0[0], r0[1], r0[2], r0[3] = s00, s01, s02, s03
			r1[0], r1[1], r1[2], r1[3] = s10, s11, s12, s13
		}
	}
}
