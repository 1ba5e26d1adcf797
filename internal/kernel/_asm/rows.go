package main

import (
	"fmt"
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The constants of the float32 functions, the same as in ../mathf.go.
var consts = []struct {
	name string
	v    float32
}{
	{"log2e", 1.44269504088896341},
	{"ln2hi", 0.693359375},
	{"ln2lo", -2.12194440e-4},
	{"expmax", 88.3762626647949},
	{"expmin", -87.33654},
	{"exp0", 0.0013926176119935579},
	{"exp1", 0.0083631730745137109},
	{"exp2", 0.041666554662050534},
	{"exp3", 0.16666577025597988},
	{"exp4", 0.5},
	{"one", 1},
	{"half", 0.5},
	{"sqrthalf", 0.70710678118654752},
	{"erfmax", 4},
	{"quarter", 0.25},
	{"seven", 7},
}

// erfTable[j][i] is the coefficient of u^j of erf(t) ≈ Σ_j c_j·u^j on the
// interval t ∈ [i/2, i/2+1/2), u = t - i/2 - 1/4: least squares at 200
// Chebyshev nodes of each interval, float32, within 7e-8 of erf once
// evaluated in float32.
var erfTable = [8][8]float32{
	{0.27632638812065125, 0.7111556529998779, 0.9229001402854919, 0.9866716861724854, 0.9985373020172119, 0.9998993873596191, 0.9999957084655762, 0.9999998807907104},
	{1.0600141286849976, 0.6429310441017151, 0.23652112483978271, 0.05277499556541443, 0.007142319343984127, 0.0005862772813998163, 2.9189011911512353e-05, 8.814288321445929e-07},
	{-0.265002965927124, -0.48219814896583557, -0.29565173387527466, -0.09235620498657227, -0.016070157289505005, -0.0016122674569487572, -9.486933413427323e-05, -3.3060709938581567e-06},
	{-0.3091704845428467, 0.02678835019469261, 0.16753588616847992, 0.0901573896408081, 0.021724512800574303, 0.0027603802736848593, 0.00019581262313295156, 7.9703277151566e-06},
	{0.12693455815315247, 0.15067562460899353, -0.0061320350505411625, -0.048105522990226746, -0.0190882571041584, -0.003257710486650467, -0.0002861694374587387, -1.378540946461726e-05},
	{0.08003626763820648, -0.0532170906662941, -0.04718655347824097, 0.0066184732131659985, 0.010660059750080109, 0.0027562910690903664, 0.000313628843287006, 1.8330058082938194e-05},
	{-0.0393407940864563, -0.026582829654216766, 0.020597737282514572, 0.009049494750797749, -0.002779565053060651, -0.0016678505344316363, -0.0002737584291025996, -2.069242145807948e-05},
	{-0.015803370624780655, 0.017885494977235794, 0.003745110472664237, -0.005933099426329136, -0.0007215269724838436, 0.0006358154350891709, 0.00017359651974402368, 1.7144737284979783e-05},
}

var constMem = map[string]Mem{}

// defineConsts emits each constant as a 32-byte vector of eight copies, plus
// the integer vectors of the exponent bias and the sign and abs masks.
func defineConsts() {
	for _, c := range consts {
		m := GLOBL("c_"+c.name, RODATA|NOPTR)
		for i := 0; i < 8; i++ {
			DATA(4*i, U32(math.Float32bits(c.v)))
		}
		constMem[c.name] = m
	}
	for j, row := range erfTable {
		m := GLOBL(fmt.Sprintf("c_erfT%d", j), RODATA|NOPTR)
		for i, v := range row {
			DATA(4*i, U32(math.Float32bits(v)))
		}
		constMem[fmt.Sprintf("erfT%d", j)] = m
	}
	ints := []struct {
		name string
		v    uint32
	}{{"bias127", 127}, {"sign", 1 << 31}, {"abs", 1<<31 - 1}, {"inf", 0x7f800000}}
	for _, c := range ints {
		m := GLOBL("c_"+c.name, RODATA|NOPTR)
		for i := 0; i < 8; i++ {
			DATA(4*i, U32(c.v))
		}
		constMem[c.name] = m
	}
}

func cm(name string) Mem {
	m, ok := constMem[name]
	if !ok {
		panic("no constant " + name)
	}
	return m
}

// expYMM returns e^x lane by lane (x is kept): x = n·ln2 + r, e^r from the
// polynomial, 2^n built in the exponent bits; x < expmin gives 0 and
// x > expmax +Inf.
func expYMM(x VecVirtual) VecVirtual {
	n, r, p, r2, e, m := YMM(), YMM(), YMM(), YMM(), YMM(), YMM()
	VMULPS(cm("log2e"), x, n)
	VROUNDPS(U8(0), n, n)
	VMOVAPS(x, r)
	VFNMADD231PS(cm("ln2hi"), n, r)
	VFNMADD231PS(cm("ln2lo"), n, r)
	VMOVUPS(cm("exp0"), p)
	for _, c := range []string{"exp1", "exp2", "exp3", "exp4"} {
		VFMADD213PS(cm(c), r, p)
	}
	VMULPS(r, r, r2)
	VFMADD213PS(r, r2, p) // p·r² + r
	VADDPS(cm("one"), p, e)
	VCVTPS2DQ(n, n)
	VPADDD(cm("bias127"), n, n)
	VPSLLD(U8(23), n, n)
	VMULPS(n, e, e)
	VCMPPS(U8(1), cm("expmin"), x, m) // x < expmin
	VANDNPS(e, m, e)
	VCMPPS(U8(0x0e), cm("expmax"), x, m) // x > expmax
	VBLENDVPS(m, cm("inf"), e, e)
	return e
}

// hsum reduces the eight lanes of v to their sum in the low lane.
func hsum(v VecVirtual) VecVirtual {
	hi, t := XMM(), XMM()
	VEXTRACTF128(U8(1), v, hi)
	VADDPS(hi, v.AsX(), hi)
	VMOVHLPS(hi, hi, t)
	VADDPS(t, hi, hi)
	VMOVSHDUP(hi, t)
	VADDSS(t, hi, hi)
	return hi
}

// loop emits a loop over n floats (a multiple of 8), 8·unroll then 8 at a
// time: step(at, u) handles the u-th vector of a block, at(base) being its
// address in the slice that starts at base.
func loop(prefix string, n GPVirtual, unroll int, step func(at func(base GPVirtual) Mem, u int)) {
	off, end := GP64(), GP64()
	XORQ(off, off)
	SHLQ(U8(2), n)
	at := func(u int) func(GPVirtual) Mem {
		return func(base GPVirtual) Mem { return Mem{Base: base, Index: off, Scale: 1, Disp: 32 * u} }
	}
	Label(prefix + "_big")
	LEAQ(Mem{Base: off, Disp: 32 * unroll}, end)
	CMPQ(end, n)
	JA(LabelRef(prefix + "_small"))
	for u := 0; u < unroll; u++ {
		step(at(u), u)
	}
	MOVQ(end, off)
	JMP(LabelRef(prefix + "_big"))
	Label(prefix + "_small")
	CMPQ(off, n)
	JAE(LabelRef(prefix + "_done"))
	step(at(0), 0)
	ADDQ(U8(32), off)
	JMP(LabelRef(prefix + "_small"))
	Label(prefix + "_done")
}

// reduce emits a loop that accumulates into four vectors with
// body(at, acc) and returns the sum of all their lanes.
func reduce(prefix string, n GPVirtual, body func(at func(GPVirtual) Mem, acc VecVirtual)) VecVirtual {
	acc := []VecVirtual{YMM(), YMM(), YMM(), YMM()}
	for _, a := range acc {
		VXORPS(a, a, a)
	}
	loop(prefix, n, 4, func(at func(GPVirtual) Mem, u int) { body(at, acc[u]) })
	VADDPS(acc[1], acc[0], acc[0])
	VADDPS(acc[3], acc[2], acc[2])
	VADDPS(acc[2], acc[0], acc[0])
	return hsum(acc[0])
}

// slice loads the base and length of a []float32 argument.
func slice(name string) (GPVirtual, GPVirtual) {
	return Load(Param(name).Base(), GP64()).(GPVirtual), Load(Param(name).Len(), GP64()).(GPVirtual)
}

func param32(name string, offset int) VecVirtual {
	v := YMM()
	VBROADCASTSS(NewParamAddr(name, offset), v)
	return v
}

func header(name, sig string, doc ...string) {
	TEXT(name, NOSPLIT, sig)
	Doc(doc...)
	Pragma("noescape")
}

func done() {
	VZEROUPPER()
	RET()
}

// rowFuncs emits the vector loops of the row passes. Every length is a
// multiple of 8; the Go wrappers do the rest of a row.
func rowFuncs() {
	header("vsumAVX2", "func(x []float32) float32", "vsumAVX2 returns Σ x.")
	x, n := slice("x")
	s := reduce("sum", n, func(at func(GPVirtual) Mem, acc VecVirtual) {
		VADDPS(at(x), acc, acc)
	})
	Store(s, ReturnIndex(0))
	done()

	header("vsumSqDevAVX2", "func(x []float32, m float32) float32", "vsumSqDevAVX2 returns Σ (x-m)².")
	x, n = slice("x")
	m := param32("m", 24)
	s = reduce("ssd", n, func(at func(GPVirtual) Mem, acc VecVirtual) {
		t := YMM()
		VMOVUPS(at(x), t)
		VSUBPS(m, t, t)
		VFMADD231PS(t, t, acc)
	})
	Store(s, ReturnIndex(0))
	done()

	header("vaddSumAVX2", "func(x, r []float32) float32", "vaddSumAVX2 sets x += r and returns Σ x; r is at least as long as x.")
	x, n = slice("x")
	r, _ := slice("r")
	s = reduce("as", n, func(at func(GPVirtual) Mem, acc VecVirtual) {
		t := YMM()
		VMOVUPS(at(x), t)
		VADDPS(at(r), t, t)
		VMOVUPS(t, at(x))
		VADDPS(t, acc, acc)
	})
	Store(s, ReturnIndex(0))
	done()

	header("vmaxAVX2", "func(x []float32) float32", "vmaxAVX2 returns the largest of x; len(x) ≥ 8.")
	x, n = slice("x")
	mx := YMM()
	VMOVUPS(Mem{Base: x}, mx)
	loop("max", n, 1, func(at func(GPVirtual) Mem, u int) {
		VMAXPS(at(x), mx, mx)
	})
	hi, t := XMM(), XMM()
	VEXTRACTF128(U8(1), mx, hi)
	VMAXPS(hi, mx.AsX(), hi)
	VMOVHLPS(hi, hi, t)
	VMAXPS(t, hi, hi)
	VMOVSHDUP(hi, t)
	VMAXSS(t, hi, hi)
	Store(hi, ReturnIndex(0))
	done()

	header("vnormAVX2", "func(dst, x []float32, m, inv float32, gamma, beta []float32)",
		"vnormAVX2 sets dst = (x-m)·inv·gamma + beta; x, gamma and beta are at least as long as dst.")
	d, n := slice("dst")
	x, _ = slice("x")
	m, inv := param32("m", 48), param32("inv", 52)
	g, _ := slice("gamma")
	b, _ := slice("beta")
	loop("norm", n, 2, func(at func(GPVirtual) Mem, u int) {
		t := YMM()
		VMOVUPS(at(x), t)
		VSUBPS(m, t, t)
		VMULPS(inv, t, t)
		VMULPS(at(g), t, t)
		VADDPS(at(b), t, t)
		VMOVUPS(t, at(d))
	})
	done()

	header("vexpSubAVX2", "func(x []float32, m float32) float32", "vexpSubAVX2 sets x = e^(x-m) and returns Σ x.")
	x, n = slice("x")
	m = param32("m", 24)
	s = reduce("es", n, func(at func(GPVirtual) Mem, acc VecVirtual) {
		t := YMM()
		VMOVUPS(at(x), t)
		VSUBPS(m, t, t)
		e := expYMM(t)
		VMOVUPS(e, at(x))
		VADDPS(e, acc, acc)
	})
	Store(s, ReturnIndex(0))
	done()

	header("vscaleAVX2", "func(x []float32, s float32)", "vscaleAVX2 sets x *= s.")
	x, n = slice("x")
	sc := param32("s", 24)
	loop("scale", n, 4, func(at func(GPVirtual) Mem, u int) {
		t := YMM()
		VMULPS(at(x), sc, t)
		VMOVUPS(t, at(x))
	})
	done()

	header("vaddAVX2", "func(dst, src []float32)", "vaddAVX2 sets dst += src; src is at least as long as dst.")
	x, n = slice("dst")
	r, _ = slice("src")
	loop("add", n, 4, func(at func(GPVirtual) Mem, u int) {
		t := YMM()
		VMOVUPS(at(x), t)
		VADDPS(at(r), t, t)
		VMOVUPS(t, at(x))
	})
	done()

	header("vgeluAVX2", "func(x []float32)", "vgeluAVX2 sets x = 0.5·x·(1 + erf(x/√2)).")
	x, n = slice("x")
	loop("gelu", n, 1, func(at func(GPVirtual) Mem, u int) {
		v := YMM()
		VMOVUPS(at(x), v)
		VMOVUPS(geluYMM(v), at(x))
	})
	done()

	header("vgateAVX2", "func(x []float32, a, b float32)", "vgateAVX2 sets x = x / (1 + e^(-x·(a + b·x²))).")
	x, n = slice("x")
	a, bb := param32("a", 24), param32("b", 28)
	loop("gate", n, 1, func(at func(GPVirtual) Mem, u int) {
		v, u2 := YMM(), YMM()
		VMOVUPS(at(x), v)
		VMULPS(v, v, u2)
		VFMADD213PS(a, bb, u2) // b·x² + a
		VMULPS(v, u2, u2)
		VXORPS(cm("sign"), u2, u2)
		e := expYMM(u2)
		VADDPS(cm("one"), e, e)
		VDIVPS(e, v, v)
		VMOVUPS(v, at(x))
	})
	done()
}

// geluYMM returns 0.5·x·(1 + erf(x/√2)) lane by lane: erf from x·P(x²) below
// erfsplit and from 1 - e^Q(min(|x|, erfmax)) above, as erff does.
func geluYMM(x VecVirtual) VecVirtual {
	// erf(|z|) from one of eight polynomials in u = |z| - i/2 - 1/4 on
	// [i/2, i/2+1/2), |z| ≤ 4 (erf(4) is 1 in float32), the coefficients
	// picked lane by lane with VPERMPS.
	z, a, f, u, idx := YMM(), YMM(), YMM(), YMM(), YMM()
	VMULPS(cm("sqrthalf"), x, z)
	VANDPS(cm("abs"), z, a)
	lim := YMM()
	VMOVUPS(cm("erfmax"), lim)
	VMINPS(a, lim, a) // NaN stays NaN
	VADDPS(a, a, f)
	VROUNDPS(U8(1), f, f) // floor(2|z|)
	VMINPS(cm("seven"), f, f)
	VSUBPS(cm("quarter"), a, u)
	VFNMADD231PS(cm("half"), f, u) // u = |z| - 1/4 - f/2
	VCVTTPS2DQ(f, idx)
	p, c := YMM(), YMM()
	VPERMPS(cm("erfT7"), idx, p)
	for j := 6; j >= 0; j-- {
		VPERMPS(cm(fmt.Sprintf("erfT%d", j)), idx, c)
		VFMADD213PS(c, u, p) // p = p·u + c_j
	}
	s := YMM()
	VANDPS(cm("sign"), z, s)
	VORPS(s, p, p) // erf(z) = copysign(erf(|z|), z)
	h := YMM()
	VMULPS(cm("half"), x, h)
	VFMADD213PS(h, h, p) // h·erf + h
	return p
}
