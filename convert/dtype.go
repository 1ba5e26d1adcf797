package convert

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"unsafe"

	"github.com/x448/float16"
)

// dtype describes an element type by its safetensors name and size in bytes.
type dtype struct {
	name  string // safetensors name: "F32", "BF16", ...
	size  int    // bytes per element
	float bool   // floating point (cast by --dtype)
}

var (
	dtF64  = dtype{"F64", 8, true}
	dtF32  = dtype{"F32", 4, true}
	dtF16  = dtype{"F16", 2, true}
	dtBF16 = dtype{"BF16", 2, true}
	dtI64  = dtype{"I64", 8, false}
	dtI32  = dtype{"I32", 4, false}
	dtI16  = dtype{"I16", 2, false}
	dtI8   = dtype{"I8", 1, false}
	dtU64  = dtype{"U64", 8, false}
	dtU32  = dtype{"U32", 4, false}
	dtU16  = dtype{"U16", 2, false}
	dtU8   = dtype{"U8", 1, false}
	dtBool = dtype{"BOOL", 1, false}
	// 8-bit floats are read and written as they are, never cast.
	dtF8E4 = dtype{"F8_E4M3", 1, false}
	dtF8E5 = dtype{"F8_E5M2", 1, false}
)

// dtypeByName maps safetensors dtype names to their descriptions.
var dtypeByName = map[string]dtype{}

func init() {
	for _, d := range []dtype{dtF64, dtF32, dtF16, dtBF16, dtI64, dtI32, dtI16, dtI8,
		dtU64, dtU32, dtU16, dtU8, dtBool, dtF8E4, dtF8E5} {
		dtypeByName[d.name] = d
	}
}

// DTypeSize returns the size in bytes of one element of the safetensors
// dtype name ("F32" -> 4), or 0 for an unknown name.
func DTypeSize(name string) int {
	return dtypeByName[name].size
}

// ParseDType accepts the float dtypes a checkpoint can be converted to, in
// PyTorch, numpy or safetensors spelling ("f16", "float16", "half", "F16"),
// and returns the safetensors name: "F32", "F16" or "BF16".
func ParseDType(s string) (string, error) {
	switch strings.ToLower(s) {
	case "f32", "fp32", "float32", "float":
		return "F32", nil
	case "f16", "fp16", "float16", "half":
		return "F16", nil
	case "bf16", "bfloat16":
		return "BF16", nil
	}
	return "", fmt.Errorf("convert: dtype %q: want f32, f16 or bf16", s)
}

// decodeFloat32 decodes n little-endian elements of dtype d from b into a
// new float32 slice. Integers and booleans convert by value.
func decodeFloat32(d dtype, b []byte) ([]float32, error) {
	n := len(b) / d.size
	out := make([]float32, n)
	switch d.name {
	case "F32":
		if nativeLittleEndian && n > 0 {
			copy(unsafe.Slice((*byte)(unsafe.Pointer(&out[0])), 4*n), b)
			break
		}
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
	case "F16":
		for i := range out {
			out[i] = float16.Frombits(binary.LittleEndian.Uint16(b[2*i:])).Float32()
		}
	case "BF16":
		for i := range out {
			out[i] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(b[2*i:])) << 16)
		}
	case "F64":
		for i := range out {
			out[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:])))
		}
	case "I64":
		for i := range out {
			out[i] = float32(int64(binary.LittleEndian.Uint64(b[8*i:])))
		}
	case "I32":
		for i := range out {
			out[i] = float32(int32(binary.LittleEndian.Uint32(b[4*i:])))
		}
	case "I16":
		for i := range out {
			out[i] = float32(int16(binary.LittleEndian.Uint16(b[2*i:])))
		}
	case "I8":
		for i := range out {
			out[i] = float32(int8(b[i]))
		}
	case "U64":
		for i := range out {
			out[i] = float32(binary.LittleEndian.Uint64(b[8*i:]))
		}
	case "U32":
		for i := range out {
			out[i] = float32(binary.LittleEndian.Uint32(b[4*i:]))
		}
	case "U16":
		for i := range out {
			out[i] = float32(binary.LittleEndian.Uint16(b[2*i:]))
		}
	case "U8", "BOOL":
		for i := range out {
			out[i] = float32(b[i])
		}
	default:
		return nil, fmt.Errorf("%w: dtype %s has no float32 decoding", ErrUnsupported, d.name)
	}
	return out, nil
}

// float32View returns b as a []float32 without copying when b holds aligned
// little-endian float32 values on a little-endian machine; ok is false
// otherwise.
func float32View(b []byte) ([]float32, bool) {
	if len(b) == 0 || len(b)%4 != 0 || !nativeLittleEndian || uintptr(unsafe.Pointer(&b[0]))%4 != 0 {
		return nil, false
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(&b[0])), len(b)/4), true
}

var nativeLittleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// castFloat converts little-endian float elements of dtype from to dtype to,
// rounding to nearest even as PyTorch's Tensor.to does (float64 goes through
// float32, as c10::Half and c10::BFloat16 do). Equal dtypes return b.
func castFloat(from, to dtype, b []byte) ([]byte, error) {
	if from == to {
		return b, nil
	}
	if !from.float || !to.float {
		return nil, fmt.Errorf("%w: cast %s to %s", ErrUnsupported, from.name, to.name)
	}
	n := len(b) / from.size
	out := make([]byte, n*to.size)
	const chunk = 4096
	for i := 0; i < n; i += chunk {
		j := min(i+chunk, n)
		vals, err := decodeFloat32(from, b[i*from.size:j*from.size])
		if err != nil {
			return nil, err
		}
		if err := encodeFloat32(to, vals, out[i*to.size:j*to.size]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// encodeFloat32 writes vals into out as little-endian elements of dtype d.
func encodeFloat32(d dtype, vals []float32, out []byte) error {
	switch d {
	case dtF32:
		for i, v := range vals {
			binary.LittleEndian.PutUint32(out[4*i:], math.Float32bits(v))
		}
	case dtF16:
		for i, v := range vals {
			binary.LittleEndian.PutUint16(out[2*i:], f16FromFloat32(v))
		}
	case dtBF16:
		for i, v := range vals {
			binary.LittleEndian.PutUint16(out[2*i:], bf16FromFloat32(v))
		}
	default:
		return fmt.Errorf("%w: cast to %s", ErrUnsupported, d.name)
	}
	return nil
}

// f16FromFloat32 rounds to the nearest IEEE half, ties to even; NaN becomes
// the quiet NaN 0x7e00 with its sign, as c10::Half does.
func f16FromFloat32(f float32) uint16 {
	if f != f {
		return uint16(math.Float32bits(f)>>16)&0x8000 | 0x7e00
	}
	return float16.Fromfloat32(f).Bits()
}

// bf16FromFloat32 rounds to the nearest bfloat16, ties to even, as
// c10::BFloat16 does; NaN becomes the canonical quiet NaN 0x7fc0.
func bf16FromFloat32(f float32) uint16 {
	if f != f {
		return 0x7fc0
	}
	u := math.Float32bits(f)
	u += 0x7fff + (u>>16)&1
	return uint16(u >> 16)
}
