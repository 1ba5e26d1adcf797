package safetensors

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Sentinel errors, wrapped by every *Error the package returns; test for
// them with errors.Is.
var (
	// ErrTruncated: the file is shorter than its header says (fewer than 8
	// bytes, a header running past the end, or tensor data past the end).
	ErrTruncated = errors.New("safetensors: file truncated")
	// ErrHeaderTooLarge: the header length exceeds MaxHeaderSize.
	ErrHeaderTooLarge = errors.New("safetensors: header too large")
	// ErrInvalidHeader: the header is not valid UTF-8, not a JSON object, or
	// has a field of the wrong type, a missing field or a duplicate name.
	ErrInvalidHeader = errors.New("safetensors: invalid header")
	// ErrUnknownDType: a tensor's dtype is not one of the format.
	ErrUnknownDType = errors.New("safetensors: unknown dtype")
	// ErrInvalidOffsets: data offsets are reversed, overlap, leave a gap, or
	// do not end where the file ends.
	ErrInvalidOffsets = errors.New("safetensors: invalid data offsets")
	// ErrDTypeShape: a tensor's byte span is not its shape's element count
	// times its dtype size.
	ErrDTypeShape = errors.New("safetensors: dtype and shape do not match the data size")
	// ErrOverflow: a shape's element count or byte size overflows.
	ErrOverflow = errors.New("safetensors: tensor size overflows")
	// ErrNotFound: no tensor of that name.
	ErrNotFound = errors.New("safetensors: tensor not found")
	// ErrDType: the tensor's dtype cannot be read as the type asked for.
	ErrDType = errors.New("safetensors: unsupported dtype conversion")
	// ErrInvalidIndex: a sharded index is malformed or disagrees with its
	// shards (missing shard, tensor in two shards, tensor missing from the
	// shard the weight_map names).
	ErrInvalidIndex = errors.New("safetensors: invalid index")
	// ErrClosed: the File or Sharded set was closed.
	ErrClosed = errors.New("safetensors: file closed")
)

// MaxHeaderSize is the largest header the reader accepts, in bytes, as in
// the reference implementation.
const MaxHeaderSize = 100_000_000

// Error is the error type of the package: it names the file (the path given
// to Open, empty for NewReader) and the tensor, when the error is about one.
type Error struct {
	File   string // path of the file or index, "" when unknown
	Tensor string // tensor name, "" when the error is not about one tensor
	Err    error  // wraps one of the Err* sentinels, and the I/O error if any
}

// Error returns "safetensors: file: tensor "name": problem", leaving out the
// file and tensor when unknown.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("safetensors: ")
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(": ")
	}
	if e.Tensor != "" {
		b.WriteString("tensor ")
		b.WriteString(strconv.Quote(e.Tensor))
		b.WriteString(": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the wrapped error.
func (e *Error) Unwrap() error { return e.Err }

// detailError is a sentinel with the particulars of one occurrence, and
// possibly an underlying cause.
type detailError struct {
	kind  error
	msg   string
	cause error
}

func (d *detailError) Error() string {
	s := strings.TrimPrefix(d.kind.Error(), "safetensors: ")
	if d.msg != "" {
		s += ": " + d.msg
	}
	if d.cause != nil {
		s += ": " + d.cause.Error()
	}
	return s
}

func (d *detailError) Unwrap() []error {
	if d.cause == nil {
		return []error{d.kind}
	}
	return []error{d.kind, d.cause}
}

// newError returns an *Error for tensor (may be "") of kind with a message.
func newError(file, tensor string, kind error, format string, args ...any) *Error {
	return &Error{File: file, Tensor: tensor, Err: &detailError{kind: kind, msg: fmt.Sprintf(format, args...)}}
}

// causeError returns an *Error of kind caused by err.
func causeError(file, tensor string, kind, err error) *Error {
	return &Error{File: file, Tensor: tensor, Err: &detailError{kind: kind, cause: err}}
}

// withFile sets the file of err if it is an *Error without one.
func withFile(err error, file string) error {
	var e *Error
	if errors.As(err, &e) && e.File == "" {
		e.File = file
	}
	return err
}
