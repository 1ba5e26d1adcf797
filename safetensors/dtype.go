package safetensors

// DType is the element type of a tensor, spelled as in the header: "F32",
// "BF16", "I64", ...
type DType string

// The dtypes of the safetensors format, in the order the reference writer
// ranks them (ascending alignment): the writer lays tensors out by
// descending rank, then by name.
const (
	BOOL        DType = "BOOL"        // boolean, one byte
	F4          DType = "F4"          // 4-bit float (E2M1, OCP MX), two per byte
	F6_E2M3     DType = "F6_E2M3"     // 6-bit float (OCP MX)
	F6_E3M2     DType = "F6_E3M2"     // 6-bit float (OCP MX)
	U8          DType = "U8"          // unsigned 8-bit integer
	I8          DType = "I8"          // signed 8-bit integer
	F8_E5M2     DType = "F8_E5M2"     // 8-bit float, 5 exponent bits (torch.float8_e5m2)
	F8_E4M3     DType = "F8_E4M3"     // 8-bit float, 4 exponent bits, no infinities (torch.float8_e4m3fn)
	F8_E8M0     DType = "F8_E8M0"     // 8-bit power-of-two scale (OCP MX E8M0)
	F8_E4M3FNUZ DType = "F8_E4M3FNUZ" // 8-bit float, 4 exponent bits, unsigned zero (torch.float8_e4m3fnuz)
	F8_E5M2FNUZ DType = "F8_E5M2FNUZ" // 8-bit float, 5 exponent bits, unsigned zero (torch.float8_e5m2fnuz)
	I16         DType = "I16"         // signed 16-bit integer
	U16         DType = "U16"         // unsigned 16-bit integer
	F16         DType = "F16"         // IEEE 754 half precision
	BF16        DType = "BF16"        // bfloat16
	I32         DType = "I32"         // signed 32-bit integer
	U32         DType = "U32"         // unsigned 32-bit integer
	F32         DType = "F32"         // IEEE 754 single precision
	C64         DType = "C64"         // complex64: two float32, real then imaginary
	F64         DType = "F64"         // IEEE 754 double precision
	I64         DType = "I64"         // signed 64-bit integer
	U64         DType = "U64"         // unsigned 64-bit integer
)

// dtypeInfo is what the format says about a dtype: its width in bits and
// its rank in the writer's ordering.
type dtypeInfo struct {
	bits int
	rank int
}

var dtypes = func() map[DType]dtypeInfo {
	order := []struct {
		d    DType
		bits int
	}{
		{BOOL, 8}, {F4, 4}, {F6_E2M3, 6}, {F6_E3M2, 6}, {U8, 8}, {I8, 8},
		{F8_E5M2, 8}, {F8_E4M3, 8}, {F8_E8M0, 8}, {F8_E4M3FNUZ, 8}, {F8_E5M2FNUZ, 8},
		{I16, 16}, {U16, 16}, {F16, 16}, {BF16, 16}, {I32, 32}, {U32, 32}, {F32, 32},
		{C64, 64}, {F64, 64}, {I64, 64}, {U64, 64},
	}
	m := make(map[DType]dtypeInfo, len(order))
	for i, o := range order {
		m[o.d] = dtypeInfo{bits: o.bits, rank: i}
	}
	return m
}()

// DTypes returns every dtype of the format, in ascending rank.
func DTypes() []DType {
	out := make([]DType, len(dtypes))
	for d, info := range dtypes {
		out[info.rank] = d
	}
	return out
}

// Known reports whether d is a dtype of the format.
func (d DType) Known() bool {
	_, ok := dtypes[d]
	return ok
}

// Bits returns the width of one element in bits (4 for F4, 6 for the F6
// dtypes), or 0 for an unknown dtype.
func (d DType) Bits() int { return dtypes[d].bits }

// Size returns the size of one element in bytes, or 0 for an unknown dtype
// and for the sub-byte dtypes (F4, F6_E2M3, F6_E3M2), whose tensors are
// packed bit strings: use Bits for those.
func (d DType) Size() int {
	b := d.Bits()
	if b%8 != 0 {
		return 0
	}
	return b / 8
}

// String returns the dtype as spelled in the header.
func (d DType) String() string { return string(d) }
