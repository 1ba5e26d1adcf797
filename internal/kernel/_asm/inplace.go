package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The in-place kernels compute a tile of C = A·Wᵀ with the weight W (n×k,
// a Linear's out×in) read where it lies: tn of its rows, broadcast one
// element at a time, times tm rows of A, packed so that each step of k is tm
// contiguous floats (a vector or two). The accumulators hold the tile transposed (column j of
// C in acc[j]), and the epilogue transposes it into C's rows, or writes it
// as it is to a scratch tile for the edges.

var ymm = []VecPhysical{Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15}
var xmm = []VecPhysical{X0, X1, X2, X3, X4, X5, X6, X7, X8, X9, X10, X11, X12, X13, X14, X15}

// Flags of the in-place kernels (see ../inplace.go).
const (
	flagLoad    = 1 // add the tile to C instead of overwriting it
	flagScratch = 2 // write the tile to c as tn×tm floats, column j at c[j·tm]
	flagDirect  = 4 // write column j of the tile to row j of C, untransposed
)

// inPlaceKernel emits the tn×tm kernel (tm is 8 or 16) for W stored n×k:
// column j of op(W) is row j of W. It computes n tiles side by side, the
// rows of W and the columns of C (and of the bias) moving on by tn each
// time, so that short products (attention's, k = 64) do not pay a call for
// each tile. With halves, the steps of k go over the first half of the rows
// of W and then over the others, a line of each row at a time (see below);
// its name then ends in the suffix.
func inPlaceKernel(tn, tm int, suffix string, halves bool) {
	name := fmt.Sprintf("inPlaceT%dx%d%sAVX2", tn, tm, suffix)
	TEXT(name, NOSPLIT, "func(k int, a *float32, w *float32, ldw int, c *float32, ldc int, bias *float32, flags int, n int)")
	Doc(fmt.Sprintf("%s computes the tile c[i·ldc+j] = bias[j] + Σ_p a[p·%d+i]·w[j·ldw+p]", name, tm),
		fmt.Sprintf("for i < %d, j < %d, p < k, with a packed and w read in place; bias may be nil;", tm, tn),
		fmt.Sprintf("then the n-1 tiles %d columns on (w %d rows on). flags&1 adds the tiles to c;", tn, tn),
		fmt.Sprintf("flags&2 writes one tile to c as a scratch tile, c[j·%d+i], ignoring ldc;", tm),
		fmt.Sprintf("flags&4 writes c[j·ldc+i] instead, the next tile %d rows of c on.", tn))
	Pragma("noescape")
	nv := tm / 8
	acc := func(j, v int) VecPhysical { return ymm[j*nv+v] }
	av := ymm[tn*nv : tn*nv+nv]
	bc := ymm[tn*nv+nv:]

	pw := Load(Param("w"), GP64())
	pc := Load(Param("c"), GP64())
	bias := Load(Param("bias"), GP64())
	tiles := Load(Param("n"), GP64())

	Label(name + "_tile")
	// The accumulators start from the bias of their column, or zero.
	TESTQ(bias, bias)
	JZ(LabelRef(name + "_zero"))
	for j := 0; j < tn; j++ {
		VBROADCASTSS(Mem{Base: bias, Disp: 4 * j}, acc(j, 0))
		for v := 1; v < nv; v++ {
			VMOVAPS(acc(j, 0), acc(j, v))
		}
	}
	JMP(LabelRef(name + "_go"))
	Label(name + "_zero")
	for j := 0; j < tn*nv; j++ {
		VXORPS(ymm[j], ymm[j], ymm[j])
	}
	Label(name + "_go")

	kk := Load(Param("k"), GP64())
	pa := Load(Param("a"), GP64())
	ld := Load(Param("ldw"), GP64())
	SHLQ(U8(2), ld)
	// Row j of W (column j of op(W)) at bases[j/3] + (j%3)·ldw, element
	// p of step u of the unrolled loop at 4u bytes further.
	bases := []GPVirtual{GP64()}
	MOVQ(pw, bases[0])
	for b := 3; b < tn; b += 3 {
		r := GP64()
		LEAQ(Mem{Base: bases[len(bases)-1], Index: ld, Scale: 2}, r)
		ADDQ(ld, r)
		bases = append(bases, r)
	}
	addr := func(j, u int) Mem {
		m := Mem{Base: bases[j/3], Disp: 4 * u}
		if j%3 > 0 {
			m.Index, m.Scale = ld, uint8(j%3)
		}
		return m
	}
	advance := func(steps int) {
		for _, b := range bases {
			ADDQ(U32(4*steps), b)
		}
	}
	step := func(u int) {
		for v := 0; v < nv; v++ {
			VMOVUPS(Mem{Base: pa, Disp: 4 * (tm*u + 8*v)}, av[v])
		}
		for j := 0; j < tn; j++ {
			b := bc[j%len(bc)]
			VBROADCASTSS(addr(j, u), b)
			for v := 0; v < nv; v++ {
				VFMADD231PS(av[v], b, acc(j, v))
			}
		}
	}
	if halves {
		// Twelve rows of W as many floats apart each read a line at a
		// time: when the rows are a multiple of 4 KiB apart, twelve lines
		// in one set of the 8-way L1 evict one another before their other
		// floats are read. Sixteen steps (a line of each row) of the first
		// six columns, then the same sixteen of the others, keep six lines
		// at a time. Otherwise the full width wins: each half has only six
		// accumulators to keep the multiply-adds busy.
		const unroll = 16
		Label(name + "_loop16")
		CMPQ(kk, U8(unroll))
		JL(LabelRef(name + "_loop"))
		for half := 0; half < tn; half += tn / 2 {
			for u := 0; u < unroll; u++ {
				for v := 0; v < nv; v++ {
					VMOVUPS(Mem{Base: pa, Disp: 4 * (tm*u + 8*v)}, av[v])
				}
				for j := half; j < half+tn/2; j++ {
					b := bc[j%len(bc)]
					VBROADCASTSS(addr(j, u), b)
					for v := 0; v < nv; v++ {
						VFMADD231PS(av[v], b, acc(j, v))
					}
				}
			}
		}
		ADDQ(U32(4*tm*unroll), pa)
		advance(unroll)
		SUBQ(U8(unroll), kk)
		JMP(LabelRef(name + "_loop16"))
	}
	const unroll = 4
	Label(name + "_loop")
	CMPQ(kk, U8(unroll))
	JL(LabelRef(name + "_tail"))
	for u := 0; u < unroll; u++ {
		step(u)
	}
	ADDQ(U32(4*tm*unroll), pa)
	advance(unroll)
	SUBQ(U8(unroll), kk)
	JMP(LabelRef(name + "_loop"))
	Label(name + "_tail")
	TESTQ(kk, kk)
	JZ(LabelRef(name + "_store"))
	step(0)
	ADDQ(U8(4*tm), pa)
	advance(1)
	DECQ(kk)
	JMP(LabelRef(name + "_tail"))

	Label(name + "_store")
	flags := Load(Param("flags"), GP64())
	TESTQ(U32(flagScratch), flags)
	JZ(LabelRef(name + "_rows"))
	for j := 0; j < tn; j++ {
		for v := 0; v < nv; v++ {
			VMOVUPS(acc(j, v), Mem{Base: pc, Disp: 4 * (tm*j + 8*v)})
		}
	}
	JMP(LabelRef(name + "_done"))

	Label(name + "_rows")
	ldc := Load(Param("ldc"), GP64())
	SHLQ(U8(2), ldc)
	TESTQ(U32(flagDirect), flags)
	JZ(LabelRef(name + "_transposed"))
	// Untransposed: column j of the tile (tm lanes) is row j of C.
	dp := GP64()
	MOVQ(pc, dp)
	for j := 0; j < tn; j++ {
		for v := 0; v < nv; v++ {
			m := Mem{Base: dp, Disp: 32 * v}
			TESTQ(U32(flagLoad), flags)
			JZ(LabelRef(fmt.Sprintf("%s_d%d_%d", name, j, v)))
			VADDPS(m, acc(j, v), acc(j, v))
			Label(fmt.Sprintf("%s_d%d_%d", name, j, v))
			VMOVUPS(acc(j, v), m)
		}
		ADDQ(ldc, dp)
	}
	JMP(LabelRef(name + "_next"))
	Label(name + "_transposed")
	ldc3, pc4, cp := GP64(), GP64(), GP64()
	LEAQ(Mem{Base: ldc, Index: ldc, Scale: 2}, ldc3)
	for _, load := range []bool{true, false} {
		if load {
			TESTQ(U32(flagLoad), flags)
			JZ(LabelRef(name + "_overwrite"))
		} else {
			Label(name + "_overwrite")
		}
		MOVQ(pc, cp)
		for v := 0; v < nv; v++ {
			if v > 0 {
				LEAQ(Mem{Base: cp, Index: ldc, Scale: 8}, cp)
			}
			LEAQ(Mem{Base: cp, Index: ldc, Scale: 4}, pc4)
			// row r of the block of 8 rows at cp.
			row := func(r, disp int) Mem {
				base := cp
				if r >= 4 {
					base, r = pc4, r-4
				}
				m := Mem{Base: base, Disp: disp}
				switch r {
				case 1, 2:
					m.Index, m.Scale = ldc, uint8(r)
				case 3:
					m.Index, m.Scale = ldc3, 1
				}
				return m
			}
			for g := 0; g < tn; g += 4 {
				cols := []VecPhysical{}
				for j := g; j < min(g+4, tn); j++ {
					cols = append(cols, acc(j, v))
				}
				storeColumns(cols, row, 4*g, load)
			}
		}
		if load {
			JMP(LabelRef(name + "_next"))
		}
	}

	// The next tile: tn rows of W, tn columns of C and of the bias on.
	Label(name + "_next")
	DECQ(tiles)
	JZ(LabelRef(name + "_done"))
	ldw := Load(Param("ldw"), GP64())
	IMUL3Q(U32(4*tn), ldw, ldw)
	ADDQ(ldw, pw)
	flags2 := Load(Param("flags"), GP64())
	TESTQ(U32(flagDirect), flags2)
	JZ(LabelRef(name + "_nextcols"))
	rowsOn := Load(Param("ldc"), GP64())
	IMUL3Q(U32(4*tn), rowsOn, rowsOn)
	ADDQ(rowsOn, pc)
	JMP(LabelRef(name + "_nextbias"))
	Label(name + "_nextcols")
	ADDQ(U8(4*tn), pc)
	Label(name + "_nextbias")
	TESTQ(bias, bias)
	JZ(LabelRef(name + "_tile"))
	ADDQ(U8(4*tn), bias)
	JMP(LabelRef(name + "_tile"))
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// storeColumns transposes the 2 or 4 column vectors cols (8 rows each) into
// the rows of C at byte offset disp, adding to C when load. It overwrites
// cols and uses Y12-Y15 (free after the loop) as scratch.
func storeColumns(cols []VecPhysical, row func(r, disp int) Mem, disp int, load bool) {
	t := ymm[12:16]
	tx := xmm[12:16]
	if len(cols) == 4 {
		VUNPCKLPS(cols[1], cols[0], t[0]) // c0r0 c1r0 c0r1 c1r1 | rows 4, 5
		VUNPCKHPS(cols[1], cols[0], t[1]) // rows 2, 3 | rows 6, 7
		VUNPCKLPS(cols[3], cols[2], t[2])
		VUNPCKHPS(cols[3], cols[2], t[3])
		VSHUFPS(U8(0x44), t[2], t[0], cols[0]) // row 0 | row 4
		VSHUFPS(U8(0xEE), t[2], t[0], cols[1]) // row 1 | row 5
		VSHUFPS(U8(0x44), t[3], t[1], cols[2]) // row 2 | row 6
		VSHUFPS(U8(0xEE), t[3], t[1], cols[3]) // row 3 | row 7
		for r := 0; r < 4; r++ {
			// The high half first: a VEX operation on the low half
			// clears it.
			VEXTRACTF128(U8(1), cols[r], tx[0])
			lo := cols[r].AsX()
			if load {
				VADDPS(row(r, disp), lo, lo)
			}
			VMOVUPS(lo, row(r, disp))
			if load {
				VADDPS(row(r+4, disp), tx[0], tx[0])
			}
			VMOVUPS(tx[0], row(r+4, disp))
		}
		return
	}
	// Two columns: rows as pairs of floats.
	VUNPCKLPS(cols[1], cols[0], t[0]) // rows 0, 1 | rows 4, 5
	VUNPCKHPS(cols[1], cols[0], t[1]) // rows 2, 3 | rows 6, 7
	VEXTRACTF128(U8(1), t[0], tx[2])
	VEXTRACTF128(U8(1), t[1], tx[3])
	for q, x := range []VecPhysical{tx[0], tx[1], tx[2], tx[3]} {
		r := 2 * q // q: rows 0-1, 2-3, 4-5, 6-7
		if load {
			c := cols[0].AsX()
			VMOVSD(row(r, disp), c)
			VMOVHPS(row(r+1, disp), c, c)
			VADDPS(c, x, x)
		}
		VMOVLPS(x, row(r, disp))
		VMOVHPS(x, row(r+1, disp))
	}
}

// packRows8 emits the packer of 8 rows of A into steps of a panel: for
// each p < k (a multiple of 8), the 8 floats alpha·a[i·lda+p] at
// dst[p·stride+i].
func packRows8() {
	TEXT("packRows8AVX2", NOSPLIT, "func(k int, a *float32, lda int, dst *float32, stride int, alpha float32)")
	Doc("packRows8AVX2 writes dst[p·stride+i] = alpha·a[i·lda+p] for i < 8 and p < k,",
		"k a multiple of 8.")
	Pragma("noescape")
	k := Load(Param("k"), GP64())
	src := Load(Param("a"), GP64())
	ld := Load(Param("lda"), GP64())
	dst := Load(Param("dst"), GP64())
	stride := Load(Param("stride"), GP64())
	alpha := YMM()
	VBROADCASTSS(NewParamAddr("alpha", 40), alpha)
	SHLQ(U8(2), ld)
	SHLQ(U8(2), stride)
	rows := rowPointers(src, ld, 8)
	off := GP64()
	XORQ(off, off)
	SHRQ(U8(3), k)
	Label("pr8_loop")
	TESTQ(k, k)
	JZ(LabelRef("pr8_done"))
	r := make([]VecVirtual, 8)
	for i := range r {
		r[i] = YMM()
		VMULPS(Mem{Base: rows[i], Index: off, Scale: 1}, alpha, r[i])
	}
	for _, c := range transpose8x8(r) {
		VMOVUPS(c, Mem{Base: dst})
		ADDQ(stride, dst)
	}
	ADDQ(U8(32), off)
	DECQ(k)
	JMP(LabelRef("pr8_loop"))
	Label("pr8_done")
	VZEROUPPER()
	RET()
}
