//go:build amd64 && !purego

package kernel

import "golang.org/x/sys/cpu"

//go:generate go run -C _asm . -out ../kernel_amd64.s -stubs ../kernel_amd64_stub.go -pkg kernel

var avx2Impl = &impl{name: "avx2", micro: microAVX2, microS: microStridedAVX2, microSC: microStridedCopyAVX2, prefetch: prefetchAVX2, packA: packAAVX2, packB: packBAVX2,
	dot4: dot4AVX2, axpy4: axpy4AVX2, panel: panelAVX2, dots: dotsAVX2,
	tile16: tileAVX2(6, 16, inPlaceT6x16AVX2), tile8: tileAVX2(12, 8, inPlaceT12x8AVX2OrHalves),
	packRows8: packRows8AVX2Go,
	sum:       sumAVX2, sumSqDev: sumSqDevAVX2, addSum: addSumAVX2, max: maxAVX2, norm: normAVX2,
	expSub: expSubAVX2, scale: scaleAVX2, add: addAVX2, gelu: geluAVX2, gate: gateAVX2}

func init() {
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		best = avx2Impl
	}
}

func microAVX2(k int, a, b, c []float32, ldc int, bias []float32, load bool) {
	_ = a[k*mr-1]
	_ = b[k*nr-1]
	_ = c[(mr-1)*ldc+nr-1]
	var pb *float32
	if bias != nil {
		_ = bias[nr-1]
		pb = &bias[0]
	}
	gemmKernel4x24AVX2(k, &a[0], &b[0], &c[0], ldc, pb, load)
}

func microStridedAVX2(k int, a, b []float32, ldb int, c []float32, ldc int, bias []float32, load bool) {
	_ = a[k*mr-1]
	_ = b[(k-1)*ldb+nr-1]
	_ = c[(mr-1)*ldc+nr-1]
	var pb *float32
	if bias != nil {
		_ = bias[nr-1]
		pb = &bias[0]
	}
	gemmKernel4x24StridedAVX2(k, &a[0], &b[0], ldb, &c[0], ldc, pb, load)
}

func microStridedCopyAVX2(k int, a, b []float32, ldb int, c []float32, ldc int, bias []float32, load bool, dst []float32) {
	_ = a[k*mr-1]
	_ = b[(k-1)*ldb+nr-1]
	_ = c[(mr-1)*ldc+nr-1]
	_ = dst[k*nr-1]
	var pb *float32
	if bias != nil {
		_ = bias[nr-1]
		pb = &bias[0]
	}
	gemmKernel4x24StridedCopyAVX2(k, &a[0], &b[0], ldb, &c[0], ldc, pb, load, &dst[0])
}

func prefetchAVX2(rows int, b []float32, ld, n int) {
	_ = b[(rows-1)*ld+n-1]
	prefetchRowsAVX2(rows, &b[0], ld, n)
}

// packAAVX2 is packA with full panels of 8-step multiples done in assembly.
func packAAVX2(dst []float32, a []float32, lda, rows, kc int, alpha float32) {
	k8 := kc &^ 7
	if k8 == 0 || rows < mr {
		packA(dst, a, lda, rows, kc, alpha)
		return
	}
	full := rows / mr * mr
	for i0 := 0; i0 < full; i0 += mr {
		d := dst[i0*kc : (i0+mr)*kc]
		src := a[i0*lda : (i0+mr-1)*lda+kc]
		packA4AVX2(k8, &src[0], lda, &d[0], alpha)
		for p := k8; p < kc; p++ {
			for r := 0; r < mr; r++ {
				d[p*mr+r] = alpha * src[r*lda+p]
			}
		}
	}
	if full < rows {
		packA(dst[full*kc:], a[full*lda:], lda, rows-full, kc, alpha)
	}
}

// packBAVX2 is packB with full transposed panels done in assembly.
func packBAVX2(dst []float32, b []float32, ldb int, trans bool, p0, j0, kc, cols int) {
	if !trans {
		full := cols / nr * nr
		if full > 0 && kc > 0 {
			_ = dst[full*kc-1]
			src := b[p0*ldb+j0 : (p0+kc-1)*ldb+j0+full]
			packBPlain24AVX2(kc, full/nr, &src[0], ldb, &dst[0])
		}
		if full < cols {
			packB(dst[full*kc:], b, ldb, trans, p0, j0+full, kc, cols-full)
		}
		return
	}
	k8 := kc &^ 7
	if k8 == 0 {
		packB(dst, b, ldb, trans, p0, j0, kc, cols)
		return
	}
	full := cols / nr * nr
	for jp := 0; jp < full; jp += nr {
		d := dst[jp*kc : (jp+nr)*kc]
		src := b[(j0+jp)*ldb+p0 : (j0+jp+nr-1)*ldb+p0+kc]
		packBTrans24AVX2(k8, &src[0], ldb, &d[0])
		for c := 0; c < nr; c++ {
			for p := k8; p < kc; p++ {
				d[p*nr+c] = src[c*ldb+p]
			}
		}
	}
	if full < cols {
		packB(dst[full*kc:], b, ldb, trans, p0, j0+full, kc, cols-full)
	}
}

func dot4AVX2(k int, x, b []float32, ldb int, out *[4]float32) {
	k8 := k &^ 7
	if k8 == 0 {
		dot4Go(k, x, b, ldb, out)
		return
	}
	_ = x[k-1]
	_ = b[3*ldb+k-1]
	gemvDot4AVX2(k8, &x[0], &b[0], ldb, out)
	for r := range out {
		for p := k8; p < k; p++ {
			out[r] += x[p] * b[r*ldb+p]
		}
	}
}

func axpy4AVX2(n int, x *[4]float32, b []float32, ldb int, y []float32) {
	n8 := n &^ 7
	if n8 > 0 {
		_ = y[n8-1]
		_ = b[3*ldb+n8-1]
		gemvAxpy4AVX2(n8, x, &b[0], ldb, &y[0])
	}
	if n8 < n {
		axpy4Go(n-n8, x, b[n8:], ldb, y[n8:])
	}
}

func panelAVX2(k int, x, panel []float32, out *[nr]float32) {
	if k == 0 {
		clear(out[:])
		return
	}
	_ = x[k-1]
	_ = panel[k*nr-1]
	gemvPanel24AVX2(k, &x[0], &panel[0], out)
}

// split8 cuts x into the part the assembly handles (a multiple of 8 long)
// and the tail.
func split8(x []float32) (head, tail []float32) {
	n := len(x) &^ 7
	return x[:n], x[n:]
}

func sumAVX2(x []float32) float32 {
	h, t := split8(x)
	return vsumAVX2(h) + sumGo(t)
}

func sumSqDevAVX2(x []float32, m float32) float32 {
	h, t := split8(x)
	return vsumSqDevAVX2(h, m) + sumSqDevGo(t, m)
}

func addSumAVX2(x, r []float32) float32 {
	h, t := split8(x)
	r = r[:len(x)]
	return vaddSumAVX2(h, r) + addSumGo(t, r[len(h):])
}

func maxAVX2(x []float32) float32 {
	h, t := split8(x)
	if len(h) == 0 {
		return maxGo(x)
	}
	m := vmaxAVX2(h)
	if len(t) > 0 {
		m = max(m, maxGo(t))
	}
	return m
}

func normAVX2(dst, x []float32, m, inv float32, gamma, beta []float32) {
	h, t := split8(dst)
	x, gamma, beta = x[:len(dst)], gamma[:len(dst)], beta[:len(dst)]
	vnormAVX2(h, x, m, inv, gamma, beta)
	normGo(t, x[len(h):], m, inv, gamma[len(h):], beta[len(h):])
}

func expSubAVX2(x []float32, m float32) float32 {
	h, t := split8(x)
	return vexpSubAVX2(h, m) + expSubGo(t, m)
}

func scaleAVX2(x []float32, s float32) {
	h, t := split8(x)
	vscaleAVX2(h, s)
	scaleGo(t, s)
}

func addAVX2(dst, src []float32) {
	h, t := split8(dst)
	src = src[:len(dst)]
	vaddAVX2(h, src)
	addGo(t, src[len(h):])
}

func geluAVX2(x []float32) {
	h, t := split8(x)
	vgeluAVX2(h)
	geluGo(t)
}

func gateAVX2(x []float32, a, b float32) {
	h, t := split8(x)
	vgateAVX2(h, a, b)
	gateGo(t, a, b)
}

// tileAVX2 wraps an in-place kernel, checking the extent of its operands.
func tileAVX2(tn, tm int, asm func(k int, a, w *float32, ldw int, c *float32, ldc int, bias *float32, flags, n int)) tileFunc {
	return func(k int, a, w []float32, ldw int, c []float32, ldc int, bias []float32, flags, n int) {
		_ = a[k*tm-1]
		_ = w[(n*tn-1)*ldw+k-1]
		switch {
		case flags&flagScratch != 0:
			if n != 1 {
				panic("kernel: scratch tiles one at a time")
			}
			_ = c[tn*tm-1]
		case flags&flagDirect != 0:
			_ = c[(n*tn-1)*ldc+tm-1]
		default:
			_ = c[(tm-1)*ldc+n*tn-1]
		}
		var pb *float32
		if bias != nil {
			_ = bias[n*tn-1]
			pb = &bias[0]
		}
		asm(k, &a[0], &w[0], ldw, &c[0], ldc, pb, flags, n)
	}
}

func packRows8AVX2Go(k int, a []float32, lda int, dst []float32, stride int, alpha float32) {
	_ = a[7*lda+k-1]
	_ = dst[(k-1)*stride+7]
	packRows8AVX2(k, &a[0], lda, &dst[0], stride, alpha)
}

func dotsAVX2(k int, a []float32, lda int, b []float32, ldb int, out *[12]float32) {
	k8 := k &^ 7
	if k8 == 0 {
		dotsGo(k, a, lda, b, ldb, out)
		return
	}
	_ = a[3*lda+k-1]
	_ = b[2*ldb+k-1]
	gemmDots4x3AVX2(k8, &a[0], lda, &b[0], ldb, out)
	for r := range 3 {
		for t := range 4 {
			for p := k8; p < k; p++ {
				out[4*r+t] += a[t*lda+p] * b[r*ldb+p]
			}
		}
	}
}

// inPlaceT12x8AVX2OrHalves runs the 12×8 kernel that suits the row stride
// of w: the one that reads half of the rows at a time when the rows are a
// multiple of 4 KiB apart (GPT-2's and BERT's 3072-wide weights), and so
// share a set of L1.
func inPlaceT12x8AVX2OrHalves(k int, a, w *float32, ldw int, c *float32, ldc int, bias *float32, flags, n int) {
	if ldw%1024 == 0 {
		inPlaceT12x8HalvesAVX2(k, a, w, ldw, c, ldc, bias, flags, n)
		return
	}
	inPlaceT12x8AVX2(k, a, w, ldw, c, ldc, bias, flags, n)
}
