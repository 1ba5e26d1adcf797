package tokenizer

import (
	"errors"
	"fmt"
)

var (
	// ErrInvalid reports a malformed tokenizer file or an inconsistent vocabulary.
	ErrInvalid = errors.New("tokenizer: invalid tokenizer")
	// ErrUnsupported reports a component (normalizer, model, decoder...) this package does not
	// implement.
	ErrUnsupported = errors.New("tokenizer: unsupported component")
	// ErrNotFound reports a model folder without tokenizer files.
	ErrNotFound = errors.New("tokenizer: no tokenizer files")
	// ErrTruncation reports a truncation that cannot be done.
	ErrTruncation = errors.New("tokenizer: truncation error")
	// ErrPadding reports a padding that cannot be done.
	ErrPadding = errors.New("tokenizer: padding error")
)

// FileError is an error in a tokenizer file: its path, the field (a JSON path such as
// "model.merges[12]", or "line 7"), and what is wrong.
type FileError struct {
	Path  string
	Field string
	Err   error
}

// Error returns "path: field: problem".
func (e *FileError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%s: %v", e.Path, e.Err)
	}
	return fmt.Sprintf("%s: %s: %v", e.Path, e.Field, e.Err)
}

// Unwrap returns the problem, which matches ErrInvalid or ErrUnsupported with errors.Is.
func (e *FileError) Unwrap() error { return e.Err }

// fileErr builds a FileError whose Err wraps kind (ErrInvalid or ErrUnsupported).
func fileErr(path, field string, kind error, format string, args ...any) error {
	return &FileError{Path: path, Field: field, Err: fmt.Errorf("%w: %s", kind, fmt.Sprintf(format, args...))}
}
