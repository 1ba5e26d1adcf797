package safetensors

import (
	"cmp"
	"errors"
	"math"
	"math/bits"
	"slices"
	"unicode/utf8"

	"github.com/hfgo/hfgo/internal/jsonscan"
)

// parser reads the JSON of headers and indexes.
type parser struct{ *jsonscan.Parser }

// TensorInfo describes one tensor of a file. Begin and End are byte offsets
// relative to the start of the data section (see Reader.DataOffset).
type TensorInfo struct {
	Name       string
	DType      DType
	Shape      []int
	Begin, End int64
}

// Len returns the number of elements of the tensor (1 for a scalar of
// shape []).
func (t TensorInfo) Len() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

func (t TensorInfo) clone() TensorInfo {
	t.Shape = slices.Clone(t.Shape)
	if t.Shape == nil {
		t.Shape = []int{}
	}
	return t
}

// header is a parsed and validated header.
type header struct {
	tensors  []TensorInfo      // sorted by data offsets
	index    map[string]int    // name -> position in tensors
	metadata map[string]string // nil when the header has no __metadata__
	end      int64             // end of the last tensor: the data size the header implies
}

const metadataKey = "__metadata__"

// parseHeader parses and validates the JSON header b. Errors are *Error
// values without a file name.
func parseHeader(b []byte) (*header, error) {
	if !utf8.Valid(b) {
		return nil, newError("", "", ErrInvalidHeader, "header is not valid UTF-8")
	}
	if len(b) == 0 || b[0] != '{' {
		return nil, newError("", "", ErrInvalidHeader, "header does not start with '{'")
	}
	p := parser{jsonscan.NewOwned(b)}
	h := &header{index: map[string]int{}}
	sawMetadata := false
	err := p.Object(func(key string) error {
		if key == metadataKey {
			if sawMetadata {
				return newError("", "", ErrInvalidHeader, "duplicate %s", metadataKey)
			}
			sawMetadata = true
			m, err := p.metadata()
			h.metadata = m
			return err
		}
		if _, dup := h.index[key]; dup {
			return newError("", key, ErrInvalidHeader, "duplicate tensor name")
		}
		info, err := p.tensorInfo(key)
		if err != nil {
			return err
		}
		h.index[key] = len(h.tensors)
		h.tensors = append(h.tensors, info)
		return nil
	})
	if err == nil {
		err = p.End("header object")
	}
	if err != nil {
		return nil, asHeaderError(err)
	}
	return h, h.validate()
}

// asHeaderError turns a bare syntax error into an *Error.
func asHeaderError(err error) error { return asKind(err, ErrInvalidHeader) }

// asKind turns a bare syntax error into an *Error of kind.
func asKind(err, kind error) error {
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return causeError("", "", kind, err)
}

// metadata reads the __metadata__ value: null or a string-to-string map.
func (p parser) metadata() (map[string]string, error) {
	if p.Literal("null") {
		return nil, nil
	}
	if p.Peek() != '{' {
		return nil, newError("", "", ErrInvalidHeader, "%s is not an object", metadataKey)
	}
	m := map[string]string{}
	err := p.Object(func(key string) error {
		if _, dup := m[key]; dup {
			return newError("", "", ErrInvalidHeader, "duplicate %s key %q", metadataKey, key)
		}
		if p.Peek() != '"' {
			return newError("", "", ErrInvalidHeader, "%s value of %q is not a string", metadataKey, key)
		}
		v, err := p.Str()
		m[key] = v
		return err
	})
	return m, err
}

// tensorInfo reads one tensor entry: {"dtype", "shape", "data_offsets"}.
// Other keys are ignored, as in the reference implementation.
func (p parser) tensorInfo(name string) (TensorInfo, error) {
	t := TensorInfo{Name: name}
	var seen [3]bool
	bad := func(format string, args ...any) error {
		return newError("", name, ErrInvalidHeader, format, args...)
	}
	if p.Peek() != '{' {
		return t, bad("entry is not an object")
	}
	err := p.Object(func(key string) error {
		field := slices.Index([]string{"dtype", "shape", "data_offsets"}, key)
		if field < 0 {
			return p.Skip()
		}
		if seen[field] {
			return bad("duplicate field %q", key)
		}
		seen[field] = true
		switch field {
		case 0:
			if p.Peek() != '"' {
				return bad("dtype is not a string")
			}
			s, err := p.Str()
			if err != nil {
				return err
			}
			t.DType = DType(s)
			if !t.DType.Known() {
				return newError("", name, ErrUnknownDType, "%q", s)
			}
		case 1:
			shape, err := p.ints(name, "shape")
			if err != nil {
				return err
			}
			t.Shape = shape
		case 2:
			if p.Peek() != '[' {
				return bad("data_offsets is not an array")
			}
			var offs []int64
			err := p.Array(func() error {
				v, err := p.Uint()
				if err != nil {
					return bad("data_offsets: %v", err)
				}
				offs = append(offs, v)
				return nil
			})
			if err != nil {
				return err
			}
			if len(offs) != 2 {
				return bad("data_offsets has %d elements, want 2", len(offs))
			}
			t.Begin, t.End = offs[0], offs[1]
		}
		return nil
	})
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			err = causeError("", name, ErrInvalidHeader, err)
		}
		return t, err
	}
	for i, key := range []string{"dtype", "shape", "data_offsets"} {
		if !seen[i] {
			return t, bad("missing %q", key)
		}
	}
	return t, nil
}

// ints reads an array of non-negative integers.
func (p parser) ints(name, field string) ([]int, error) {
	if p.Peek() != '[' {
		return nil, newError("", name, ErrInvalidHeader, "%s is not an array", field)
	}
	out := []int{}
	err := p.Array(func() error {
		v, err := p.Uint()
		if err != nil {
			return newError("", name, ErrInvalidHeader, "%s: %v", field, err)
		}
		if v > math.MaxInt {
			return newError("", name, ErrOverflow, "%s: %d does not fit in an int", field, v)
		}
		out = append(out, int(v))
		return nil
	})
	return slices.Clip(out), err
}

// validate sorts the tensors by data offsets and checks that they are
// contiguous from 0, without gap or overlap, and that every byte span
// matches its dtype and shape.
func (h *header) validate() error {
	slices.SortFunc(h.tensors, func(a, b TensorInfo) int {
		return cmp.Or(cmp.Compare(a.Begin, b.Begin), cmp.Compare(a.End, b.End), cmp.Compare(a.Name, b.Name))
	})
	var start int64
	for i := range h.tensors {
		t := &h.tensors[i]
		h.index[t.Name] = i
		switch {
		case t.End < t.Begin:
			return newError("", t.Name, ErrInvalidOffsets, "data_offsets [%d, %d] end before they begin", t.Begin, t.End)
		case t.Begin > start:
			return newError("", t.Name, ErrInvalidOffsets, "data_offsets [%d, %d] leave a gap after byte %d", t.Begin, t.End, start)
		case t.Begin < start:
			return newError("", t.Name, ErrInvalidOffsets, "data_offsets [%d, %d] overlap the previous tensor, which ends at byte %d", t.Begin, t.End, start)
		}
		start = t.End
		n, err := byteSize(t.DType, t.Shape)
		if err != nil {
			return &Error{Tensor: t.Name, Err: err}
		}
		if n != t.End-t.Begin {
			return newError("", t.Name, ErrDTypeShape, "%s %v is %d bytes, data_offsets [%d, %d] span %d", t.DType, t.Shape, n, t.Begin, t.End, t.End-t.Begin)
		}
	}
	h.end = start
	return nil
}

// byteSize returns the size in bytes of a tensor of dtype d and the given
// shape, checking for overflow and for sub-byte tensors that do not fill a
// whole number of bytes.
func byteSize(d DType, shape []int) (int64, error) {
	n := uint64(1)
	for _, dim := range shape {
		if dim < 0 {
			return 0, &detailError{kind: ErrDTypeShape, msg: "negative dimension in shape"}
		}
		hi, lo := bits.Mul64(n, uint64(dim))
		if hi != 0 || lo > math.MaxInt64 {
			return 0, &detailError{kind: ErrOverflow, msg: "element count of the shape overflows"}
		}
		n = lo
	}
	hi, nbits := bits.Mul64(n, uint64(d.Bits()))
	if hi != 0 || nbits/8 > math.MaxInt64 {
		return 0, &detailError{kind: ErrOverflow, msg: "byte size of the tensor overflows"}
	}
	if nbits%8 != 0 {
		return 0, &detailError{kind: ErrDTypeShape, msg: "the elements do not fill a whole number of bytes"}
	}
	return int64(nbits / 8), nil
}
