package main

import (
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
	{"erfsplit", 0.875},
	{"erfmax", 4},
	{"erfA0", -0.00062145853619771368},
	{"erfA1", 0.0050343706632040955},
	{"erfA2", -0.026792947777837309},
	{"erfA3", 0.11282496599586316},
	{"erfA4", -0.37612554506584433},
	{"erfA5", 1.1283791581332127},
	{"erfB0", -3.5332629926372153e-8},
	{"erfB1", 2.3826997621940616e-6},
	{"erfB2", -5.2820617487378564e-5},
	{"erfB3", 0.00063126896383184803},
	{"erfB4", -0.0048677870688960614},
	{"erfB5", 0.026636725019148069},
	{"erfB6", -0.11035048935633411},
	{"erfB7", -0.63162263153197906},
	{"erfB8", -1.1303151502552625},
	{"erfB9", 0.00033301724502075221},
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
	z, a, t, p := YMM(), YMM(), YMM(), YMM()
	VMULPS(cm("sqrthalf"), x, z)
	VANDPS(cm("abs"), z, a)
	VMULPS(z, z, t)
	VMOVUPS(cm("erfA0"), p)
	for _, c := range []string{"erfA1", "erfA2", "erfA3", "erfA4", "erfA5"} {
		VFMADD213PS(cm(c), t, p)
	}
	VMULPS(z, p, p) // small |z|: erf = z·P(z²)
	ac, q := YMM(), YMM()
	VMOVUPS(cm("erfmax"), ac)
	VMINPS(a, ac, ac) // NaN in a stays NaN
	VMOVUPS(cm("erfB0"), q)
	for _, c := range []string{"erfB1", "erfB2", "erfB3", "erfB4", "erfB5", "erfB6", "erfB7", "erfB8", "erfB9"} {
		VFMADD213PS(cm(c), ac, q)
	}
	e := expYMM(q)
	big := YMM()
	VMOVUPS(cm("one"), big)
	VSUBPS(e, big, big)
	VANDPS(cm("sign"), z, t)
	VORPS(t, big, big) // copysign(1 - e^Q, z)
	m := YMM()
	VCMPPS(U8(1), cm("erfsplit"), a, m) // |z| < erfsplit
	VBLENDVPS(m, p, big, big)
	h := YMM()
	VMULPS(cm("half"), x, h)
	VFMADD213PS(h, h, big) // h·erf + h
	return big
}
