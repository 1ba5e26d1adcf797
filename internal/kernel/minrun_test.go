//go:build minrun

package kernel

import (
	"math/rand/v2"
	"testing"
	"time"
)

// minTime returns the shortest of many timings of fn: on a shared machine
// the minimum is the run no other process interrupted.
func minTime(samples int, fn func()) time.Duration {
	best := time.Duration(1 << 62)
	for i := 0; i < samples; i++ {
		t0 := time.Now()
		fn()
		if d := time.Since(t0); d < best {
			best = d
		}
	}
	return best
}

func TestMinMicro(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	k := kcMax
	a, bp := randSlice(r, k*mr), randSlice(r, k*nr)
	c := make([]float32, mr*nr)
	for _, im := range impls()[1:] {
		d := minTime(20000, func() {
			for i := 0; i < 10; i++ {
				im.micro(k, a, bp, c, nr, nil, true)
			}
		})
		t.Logf("%s micro: %.1f GFLOP/s", im.name, float64(10*2*mr*nr*k)/d.Seconds()/1e9)
	}
}

func TestMinGemm(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	for _, s := range [][3]int{{128, 768, 768}, {128, 3072, 768}, {128, 768, 3072}, {512, 768, 768}, {8, 768, 768}, {8, 768, 3072}, {16, 3072, 768}} {
		m, n, k := s[0], s[1], s[2]
		x, w, y := randSlice(r, m*k), randSlice(r, n*k), make([]float32, m*n)
		p := PackB(true, k, n, w, k)
		fl := 2 * float64(m*n*k)
		d1 := minTime(30, func() {
			gemmSerial(best, &gemmJob{m: m, n: n, k: k, alpha: 1, a: x, lda: k, b: operandB{b: w, ldb: k, trans: true}, c: y, ldc: n})
		})
		d1p := minTime(30, func() {
			gemmSerial(best, &gemmJob{m: m, n: n, k: k, alpha: 1, a: x, lda: k, b: operandB{packed: p}, c: y, ldc: n})
		})
		d2 := minTime(30, func() { Gemm(true, m, n, k, 1, x, k, w, k, 0, y, n) })
		d2p := minTime(30, func() { GemmPacked(m, 1, x, k, p, 0, y, n, nil) })
		t.Logf("%4dx%4dx%4d  1 core %.1f (packed %.1f)  all cores %.1f (packed %.1f) GFLOP/s", m, k, n,
			fl/d1.Seconds()/1e9, fl/d1p.Seconds()/1e9, fl/d2.Seconds()/1e9, fl/d2p.Seconds()/1e9)
	}
}

func TestMinRows(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	x := randSlice(r, 128*3072)
	for _, im := range impls() {
		d := minTime(200, func() { im.gelu(x[:8192]) })
		t.Logf("%s gelu %.0f Melem/s", im.name, 8192/d.Seconds()/1e6)
		d = minTime(200, func() { im.gate(x[:8192], geluTanhA, geluTanhB) })
		t.Logf("%s gate %.0f Melem/s", im.name, 8192/d.Seconds()/1e6)
		d = minTime(200, func() { im.expSub(x[:8192], 1) })
		t.Logf("%s expSub %.0f Melem/s", im.name, 8192/d.Seconds()/1e6)
	}
	const heads, dd = 12, 64
	q, k, v := randSlice(r, 768), randSlice(r, 129*768), randSlice(r, 129*768)
	out := make([]float32, 768)
	cfg := AttentionConfig{Heads: heads, HeadDim: dd, Scale: 0.125, Causal: true, Past: 128}
	d := minTime(200, func() { Attention(cfg, out, 768, q, 768, k, 768, v, 768, 1, 129, nil, nil) })
	t.Logf("decode attention %v", d)
}

func TestMinSweep(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	defer func(k, m int) { kcMax, mcMax = k, m }(kcMax, mcMax)
	for _, s := range [][3]int{{128, 768, 768}, {128, 768, 3072}} {
		m, n, k := s[0], s[1], s[2]
		x, w, y := randSlice(r, m*k), randSlice(r, n*k), make([]float32, m*n)
		p := PackB(true, k, n, w, k)
		fl := 2 * float64(m*n*k)
		for _, kc := range []int{128, 192, 256, 384} {
			for _, mc := range []int{32, 64, 128} {
				kcMax, mcMax = kc, mc
				d := minTime(40, func() {
					gemmSerial(best, &gemmJob{m: m, n: n, k: k, alpha: 1, a: x, lda: k, b: operandB{b: w, ldb: k, trans: true}, c: y, ldc: n})
				})
				dp := minTime(40, func() {
					gemmSerial(best, &gemmJob{m: m, n: n, k: k, alpha: 1, a: x, lda: k, b: operandB{packed: p}, c: y, ldc: n})
				})
				t.Logf("%dx%dx%d kc %d mc %d: %.1f packed %.1f", m, k, n, kc, mc, fl/d.Seconds()/1e9, fl/dp.Seconds()/1e9)
			}
		}
	}
}
