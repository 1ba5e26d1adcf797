package kernel

import "testing"

// FuzzGemm checks every entry point and implementation against the float64
// reference on fuzzed shapes, strides, alpha and beta.
func FuzzGemm(f *testing.F) {
	f.Add(false, uint8(1), uint8(1), uint8(1), uint8(0), uint8(0), uint8(0), uint8(0), uint64(1))
	f.Add(true, uint8(17), uint8(33), uint8(65), uint8(3), uint8(1), uint8(2), uint8(1), uint64(2))
	f.Add(true, uint8(5), uint8(25), uint8(9), uint8(0), uint8(7), uint8(0), uint8(2), uint64(3))
	f.Add(false, uint8(1), uint8(200), uint8(130), uint8(1), uint8(0), uint8(5), uint8(3), uint64(4))
	f.Add(false, uint8(100), uint8(3), uint8(0), uint8(0), uint8(0), uint8(0), uint8(1), uint64(5))
	variants := gemmVariants()
	f.Fuzz(func(t *testing.T, transB bool, m, n, k, padA, padB, padC, scalars uint8, seed uint64) {
		alphas := []float32{1, -0.5, 2, 0}
		betas := []float32{0, 1, 0.25, -1}
		tc := gemmCase{transB, int(m) % 130, int(n) % 130, int(k) % 300, int(padA % 8), int(padB % 8), int(padC % 8),
			alphas[scalars%4], betas[scalars/4%4]}
		d := newGemmData(tc, seed%2 == 1, seed)
		for name, fn := range variants {
			d.check(t, name, fn)
		}
	})
}
