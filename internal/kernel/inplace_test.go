package kernel

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestTiles checks each in-place kernel against the portable one for short
// and long k (the unrolled loops and their tails), one tile or several side
// by side, with and without bias, overwriting C, adding to it, writing a
// scratch tile and writing untransposed, with rows of W a few floats or a
// multiple of 1024 floats apart (the 12×8 kernel that reads half of the
// rows at a time).
func TestTiles(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(7, 7))
	for _, tn := range []int{6, 12} {
		_, tm := tileShape(map[int]int{6: 16, 12: 8}[tn])
		for _, k := range []int{1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64} {
			for _, flags := range []int{0, flagLoad, flagScratch, flagDirect, flagDirect | flagLoad} {
				for _, tiles := range []int{1, 3} {
					if flags == flagScratch && tiles > 1 {
						continue
					}
					for i, withBias := range []bool{false, true, true} {
						ldw, ldc := k+3, tiles*tn+2
						if i == 2 {
							ldw = 1024
						}
						name := fmt.Sprintf("%dx%d k %d flags %d tiles %d bias %v ldw %d", tn, tm, k, flags, tiles, withBias, ldw)
						cRows := tm
						if flags&flagDirect != 0 {
							ldc, cRows = tm+3, tiles*tn
						}
						a := randSlice(r, k*tm)
						w := randSlice(r, (tiles*tn-1)*ldw+k)
						var bias []float32
						if withBias {
							bias = randSlice(r, tiles*tn)
						}
						c0 := randSlice(r, cRows*ldc)
						want := append([]float32(nil), c0...)
						tileGo(tn, tm)(k, a, w, ldw, want, ldc, bias, flags, tiles)
						for _, im := range impls() {
							got := append([]float32(nil), c0...)
							im.tile(tn)(k, a, w, ldw, got, ldc, bias, flags, tiles)
							for i := range got {
								if d := got[i] - want[i]; d > 1e-5 || d < -1e-5 {
									t.Fatalf("%s %s: c[%d] = %v, want %v", im.name, name, i, got[i], want[i])
								}
							}
						}
					}
				}
			}
		}
	}
}

// BenchmarkTile is one core's in-place kernel on operands held in L1 (the
// ceiling of the in-place products), beside BenchmarkMicroKernel.
func BenchmarkTile(b *testing.B) {
	r := rand.New(rand.NewPCG(2, 2))
	const k = 256
	for _, m := range []int{16, 8} {
		tn, tm := tileShape(m)
		a := randSlice(r, k*tm)
		w := randSlice(r, tn*k)
		c := make([]float32, tm*tn)
		for _, im := range impls() {
			kern := im.tile(tn)
			b.Run(fmt.Sprintf("%s/%dx%d", im.name, tn, tm), func(b *testing.B) {
				for b.Loop() {
					kern(k, a, w, k, c, tn, nil, flagLoad, 1)
				}
				reportGFLOPS(b, tm, tn, k)
			})
		}
	}
}
