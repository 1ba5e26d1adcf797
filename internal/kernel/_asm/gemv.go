package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// gemvAxpy4 emits y[0:n] += x0·b0 + x1·b1 + x2·b2 + x3·b3 for four rows of B
// ldb floats apart, n a multiple of 8: the row-streaming product x·W.
func gemvAxpy4() {
	TEXT("gemvAxpy4AVX2", NOSPLIT, "func(n int, x *[4]float32, b *float32, ldb int, y *float32)")
	Doc("gemvAxpy4AVX2 adds Σ_r x[r]·b[r·ldb+j] to y[j] for r < 4 and j < n,",
		"n a multiple of 8.")
	Pragma("noescape")
	n := Load(Param("n"), GP64())
	px := Load(Param("x"), GP64())
	pb := Load(Param("b"), GP64())
	ld := Load(Param("ldb"), GP64())
	py := Load(Param("y"), GP64())
	SHLQ(U8(2), ld)
	xs := make([]VecVirtual, 4)
	for r := range xs {
		xs[r] = YMM()
		VBROADCASTSS(Mem{Base: px, Disp: 4 * r}, xs[r])
	}
	ld3 := GP64()
	LEAQ(Mem{Base: ld, Index: ld, Scale: 2}, ld3)
	rowAddr := func(r, disp int) Mem { return rowMem(pb, ld, ld3, r, disp) }
	block := func(u int) {
		acc := make([]VecVirtual, u)
		for v := range acc {
			acc[v] = YMM()
			VMOVUPS(Mem{Base: py, Disp: 32 * v}, acc[v])
		}
		for r := 0; r < 4; r++ {
			for v := range acc {
				VFMADD231PS(rowAddr(r, 32*v), xs[r], acc[v])
			}
		}
		for v := range acc {
			VMOVUPS(acc[v], Mem{Base: py, Disp: 32 * v})
		}
		ADDQ(U32(32*u), pb)
		ADDQ(U32(32*u), py)
		SUBQ(U32(8*u), n)
	}
	Label("ax_loop32")
	CMPQ(n, U8(32))
	JL(LabelRef("ax_loop8"))
	block(4)
	JMP(LabelRef("ax_loop32"))
	Label("ax_loop8")
	TESTQ(n, n)
	JZ(LabelRef("ax_done"))
	block(1)
	JMP(LabelRef("ax_loop8"))
	Label("ax_done")
	VZEROUPPER()
	RET()
}

// rowMem addresses disp bytes into row r < 4 of a matrix at base whose
// rows are ld bytes apart; ld3 holds 3·ld (unused for r < 3).
func rowMem(base, ld, ld3 Register, r, disp int) Mem {
	switch r {
	case 0:
		return Mem{Base: base, Disp: disp}
	case 1:
		return Mem{Base: base, Index: ld, Scale: 1, Disp: disp}
	case 2:
		return Mem{Base: base, Index: ld, Scale: 2, Disp: disp}
	}
	return Mem{Base: base, Index: ld3, Scale: 1, Disp: disp}
}

// hsum4 reduces four YMM registers to one XMM of their four sums.
func hsum4(a []VecVirtual) VecVirtual {
	h01, h23 := YMM(), YMM()
	VHADDPS(a[1], a[0], h01)
	VHADDPS(a[3], a[2], h23)
	VHADDPS(h23, h01, h01)
	hi := XMM()
	VEXTRACTF128(U8(1), h01, hi)
	VADDPS(hi, h01.AsX(), hi)
	return hi
}

// gemvDot4 emits the four dot products of x with four rows of B ldb floats
// apart, over k a multiple of 8: the product x·Wᵀ.
func gemvDot4() {
	TEXT("gemvDot4AVX2", NOSPLIT, "func(k int, x *float32, b *float32, ldb int, out *[4]float32)")
	Doc("gemvDot4AVX2 sets out[r] = Σ_p x[p]·b[r·ldb+p] for r < 4 and p < k,",
		"k a multiple of 8.")
	Pragma("noescape")
	k := Load(Param("k"), GP64())
	px := Load(Param("x"), GP64())
	pb := Load(Param("b"), GP64())
	ld := Load(Param("ldb"), GP64())
	SHLQ(U8(2), ld)
	ld3 := GP64()
	LEAQ(Mem{Base: ld, Index: ld, Scale: 2}, ld3)
	rowAddr := func(r, disp int) Mem { return rowMem(pb, ld, ld3, r, disp) }
	acc := make([]VecVirtual, 8) // row r, half h: acc[2r+h]
	for i := range acc {
		acc[i] = YMM()
		VXORPS(acc[i], acc[i], acc[i])
	}
	Label("dot_loop16")
	CMPQ(k, U8(16))
	JL(LabelRef("dot_tail"))
	x0, x1 := YMM(), YMM()
	VMOVUPS(Mem{Base: px}, x0)
	VMOVUPS(Mem{Base: px, Disp: 32}, x1)
	for r := 0; r < 4; r++ {
		VFMADD231PS(rowAddr(r, 0), x0, acc[2*r])
		VFMADD231PS(rowAddr(r, 32), x1, acc[2*r+1])
	}
	ADDQ(U8(64), px)
	ADDQ(U8(64), pb)
	SUBQ(U8(16), k)
	JMP(LabelRef("dot_loop16"))
	Label("dot_tail")
	TESTQ(k, k)
	JZ(LabelRef("dot_done"))
	VMOVUPS(Mem{Base: px}, x0)
	for r := 0; r < 4; r++ {
		VFMADD231PS(rowAddr(r, 0), x0, acc[2*r])
	}
	Label("dot_done")
	sums := make([]VecVirtual, 4)
	for r := range sums {
		VADDPS(acc[2*r+1], acc[2*r], acc[2*r])
		sums[r] = acc[2*r]
	}
	s := hsum4(sums)
	out := Load(Param("out"), GP64())
	VMOVUPS(s, Mem{Base: out})
	VZEROUPPER()
	RET()
}

// gemvPanel emits out[0:nr] = Σ_p x[p]·panel[p·nr : p·nr+nr]: the product
// of a row with one packed panel of B.
func gemvPanel(nr int) {
	nv := nr / 8
	name := fmt.Sprintf("gemvPanel%dAVX2", nr)
	TEXT(name, NOSPLIT, fmt.Sprintf("func(k int, x *float32, panel *float32, out *[%d]float32)", nr))
	Doc(fmt.Sprintf("%s sets out[j] = Σ_p x[p]·panel[p·%d+j] for p < k.", name, nr))
	Pragma("noescape")
	k := Load(Param("k"), GP64())
	px := Load(Param("x"), GP64())
	pb := Load(Param("panel"), GP64())
	acc := make([]VecVirtual, 2*nv) // step u, vector v: acc[u*nv+v]
	for i := range acc {
		acc[i] = YMM()
		VXORPS(acc[i], acc[i], acc[i])
	}
	Label("pan_loop2")
	CMPQ(k, U8(2))
	JL(LabelRef("pan_tail"))
	for u := 0; u < 2; u++ {
		s := YMM()
		VBROADCASTSS(Mem{Base: px, Disp: 4 * u}, s)
		for v := 0; v < nv; v++ {
			VFMADD231PS(Mem{Base: pb, Disp: 4 * (nr*u + 8*v)}, s, acc[u*nv+v])
		}
	}
	ADDQ(U8(8), px)
	ADDQ(U8(8*nr), pb)
	SUBQ(U8(2), k)
	JMP(LabelRef("pan_loop2"))
	Label("pan_tail")
	TESTQ(k, k)
	JZ(LabelRef("pan_done"))
	s := YMM()
	VBROADCASTSS(Mem{Base: px}, s)
	for v := 0; v < nv; v++ {
		VFMADD231PS(Mem{Base: pb, Disp: 32 * v}, s, acc[v])
	}
	Label("pan_done")
	out := Load(Param("out"), GP64())
	for v := 0; v < nv; v++ {
		VADDPS(acc[nv+v], acc[v], acc[v])
		VMOVUPS(acc[v], Mem{Base: out, Disp: 32 * v})
	}
	VZEROUPPER()
	RET()
}

// gemmDots4x3 emits the dot products of four rows of A with three rows of
// B over k a multiple of 8: twelve accumulators, three rows of B and a row
// of A fill the sixteen registers, and each load of B serves four rows of A.
func gemmDots4x3() {
	TEXT("gemmDots4x3AVX2", NOSPLIT, "func(k int, a *float32, lda int, b *float32, ldb int, out *[12]float32)")
	Doc("gemmDots4x3AVX2 sets out[4r+t] = Σ_p a[t·lda+p]·b[r·ldb+p] for t < 4, r < 3",
		"and p < k, k a multiple of 8.")
	Pragma("noescape")
	k := Load(Param("k"), GP64())
	pa := Load(Param("a"), GP64())
	lda := Load(Param("lda"), GP64())
	SHLQ(U8(2), lda)
	lda3 := GP64()
	LEAQ(Mem{Base: lda, Index: lda, Scale: 2}, lda3)
	pb := Load(Param("b"), GP64())
	ld := Load(Param("ldb"), GP64())
	SHLQ(U8(2), ld)
	rowA := func(t, disp int) Mem { return rowMem(pa, lda, lda3, t, disp) }
	rowB := func(r, disp int) Mem { return rowMem(pb, ld, nil, r, disp) }
	acc := make([]VecVirtual, 12) // row r of B, row t of A: acc[4r+t]
	for i := range acc {
		acc[i] = YMM()
		VXORPS(acc[i], acc[i], acc[i])
	}
	step := func(disp int) {
		w := make([]VecVirtual, 3)
		for r := range w {
			w[r] = YMM()
			VMOVUPS(rowB(r, disp), w[r])
		}
		for t := 0; t < 4; t++ {
			x := YMM()
			VMOVUPS(rowA(t, disp), x)
			for r := range w {
				VFMADD231PS(w[r], x, acc[4*r+t])
			}
		}
	}
	Label("dots3_loop16")
	CMPQ(k, U8(16))
	JL(LabelRef("dots3_tail"))
	step(0)
	step(32)
	ADDQ(U8(64), pa)
	ADDQ(U8(64), pb)
	SUBQ(U8(16), k)
	JMP(LabelRef("dots3_loop16"))
	Label("dots3_tail")
	TESTQ(k, k)
	JZ(LabelRef("dots3_done"))
	step(0)
	Label("dots3_done")
	out := Load(Param("out"), GP64())
	for r := 0; r < 3; r++ {
		VMOVUPS(hsum4(acc[4*r:4*r+4]), Mem{Base: out, Disp: 16 * r})
	}
	VZEROUPPER()
	RET()
}
