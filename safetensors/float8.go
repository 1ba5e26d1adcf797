package safetensors

import "math"

// float8Tables maps every byte of each 8-bit float dtype to its value.
var float8Tables = map[DType]*[256]float32{
	F8_E4M3:     float8Table(4, 3, 7, fnNaN),
	F8_E5M2:     float8Table(5, 2, 15, ieeeNaN),
	F8_E4M3FNUZ: float8Table(4, 3, 8, fnuzNaN),
	F8_E5M2FNUZ: float8Table(5, 2, 16, fnuzNaN),
	F8_E8M0:     e8m0Table(),
}

// The ways 8-bit float formats spend their special encodings.
const (
	ieeeNaN = iota // all-ones exponent: infinities and NaNs, as IEEE 754
	fnNaN          // finite: only S.1111.111 is NaN (float8_e4m3fn)
	fnuzNaN        // finite, unsigned zero: 0x80 is the only NaN
)

// float8Table builds the value table of a sign/exponent/mantissa format.
func float8Table(expBits, manBits, bias, nan int) *[256]float32 {
	var t [256]float32
	expMax := 1<<expBits - 1
	for v := range 256 {
		sign := v >> 7
		exp := (v >> manBits) & expMax
		man := v & (1<<manBits - 1)
		var x float64
		switch {
		case nan == ieeeNaN && exp == expMax && man == 0:
			x = math.Inf(1)
		case nan == ieeeNaN && exp == expMax,
			nan == fnNaN && exp == expMax && man == 1<<manBits-1,
			nan == fnuzNaN && v == 0x80:
			x = math.NaN()
		case exp == 0:
			x = math.Ldexp(float64(man), 1-bias-manBits)
		default:
			x = math.Ldexp(float64(man|1<<manBits), exp-bias-manBits)
		}
		if sign == 1 {
			x = -x
		}
		t[v] = float32(x)
	}
	return &t
}

// e8m0Table builds the table of the OCP MX E8M0 scale: 2^(v-127), 0xFF NaN.
func e8m0Table() *[256]float32 {
	var t [256]float32
	for v := range 255 {
		t[v] = float32(math.Ldexp(1, v-127))
	}
	t[255] = float32(math.NaN())
	return &t
}
