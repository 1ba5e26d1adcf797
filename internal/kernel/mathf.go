package kernel

import "math"

// Float32 elementary functions. The assembly in kernel_amd64.s evaluates the
// same polynomials eight lanes at a time; these scalar forms serve the tails
// of rows and CPUs without AVX2. The coefficients are near-minimax
// (Chebyshev) fits made for this package; the tests measure the error against
// the float64 functions of package math.

const (
	log2e = 1.44269504088896341
	ln2Hi = 0.693359375 // ln 2 = ln2Hi + ln2Lo, ln2Hi exact in few bits
	ln2Lo = -2.12194440e-4
	// expMax is the largest input expf returns finite (n ≤ 127 below);
	// expMin is ln(FLT_MIN): smaller inputs give 0.
	expMax = 88.3762626647949
	expMin = -87.33654

	// (e^r - 1 - r)/r² on [-ln2/2, ln2/2], highest degree first.
	exp0 = 0.0013926176119935579
	exp1 = 0.0083631730745137109
	exp2 = 0.041666554662050534
	exp3 = 0.16666577025597988
	exp4 = 0.5

	// erf(x)/x as a polynomial in x² for |x| < erfSplit.
	erfSplit = 0.875
	erfA0    = -0.00062145853619771368
	erfA1    = 0.0050343706632040955
	erfA2    = -0.026792947777837309
	erfA3    = 0.11282496599586316
	erfA4    = -0.37612554506584433
	erfA5    = 1.1283791581332127
	// log(erfc(u)) for erfSplit ≤ u ≤ erfMax; erf(erfMax) rounds to 1.
	erfMax = 4.0
	erfB0  = -3.5332629926372153e-8
	erfB1  = 2.3826997621940616e-6
	erfB2  = -5.2820617487378564e-5
	erfB3  = 0.00063126896383184803
	erfB4  = -0.0048677870688960614
	erfB5  = 0.026636725019148069
	erfB6  = -0.11035048935633411
	erfB7  = -0.63162263153197906
	erfB8  = -1.1303151502552625
	erfB9  = 0.00033301724502075221

	// (tanh(x) - x)/x³ as a polynomial in x² for |x| < tanhSplit.
	tanhSplit = 0.625
	tanh0     = -0.0060967141659081976
	tanh1     = 0.020997178999074751
	tanh2     = -0.053850909578513581
	tanh3     = 0.13332769736976328
	tanh4     = -0.33333328944134255

	sqrtHalf = 0.70710678118654752
)

// expf is e^x in float32.
func expf(x float32) float32 {
	switch {
	case x != x:
		return x
	case x > expMax:
		return float32(math.Inf(1))
	case x < expMin:
		return 0
	}
	n := roundf(x * log2e)
	r := x - n*ln2Hi
	r -= n * ln2Lo
	p := (((exp0*r+exp1)*r+exp2)*r+exp3)*r + exp4
	e := p*(r*r) + r + 1
	return e * math.Float32frombits(uint32(int32(n)+127)<<23)
}

// roundf rounds half away from zero; |x| < 2^31.
func roundf(x float32) float32 {
	if x < 0 {
		return float32(int32(x - 0.5))
	}
	return float32(int32(x + 0.5))
}

// erff is the error function in float32.
func erff(x float32) float32 {
	a := abs32(x)
	if a < erfSplit {
		t := x * x
		p := ((((erfA0*t+erfA1)*t+erfA2)*t+erfA3)*t+erfA4)*t + erfA5
		return x * p
	}
	if x != x {
		return x
	}
	a = min(a, erfMax)
	p := erfB0*a + erfB1
	p = p*a + erfB2
	p = p*a + erfB3
	p = p*a + erfB4
	p = p*a + erfB5
	p = p*a + erfB6
	p = p*a + erfB7
	p = p*a + erfB8
	p = p*a + erfB9
	return math.Float32frombits(math.Float32bits(1-expf(p)) | math.Float32bits(x)&(1<<31))
}

// tanhf is the hyperbolic tangent in float32.
func tanhf(x float32) float32 {
	a := abs32(x)
	if a < tanhSplit {
		t := x * x
		p := (((tanh0*t+tanh1)*t+tanh2)*t+tanh3)*t + tanh4
		return x + x*t*p
	}
	if x != x {
		return x
	}
	r := 1 - 2/(expf(2*a)+1)
	return math.Float32frombits(math.Float32bits(r) | math.Float32bits(x)&(1<<31))
}

func abs32(x float32) float32 {
	return math.Float32frombits(math.Float32bits(x) &^ (1 << 31))
}

// geluf is 0.5·x·(1 + erf(x/√2)).
func geluf(x float32) float32 {
	h := 0.5 * x
	return h + h*erff(x*sqrtHalf)
}

// gatef is x·σ(x·(a + b·x²)) = x / (1 + e^(-x·(a + b·x²))): the tanh GELUs
// (0.5·x·(1 + tanh(u)) = x·σ(2u)) and QuickGELU in one form.
func gatef(x, a, b float32) float32 {
	return x / (1 + expf(-x*(a+b*x*x)))
}
