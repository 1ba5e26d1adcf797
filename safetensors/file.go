package safetensors

import (
	"fmt"
	"math"
	"os"
)

// File is a safetensors file mapped into memory: a Reader whose Bytes,
// Float32 and Values return zero-copy views of the mapping whenever the
// on-disk bytes are usable as they are.
//
// The mapping is read-only (PROT_READ, MAP_SHARED): writing through a view
// crashes the program, and views are valid only until Close. Truncating or
// rewriting the file while it is mapped makes reads fault; replace files by
// renaming a new one over them (as WriteFile does) instead.
type File struct {
	*Reader
	mapping []byte
}

// Open maps the safetensors file at path and validates its header.
func Open(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{File: path, Err: err}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, &Error{File: path, Err: err}
	}
	if !st.Mode().IsRegular() {
		return nil, &Error{File: path, Err: fmt.Errorf("not a regular file (%v)", st.Mode().Type())}
	}
	size := st.Size()
	if size < 8 {
		return nil, newError(path, "", ErrTruncated, "file of %d bytes has no room for the 8-byte header length", size)
	}
	if size > math.MaxInt {
		return nil, &Error{File: path, Err: fmt.Errorf("file of %d bytes is too large to map", size)}
	}
	mem, err := mapFile(f, int(size))
	if err != nil {
		return nil, &Error{File: path, Err: err}
	}
	r, err := newReader(path, nil, mem, size)
	if err != nil {
		_ = unmapFile(mem)
		return nil, err
	}
	return &File{Reader: r, mapping: mem}, nil
}

// Close unmaps the file. Every slice obtained from it without a copy becomes
// invalid; later reads return ErrClosed. Close must not run concurrently
// with reads; calling it twice is harmless.
func (f *File) Close() error {
	if f.closed.Swap(true) {
		return nil
	}
	m := f.mapping
	f.mapping, f.mem = nil, nil
	if err := unmapFile(m); err != nil {
		return &Error{File: f.file, Err: err}
	}
	return nil
}

// Release gives back the memory pages that hold only the bytes of tensor
// name: they leave the process's resident set (the file stays in the page
// cache) and are read from the file again if touched. Views of the tensor
// stay valid. A model that keeps its own copy of a tensor (converted or
// laid out anew) calls it so that the weights are not resident twice.
func (f *File) Release(name string) error {
	t, _, _, err := f.raw(name)
	if err != nil {
		return err
	}
	page := int64(os.Getpagesize())
	lo := (f.dataStart + t.Begin + page - 1) / page * page
	hi := (f.dataStart + t.End) / page * page
	if hi <= lo {
		return nil
	}
	if err := releasePages(f.mapping[lo:hi]); err != nil {
		return &Error{File: f.file, Tensor: name, Err: err}
	}
	return nil
}
