package safetensors

import (
	"encoding/binary"
	"fmt"
	"math"
	"unsafe"

	"github.com/x448/float16"
)

// Source is what the typed readers work on: a *Reader, a *File or a
// *Sharded set.
type Source interface {
	Names() []string
	Tensor(name string) (TensorInfo, bool)
	Bytes(name string) ([]byte, error)
	// raw returns the tensor, its bytes and the file that holds it.
	raw(name string) (t *TensorInfo, b []byte, file string, err error)
}

var (
	_ Source = (*Reader)(nil)
	_ Source = (*File)(nil)
)

// Number is the element types Values can return.
type Number interface {
	int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64 | float32 | float64 | complex64
}

// littleEndian reports whether the machine stores numbers as the format
// does, so that file bytes can be used in place.
var littleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// Values returns the elements of the tensor name as []T, without
// conversion: T must be the tensor's own type (int64 for I64, float32 for
// F32, complex64 for C64, ...); uint16 also reads the raw bits of F16 and
// BF16, and uint8 those of BOOL and the 8-bit float dtypes.
//
// When the file's bytes are suitably aligned the result shares their memory:
// for a File it is then a read-only view of the mapping, valid until Close.
func Values[T Number](src Source, name string) ([]T, error) {
	t, b, file, err := src.raw(name)
	if err != nil {
		return nil, err
	}
	var zero T
	if !rawCompatible(any(zero), t.DType) {
		return nil, &Error{File: file, Tensor: name, Err: &detailError{kind: ErrDType, msg: fmt.Sprintf("cannot read %s as %T", t.DType, zero)}}
	}
	return viewOrCopy[T](b), nil
}

// rawCompatible reports whether the bytes of dtype d are elements of v's type.
func rawCompatible(v any, d DType) bool {
	switch v.(type) {
	case int8:
		return d == I8
	case int16:
		return d == I16
	case int32:
		return d == I32
	case int64:
		return d == I64
	case uint8:
		return d == U8 || d == BOOL || d == F8_E5M2 || d == F8_E4M3 || d == F8_E8M0 || d == F8_E4M3FNUZ || d == F8_E5M2FNUZ
	case uint16:
		return d == U16 || d == F16 || d == BF16
	case uint32:
		return d == U32
	case uint64:
		return d == U64
	case float32:
		return d == F32
	case float64:
		return d == F64
	case complex64:
		return d == C64
	}
	return false
}

// viewOrCopy reinterprets the little-endian bytes b as []T in place when the
// machine is little-endian and b is aligned for T, and copies otherwise.
func viewOrCopy[T Number](b []byte) []T {
	var zero T
	size := int(unsafe.Sizeof(zero))
	n := len(b) / size
	if n == 0 {
		return []T{}
	}
	p := unsafe.Pointer(unsafe.SliceData(b))
	if littleEndian && uintptr(p)%unsafe.Alignof(zero) == 0 {
		return unsafe.Slice((*T)(p), n)
	}
	out := make([]T, n)
	dst := unsafe.Slice((*byte)(unsafe.Pointer(&out[0])), n*size)
	copy(dst, b)
	if !littleEndian {
		if _, ok := any(zero).(complex64); ok {
			size = 4 // two float32 parts
		}
		swapBytes(dst, size)
	}
	return out
}

// swapBytes reverses the bytes of every size-byte element of b.
func swapBytes(b []byte, size int) {
	for i := 0; i+size <= len(b); i += size {
		e := b[i : i+size]
		for j, k := 0, size-1; j < k; j, k = j+1, k-1 {
			e[j], e[k] = e[k], e[j]
		}
	}
}

// Float32 returns the tensor name as float32 values, decoding F32, F16,
// BF16, F64 (rounded to nearest) and the 8-bit float dtypes. The conversion
// from F16, BF16 and the 8-bit floats is exact.
//
// For an F32 tensor of a File whose data is 4-byte aligned in the file (as
// writers lay them out) the result is a zero-copy, read-only view of the
// mapping, valid until Close: never write to it. Otherwise the result is a
// new slice owned by the caller.
func (r *Reader) Float32(name string) ([]float32, error) { return float32s(r, name) }

// Int64 returns the tensor name as int64 values: I64 as it is (a read-only
// view of the mapping for an aligned tensor of a File, like Float32), the
// other integer dtypes and BOOL widened, U64 when every value fits.
func (r *Reader) Int64(name string) ([]int64, error) { return int64s(r, name) }

// Bool returns the BOOL tensor name as []bool (a byte other than 0 is true),
// always in a new slice.
func (r *Reader) Bool(name string) ([]bool, error) { return bools(r, name) }

func float32s(src Source, name string) ([]float32, error) {
	t, b, file, err := src.raw(name)
	if err != nil {
		return nil, err
	}
	if t.DType == F32 {
		return viewOrCopy[float32](b), nil
	}
	out, err := decodeFloat32(t.DType, b)
	if err != nil {
		return nil, &Error{File: file, Tensor: name, Err: err}
	}
	return out, nil
}

// decodeFloat32 converts the bytes of a float dtype other than F32.
func decodeFloat32(d DType, b []byte) ([]float32, error) {
	le := binary.LittleEndian
	switch d {
	case F16:
		out := make([]float32, len(b)/2)
		for i := range out {
			out[i] = float16.Frombits(le.Uint16(b[2*i:])).Float32()
		}
		return out, nil
	case BF16:
		out := make([]float32, len(b)/2)
		for i := range out {
			out[i] = math.Float32frombits(uint32(le.Uint16(b[2*i:])) << 16)
		}
		return out, nil
	case F64:
		out := make([]float32, len(b)/8)
		for i := range out {
			out[i] = float32(math.Float64frombits(le.Uint64(b[8*i:])))
		}
		return out, nil
	}
	if table := float8Tables[d]; table != nil {
		out := make([]float32, len(b))
		for i, v := range b {
			out[i] = table[v]
		}
		return out, nil
	}
	return nil, &detailError{kind: ErrDType, msg: fmt.Sprintf("cannot decode %s as float32", d)}
}

func int64s(src Source, name string) ([]int64, error) {
	t, b, file, err := src.raw(name)
	if err != nil {
		return nil, err
	}
	if t.DType == I64 {
		return viewOrCopy[int64](b), nil
	}
	fail := func(msg string) error {
		return &Error{File: file, Tensor: name, Err: &detailError{kind: ErrDType, msg: msg}}
	}
	size := t.DType.Size()
	if size == 0 || !isInteger(t.DType) {
		return nil, fail(fmt.Sprintf("cannot read %s as int64", t.DType))
	}
	out := make([]int64, len(b)/size)
	le := binary.LittleEndian
	for i := range out {
		switch t.DType {
		case I8:
			out[i] = int64(int8(b[i]))
		case U8, BOOL:
			out[i] = int64(b[i])
		case I16:
			out[i] = int64(int16(le.Uint16(b[2*i:])))
		case U16:
			out[i] = int64(le.Uint16(b[2*i:]))
		case I32:
			out[i] = int64(int32(le.Uint32(b[4*i:])))
		case U32:
			out[i] = int64(le.Uint32(b[4*i:]))
		case U64:
			v := le.Uint64(b[8*i:])
			if v > math.MaxInt64 {
				return nil, fail(fmt.Sprintf("element %d (%d) does not fit in an int64", i, v))
			}
			out[i] = int64(v)
		}
	}
	return out, nil
}

func isInteger(d DType) bool {
	switch d {
	case BOOL, U8, I8, I16, U16, I32, U32, I64, U64:
		return true
	}
	return false
}

func bools(src Source, name string) ([]bool, error) {
	t, b, file, err := src.raw(name)
	if err != nil {
		return nil, err
	}
	if t.DType != BOOL {
		return nil, &Error{File: file, Tensor: name, Err: &detailError{kind: ErrDType, msg: fmt.Sprintf("cannot read %s as bool", t.DType)}}
	}
	out := make([]bool, len(b))
	for i, v := range b {
		out[i] = v != 0
	}
	return out, nil
}
