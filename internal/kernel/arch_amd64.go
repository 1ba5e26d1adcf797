//go:build amd64 && !purego

package kernel

import "golang.org/x/sys/cpu"

//go:generate go run -C _asm . -out ../kernel_amd64.s -stubs ../kernel_amd64_stub.go -pkg kernel

var avx2Impl = &impl{name: "avx2", micro: microAVX2}

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
		pb = &bias[nr-1]
		pb = &bias[0]
	}
	gemmKernel6x16AVX2(k, &a[0], &b[0], &c[0], ldc, pb, load)
}
