package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

const (
	mr = 6  // rows of the micro-tile
	nr = 16 // columns of the micro-tile: two YMM registers
)

// gemmKernel emits the 6×16 micro-kernel: C[0:6][0:16] (+)= Σ_p a[p·6+i]·b[p·16+j]
// over k steps of packed panels. Twelve YMM accumulators, two B vectors and
// two broadcast registers use all sixteen YMM registers.
func gemmKernel() {
	TEXT("gemmKernel6x16AVX2", NOSPLIT, "func(k int, a, b, c *float32, ldc int, bias *float32, load bool)")
	Doc("gemmKernel6x16AVX2 computes the 6×16 tile at c (row stride ldc floats)",
		"from k steps of a packed A panel (6 floats a step) and B panel (16 floats",
		"a step). The sum starts from the 16 floats at bias for every row when bias",
		"is not nil, and is added to the tile when load is true.")
	Pragma("noescape")
	kk := Load(Param("k"), GP64())
	pa := Load(Param("a"), GP64())
	pb := Load(Param("b"), GP64())
	acc := []VecPhysical{Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11}
	b0, b1, s0, s1 := Y12, Y13, Y14, Y15

	bias := Load(Param("bias"), GP64())
	TESTQ(bias, bias)
	JZ(LabelRef("zero"))
	VMOVUPS(Mem{Base: bias}, acc[0])
	VMOVUPS(Mem{Base: bias, Disp: 32}, acc[1])
	for i := 2; i < len(acc); i++ {
		VMOVAPS(acc[i%2], acc[i])
	}
	JMP(LabelRef("loop4"))
	Label("zero")
	for _, r := range acc {
		VXORPS(r, r, r)
	}

	step := func(u int) {
		VMOVUPS(Mem{Base: pb, Disp: 64 * u}, b0)
		VMOVUPS(Mem{Base: pb, Disp: 64*u + 32}, b1)
		for i := 0; i < mr; i++ {
			s := s0
			if i%2 == 1 {
				s = s1
			}
			VBROADCASTSS(Mem{Base: pa, Disp: 4 * (mr*u + i)}, s)
			VFMADD231PS(b0, s, acc[2*i])
			VFMADD231PS(b1, s, acc[2*i+1])
		}
	}
	const unroll = 4
	Label("loop4")
	CMPQ(kk, U8(unroll))
	JL(LabelRef("tail"))
	PREFETCHT0(Mem{Base: pb, Disp: 64 * 8})
	for u := 0; u < unroll; u++ {
		step(u)
	}
	ADDQ(U32(4*mr*unroll), pa)
	ADDQ(U32(4*nr*unroll), pb)
	SUBQ(U8(unroll), kk)
	JMP(LabelRef("loop4"))

	Label("tail")
	TESTQ(kk, kk)
	JZ(LabelRef("store"))
	step(0)
	ADDQ(U8(4*mr), pa)
	ADDQ(U8(4*nr), pb)
	DECQ(kk)
	JMP(LabelRef("tail"))

	Label("store")
	pc := Load(Param("c"), GP64())
	ldc := Load(Param("ldc"), GP64())
	SHLQ(U8(2), ldc)
	ld := Load(Param("load"), GP8())
	TESTB(ld, ld)
	JZ(LabelRef("overwrite"))
	for i := 0; i < mr; i++ {
		VADDPS(Mem{Base: pc}, acc[2*i], acc[2*i])
		VADDPS(Mem{Base: pc, Disp: 32}, acc[2*i+1], acc[2*i+1])
		VMOVUPS(acc[2*i], Mem{Base: pc})
		VMOVUPS(acc[2*i+1], Mem{Base: pc, Disp: 32})
		if i < mr-1 {
			ADDQ(ldc, pc)
		}
	}
	VZEROUPPER()
	RET()
	Label("overwrite")
	for i := 0; i < mr; i++ {
		VMOVUPS(acc[2*i], Mem{Base: pc})
		VMOVUPS(acc[2*i+1], Mem{Base: pc, Disp: 32})
		if i < mr-1 {
			ADDQ(ldc, pc)
		}
	}
	VZEROUPPER()
	RET()
}
