package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// transpose8x8 transposes the 8×8 block held in rows r (row i in r[i]) and
// returns the columns: column q is [r0[q], ..., r7[q]]. It overwrites r.
func transpose8x8(r []VecVirtual) []VecVirtual {
	t := make([]VecVirtual, 8)
	for i := 0; i < 4; i++ {
		t[2*i], t[2*i+1] = YMM(), YMM()
		VUNPCKLPS(r[2*i+1], r[2*i], t[2*i])   // a0 b0 a1 b1 | a4 b4 a5 b5
		VUNPCKHPS(r[2*i+1], r[2*i], t[2*i+1]) // a2 b2 a3 b3 | a6 b6 a7 b7
	}
	u := make([]VecVirtual, 8)
	for h := 0; h < 2; h++ { // rows 0-3, rows 4-7
		lo, hi := t[4*h:4*h+2], t[4*h+2:4*h+4]
		for x := 0; x < 2; x++ {
			u[4*h+2*x], u[4*h+2*x+1] = YMM(), YMM()
			VSHUFPS(U8(0x44), hi[x], lo[x], u[4*h+2*x])   // column 0 (or 2) of 4 rows
			VSHUFPS(U8(0xEE), hi[x], lo[x], u[4*h+2*x+1]) // column 1 (or 3)
		}
	}
	out := make([]VecVirtual, 8)
	for q := 0; q < 4; q++ {
		out[q], out[q+4] = YMM(), YMM()
		VPERM2F128(U8(0x20), u[4+q], u[q], out[q])
		VPERM2F128(U8(0x31), u[4+q], u[q], out[q+4])
	}
	return out
}

// packBTrans emits the packer of one nr-column panel of B stored n×k: kc
// (a multiple of 8) steps of nr floats from nr rows of src, 8×8 blocks at a
// time.
func packBTrans(nr int) {
	name := fmt.Sprintf("packBTrans%dAVX2", nr)
	TEXT(name, NOSPLIT, "func(kc int, src *float32, ldb int, dst *float32)")
	Doc(fmt.Sprintf("%s writes dst[p·%d+j] = src[j·ldb+p] for j < %d and p < kc,", name, nr, nr),
		"kc a multiple of 8.")
	Pragma("noescape")
	kc := Load(Param("kc"), GP64())
	src := Load(Param("src"), GP64())
	ld := Load(Param("ldb"), GP64())
	dst := Load(Param("dst"), GP64())
	SHLQ(U8(2), ld)
	rows := rowPointers(src, ld, 8)
	off8 := GP64() // bytes from row i to row i+8
	MOVQ(ld, off8)
	SHLQ(U8(3), off8)
	off, idx := GP64(), GP64()
	XORQ(off, off)
	SHRQ(U8(3), kc)
	Label("pbt_loop")
	TESTQ(kc, kc)
	JZ(LabelRef("pbt_done"))
	MOVQ(off, idx)
	for g := 0; g < nr/8; g++ {
		r := make([]VecVirtual, 8)
		for i := range r {
			r[i] = YMM()
			VMOVUPS(Mem{Base: rows[i], Index: idx, Scale: 1}, r[i])
		}
		cols := transpose8x8(r)
		for q, c := range cols {
			VMOVUPS(c, Mem{Base: dst, Disp: 4 * (nr*q + 8*g)})
		}
		if g < nr/8-1 {
			ADDQ(off8, idx)
		}
	}
	ADDQ(U8(32), off)
	ADDQ(U32(4*8*nr), dst)
	DECQ(kc)
	JMP(LabelRef("pbt_loop"))
	Label("pbt_done")
	VZEROUPPER()
	RET()
}

// packA4 emits the packer of one 4-row panel of A: kc (a multiple of 8)
// steps of 4 floats, times alpha, 4×8 blocks at a time.
func packA4() {
	TEXT("packA4AVX2", NOSPLIT, "func(kc int, src *float32, lda int, dst *float32, alpha float32)")
	Doc("packA4AVX2 writes dst[p·4+i] = alpha·src[i·lda+p] for i < 4 and p < kc,",
		"kc a multiple of 8.")
	Pragma("noescape")
	kc := Load(Param("kc"), GP64())
	src := Load(Param("src"), GP64())
	ld := Load(Param("lda"), GP64())
	dst := Load(Param("dst"), GP64())
	alpha := YMM()
	VBROADCASTSS(NewParamAddr("alpha", 32), alpha)
	SHLQ(U8(2), ld)
	rows := rowPointers(src, ld, 4)
	off := GP64()
	XORQ(off, off)
	SHRQ(U8(3), kc)
	Label("pa_loop")
	TESTQ(kc, kc)
	JZ(LabelRef("pa_done"))
	r := make([]VecVirtual, 4)
	for i := range r {
		r[i] = YMM()
		VMULPS(Mem{Base: rows[i], Index: off, Scale: 1}, alpha, r[i])
	}
	t := []VecVirtual{YMM(), YMM(), YMM(), YMM()}
	VUNPCKLPS(r[1], r[0], t[0]) // a0 b0 a1 b1 | a4 b4 a5 b5
	VUNPCKHPS(r[1], r[0], t[1]) // a2 b2 a3 b3 | a6 b6 a7 b7
	VUNPCKLPS(r[3], r[2], t[2])
	VUNPCKHPS(r[3], r[2], t[3])
	u := []VecVirtual{YMM(), YMM(), YMM(), YMM()}
	VSHUFPS(U8(0x44), t[2], t[0], u[0]) // column 0 | column 4
	VSHUFPS(U8(0xEE), t[2], t[0], u[1]) // column 1 | column 5
	VSHUFPS(U8(0x44), t[3], t[1], u[2]) // column 2 | column 6
	VSHUFPS(U8(0xEE), t[3], t[1], u[3]) // column 3 | column 7
	for i, pair := range [][2]int{{0, 1}, {2, 3}} {
		o := YMM()
		VPERM2F128(U8(0x20), u[pair[1]], u[pair[0]], o)
		VMOVUPS(o, Mem{Base: dst, Disp: 32 * i})
		VPERM2F128(U8(0x31), u[pair[1]], u[pair[0]], o)
		VMOVUPS(o, Mem{Base: dst, Disp: 64 + 32*i})
	}
	ADDQ(U8(32), off)
	ADDQ(U32(8*16), dst)
	DECQ(kc)
	JMP(LabelRef("pa_loop"))
	Label("pa_done")
	VZEROUPPER()
	RET()
}

// packBPlain emits the packer of panels of nr columns of B stored k×n: for
// each of kc rows, read start to end, the nr floats of each of the panels
// go to that panel's row p. Reading whole rows in turn keeps the reads
// sequential, whatever the distance between rows.
func packBPlain(nr int) {
	name := fmt.Sprintf("packBPlain%dAVX2", nr)
	TEXT(name, NOSPLIT, "func(kc, panels int, src *float32, ldb int, dst *float32)")
	Doc(fmt.Sprintf("%s writes dst[q·kc·%d+p·%d+j] = src[p·ldb+q·%d+j] for j < %d, q < panels", name, nr, nr, nr, nr),
		"and p < kc.")
	Pragma("noescape")
	kc := Load(Param("kc"), GP64())
	panels := Load(Param("panels"), GP64())
	src := Load(Param("src"), GP64())
	ld := Load(Param("ldb"), GP64())
	dst := Load(Param("dst"), GP64())
	SHLQ(U8(2), ld)
	step := GP64() // bytes between panels of dst
	MOVQ(kc, step)
	IMUL3Q(U32(4*nr), step, step)
	nv := nr / 8
	Label("pbp_row")
	TESTQ(kc, kc)
	JZ(LabelRef("pbp_done"))
	s, d, q := GP64(), GP64(), GP64()
	MOVQ(src, s)
	MOVQ(dst, d)
	MOVQ(panels, q)
	Label("pbp_panel")
	for i := 0; i < nv; i++ {
		t := YMM()
		VMOVUPS(Mem{Base: s, Disp: 32 * i}, t)
		VMOVUPS(t, Mem{Base: d, Disp: 32 * i})
	}
	ADDQ(U32(4*nr), s)
	ADDQ(step, d)
	DECQ(q)
	JNZ(LabelRef("pbp_panel"))
	ADDQ(ld, src)
	ADDQ(U32(4*nr), dst)
	DECQ(kc)
	JMP(LabelRef("pbp_row"))
	Label("pbp_done")
	VZEROUPPER()
	RET()
}

// prefetchRows emits the prefetch into L2 of n floats of each of rows rows
// ld floats apart: the next block of a weight, fetched while the current
// one is multiplied from the caches.
func prefetchRows() {
	TEXT("prefetchRowsAVX2", NOSPLIT, "func(rows int, b *float32, ld, n int)")
	Doc("prefetchRowsAVX2 prefetches b[r·ld : r·ld+n] into L2 for r < rows; n > 0.")
	Pragma("noescape")
	rows := Load(Param("rows"), GP64())
	b := Load(Param("b"), GP64())
	ld := Load(Param("ld"), GP64())
	n := Load(Param("n"), GP64())
	SHLQ(U8(2), ld)
	SHLQ(U8(2), n)
	Label("pfr_row")
	TESTQ(rows, rows)
	JZ(LabelRef("pfr_done"))
	off := GP64()
	XORQ(off, off)
	Label("pfr_line")
	PREFETCHT1(Mem{Base: b, Index: off, Scale: 1})
	ADDQ(U8(64), off)
	CMPQ(off, n)
	JB(LabelRef("pfr_line"))
	PREFETCHT1(Mem{Base: b, Index: n, Scale: 1, Disp: -1})
	ADDQ(ld, b)
	DECQ(rows)
	JMP(LabelRef("pfr_row"))
	Label("pfr_done")
	RET()
}

// rowPointers emits n registers pointing at rows 0..n-1 of a matrix at src
// whose row stride, in bytes, is in ld.
func rowPointers(src, ld Register, n int) []GPVirtual {
	rows := make([]GPVirtual, n)
	for i := range rows {
		rows[i] = GP64()
		if i == 0 {
			MOVQ(src, rows[i])
		} else {
			LEAQ(Mem{Base: rows[i-1], Index: ld, Scale: 1}, rows[i])
		}
	}
	return rows
}
