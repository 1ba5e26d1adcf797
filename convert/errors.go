package convert

import (
	"errors"
	"fmt"
)

// Sentinel errors, wrapped in an *Error that names the file and tensor.
var (
	// ErrForbiddenGlobal: the pickle names a Python global outside the set
	// that torch.save of a state dict emits. Nothing is executed.
	ErrForbiddenGlobal = errors.New("forbidden global")
	// ErrFormat: the file is malformed, truncated or inconsistent.
	ErrFormat = errors.New("malformed checkpoint")
	// ErrUnsupported: well-formed, but uses a feature this package does
	// not read (a dtype, an opcode, compression).
	ErrUnsupported = errors.New("unsupported")
	// ErrLimit: the input exceeds a safety bound (pickle size, nesting).
	ErrLimit = errors.New("limit exceeded")
	// ErrNotFound: no weight file where one was expected, or no such tensor.
	ErrNotFound = errors.New("not found")
)

// Error records the file and, when known, the tensor that reading a
// checkpoint failed on. A safetensors file of a checkpoint is read by
// package safetensors: its errors are *safetensors.Error values, matching
// the safetensors.Err* sentinels.
type Error struct {
	File   string // path or file name of the checkpoint
	Tensor string // state dict key, if the error concerns one tensor
	Err    error
}

// Error returns "convert: file: tensor "name": problem".
func (e *Error) Error() string {
	s := "convert: " + e.File
	if e.Tensor != "" {
		s += fmt.Sprintf(": tensor %q", e.Tensor)
	}
	return s + ": " + e.Err.Error()
}

// Unwrap returns the problem: it matches an Err* sentinel, or is the I/O
// error (fs.ErrNotExist...) that stopped the read.
func (e *Error) Unwrap() error { return e.Err }

// errorf returns an *Error for file wrapping sentinel with a message.
func errorf(file, tensor string, sentinel error, format string, args ...any) error {
	return &Error{File: file, Tensor: tensor, Err: fmt.Errorf("%w: "+format, append([]any{sentinel}, args...)...)}
}
