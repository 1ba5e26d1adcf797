package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// gemmKernel emits the mr×nr micro-kernel (nr a multiple of 8):
// C[0:mr][0:nr] (+)= Σ_p a[p·mr+i]·b[p·nr+j] over k steps of packed panels.
// The mr·nr/8 accumulators, nr/8 B vectors and the broadcast registers must
// fit in the sixteen YMM registers: 6×16 (12+2+2) or 4×24 (12+3+1).
//
// With strided, B is read in place instead: step p is the nr floats at
// b + p·ldb, a row of a k×n weight; with copied too, each step of B is also
// written to dst, one after the other, a packed panel for the next tiles.
func gemmKernel(mr, nr int, strided, copied bool) {
	nv := nr / 8
	name := fmt.Sprintf("gemmKernel%dx%dAVX2", mr, nr)
	sig := "func(k int, a, b, c *float32, ldc int, bias *float32, load bool)"
	bDoc := fmt.Sprintf("from k steps of a packed A panel (%d floats a step) and B panel (%d floats", mr, nr)
	stepDoc := "a step)."
	prefix := fmt.Sprintf("k%dx%d", mr, nr)
	switch {
	case copied:
		name = fmt.Sprintf("gemmKernel%dx%dStridedCopyAVX2", mr, nr)
		sig = "func(k int, a, b *float32, ldb int, c *float32, ldc int, bias *float32, load bool, dst *float32)"
		bDoc = fmt.Sprintf("from k steps of a packed A panel (%d floats a step) and of B (%d floats", mr, nr)
		stepDoc = fmt.Sprintf("a step, ldb floats apart, also written to dst[p·%d:]).", nr)
		prefix += "sc"
	case strided:
		name = fmt.Sprintf("gemmKernel%dx%dStridedAVX2", mr, nr)
		sig = "func(k int, a, b *float32, ldb int, c *float32, ldc int, bias *float32, load bool)"
		bDoc = fmt.Sprintf("from k steps of a packed A panel (%d floats a step) and of B (%d floats", mr, nr)
		stepDoc = "a step, ldb floats apart)."
		prefix += "s"
	}
	TEXT(name, NOSPLIT, sig)
	Doc(fmt.Sprintf("%s computes the %d×%d tile at c (row stride ldc floats)", name, mr, nr),
		bDoc,
		fmt.Sprintf("%s The sum starts from the %d floats at bias for every row when bias", stepDoc, nr),
		"is not nil, and is added to the tile when load is true.")
	Pragma("noescape")
	lp := func(s string) string { return prefix + "_" + s }
	kk := Load(Param("k"), GP64())
	pa := Load(Param("a"), GP64())
	pb := Load(Param("b"), GP64())
	var ldb, ldb3, dst GPVirtual
	if strided {
		ldb, ldb3 = GP64(), GP64()
		Load(Param("ldb"), ldb)
		SHLQ(U8(2), ldb)
		LEAQ(Mem{Base: ldb, Index: ldb, Scale: 2}, ldb3)
	}
	if copied {
		dst = GP64()
		Load(Param("dst"), dst)
	}
	bAt := func(u, v int) Mem {
		if !strided {
			return Mem{Base: pb, Disp: 4 * (nr*u + 8*v)}
		}
		m := Mem{Base: pb, Disp: 32 * v}
		switch u {
		case 1, 2:
			m.Index, m.Scale = ldb, uint8(u)
		case 3:
			m.Index, m.Scale = ldb3, 1
		}
		return m
	}
	all := []VecPhysical{Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15}
	acc := all[:mr*nv] // row i, vector v: acc[i*nv+v]
	bv := all[mr*nv : mr*nv+nv]
	bc := all[mr*nv+nv:]
	if len(bc) == 0 {
		panic("no register left for the broadcast")
	}

	// Fetch the tile of C while the products run.
	pc := Load(Param("c"), GP64())
	ldc := Load(Param("ldc"), GP64())
	SHLQ(U8(2), ldc)
	cp := GP64()
	MOVQ(pc, cp)
	for i := 0; i < mr; i++ {
		PREFETCHT0(Mem{Base: cp})
		PREFETCHT0(Mem{Base: cp, Disp: 4*nr - 4})
		if i < mr-1 {
			ADDQ(ldc, cp)
		}
	}

	bias := Load(Param("bias"), GP64())
	TESTQ(bias, bias)
	JZ(LabelRef(lp("zero")))
	for v := 0; v < nv; v++ {
		VMOVUPS(Mem{Base: bias, Disp: 32 * v}, acc[v])
	}
	for i := nv; i < len(acc); i++ {
		VMOVAPS(acc[i%nv], acc[i])
	}
	JMP(LabelRef(lp("loop")))
	Label(lp("zero"))
	for _, r := range acc {
		VXORPS(r, r, r)
	}

	step := func(u int) {
		for v := 0; v < nv; v++ {
			VMOVUPS(bAt(u, v), bv[v])
			if copied {
				VMOVUPS(bv[v], Mem{Base: dst, Disp: 4 * (nr*u + 8*v)})
			}
		}
		for i := 0; i < mr; i++ {
			s := bc[i%len(bc)]
			VBROADCASTSS(Mem{Base: pa, Disp: 4 * (mr*u + i)}, s)
			for v := 0; v < nv; v++ {
				VFMADD231PS(bv[v], s, acc[i*nv+v])
			}
		}
	}
	const unroll = 4
	Label(lp("loop"))
	CMPQ(kk, U8(unroll))
	JL(LabelRef(lp("tail")))
	if !strided {
		PREFETCHT0(Mem{Base: pb, Disp: 4 * nr * 8})
	}
	for u := 0; u < unroll; u++ {
		step(u)
	}
	ADDQ(U32(4*mr*unroll), pa)
	if strided {
		LEAQ(Mem{Base: pb, Index: ldb, Scale: 4}, pb)
	} else {
		ADDQ(U32(4*nr*unroll), pb)
	}
	if copied {
		ADDQ(U32(4*nr*unroll), dst)
	}
	SUBQ(U8(unroll), kk)
	JMP(LabelRef(lp("loop")))

	Label(lp("tail"))
	TESTQ(kk, kk)
	JZ(LabelRef(lp("store")))
	step(0)
	ADDQ(U8(4*mr), pa)
	if strided {
		ADDQ(ldb, pb)
	} else {
		ADDQ(U8(4*nr), pb)
	}
	if copied {
		ADDQ(U8(4*nr), dst)
	}
	DECQ(kk)
	JMP(LabelRef(lp("tail")))

	Label(lp("store"))
	ld := Load(Param("load"), GP8())
	TESTB(ld, ld)
	JZ(LabelRef(lp("overwrite")))
	for i := 0; i < mr; i++ {
		for v := 0; v < nv; v++ {
			VADDPS(Mem{Base: pc, Disp: 32 * v}, acc[i*nv+v], acc[i*nv+v])
			VMOVUPS(acc[i*nv+v], Mem{Base: pc, Disp: 32 * v})
		}
		if i < mr-1 {
			ADDQ(ldc, pc)
		}
	}
	VZEROUPPER()
	RET()
	Label(lp("overwrite"))
	for i := 0; i < mr; i++ {
		for v := 0; v < nv; v++ {
			VMOVUPS(acc[i*nv+v], Mem{Base: pc, Disp: 32 * v})
		}
		if i < mr-1 {
			ADDQ(ldc, pc)
		}
	}
	VZEROUPPER()
	RET()
}
