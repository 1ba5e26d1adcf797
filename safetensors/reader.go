package safetensors

import (
	"encoding/binary"
	"errors"
	"io"
	"maps"
	"slices"
	"sync/atomic"
)

// Reader reads the tensors of one safetensors file. Its methods are safe for
// concurrent use.
type Reader struct {
	file      string      // for errors
	ra        io.ReaderAt // source when mem is nil
	mem       []byte      // the whole file when it is in memory (mapped)
	closed    atomic.Bool // set by File.Close
	dataStart int64       // absolute offset of the data section
	h         *header
}

// lfsPointerPrefix starts the small text file that stands for a large file
// in a Git clone made without Git LFS.
const lfsPointerPrefix = "version https://git-lfs.github.com/spec/"

// NewReader reads the header of the safetensors file of size bytes that r
// holds, and validates it. Tensor data is read on demand: Bytes, Float32 and
// the other readers return new slices, owned by the caller.
func NewReader(r io.ReaderAt, size int64) (*Reader, error) {
	return newReader("", r, nil, size)
}

// newReader reads from mem when it is not nil, else from ra.
func newReader(file string, ra io.ReaderAt, mem []byte, size int64) (*Reader, error) {
	r := &Reader{file: file, ra: ra, mem: mem}
	if size < 8 {
		return nil, newError(file, "", ErrTruncated, "file of %d bytes has no room for the 8-byte header length", size)
	}
	var prefix [8]byte
	if err := r.readAt(prefix[:], 0); err != nil {
		return nil, &Error{File: file, Err: err}
	}
	n := binary.LittleEndian.Uint64(prefix[:])
	if string(prefix[:]) == lfsPointerPrefix[:8] {
		return nil, newError(file, "", ErrInvalidHeader, "a Git LFS pointer, not the file it points to: download the file itself (git lfs pull, or through the Hub)")
	}
	if n > MaxHeaderSize {
		return nil, newError(file, "", ErrHeaderTooLarge, "header length %d exceeds %d", n, MaxHeaderSize)
	}
	if int64(n) > size-8 {
		return nil, newError(file, "", ErrTruncated, "header of %d bytes runs past the end of the %d-byte file", n, size)
	}
	r.dataStart = 8 + int64(n)
	var hdr []byte
	if mem != nil {
		hdr = mem[8:r.dataStart]
	} else {
		hdr = make([]byte, n)
		if err := r.readAt(hdr, 8); err != nil {
			return nil, &Error{File: file, Err: err}
		}
	}
	h, err := parseHeader(hdr)
	if err != nil {
		return nil, withFile(err, file)
	}
	r.h = h
	if err := r.checkDataSize(size - r.dataStart); err != nil {
		return nil, err
	}
	return r, nil
}

// checkDataSize checks that the tensors end exactly where the file ends.
func (r *Reader) checkDataSize(dataSize int64) error {
	if r.h.end < dataSize {
		return newError(r.file, "", ErrInvalidOffsets, "%d bytes after the last tensor (the data section is %d bytes, the tensors %d)", dataSize-r.h.end, dataSize, r.h.end)
	}
	for _, t := range r.h.tensors {
		if t.End > dataSize {
			return newError(r.file, t.Name, ErrTruncated, "data_offsets [%d, %d] run past the end of the %d-byte data section", t.Begin, t.End, dataSize)
		}
	}
	return nil
}

// readAt fills b from offset off of the file.
func (r *Reader) readAt(b []byte, off int64) error {
	if r.mem != nil {
		copy(b, r.mem[off:])
		return nil
	}
	n, err := r.ra.ReadAt(b, off)
	if n == len(b) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		return &detailError{kind: ErrTruncated, msg: "short read", cause: err}
	}
	return err
}

// Len returns the number of tensors.
func (r *Reader) Len() int { return len(r.h.tensors) }

// DataOffset returns the offset in the file of the data section: the bytes
// of tensor t are at [DataOffset()+t.Begin, DataOffset()+t.End).
func (r *Reader) DataOffset() int64 { return r.dataStart }

// Tensors returns the description of every tensor, in data-offset order
// (the order of the bytes in the file).
func (r *Reader) Tensors() []TensorInfo {
	out := make([]TensorInfo, len(r.h.tensors))
	for i, t := range r.h.tensors {
		out[i] = t.clone()
	}
	return out
}

// Tensor returns the description of the tensor name.
func (r *Reader) Tensor(name string) (TensorInfo, bool) {
	i, ok := r.h.index[name]
	if !ok {
		return TensorInfo{}, false
	}
	return r.h.tensors[i].clone(), true
}

// Names returns the tensor names, sorted (as Python's safe_open keys()).
func (r *Reader) Names() []string {
	return slices.Sorted(maps.Keys(r.h.index))
}

// Metadata returns a copy of the header's __metadata__ map, or nil when the
// header has none.
func (r *Reader) Metadata() map[string]string {
	return maps.Clone(r.h.metadata)
}

// Bytes returns the raw little-endian bytes of the tensor name. For a File
// the slice points into the read-only mapping (valid until Close, never to
// be written); for a Reader made by NewReader it is a new slice.
func (r *Reader) Bytes(name string) ([]byte, error) {
	_, b, _, err := r.raw(name)
	return b, err
}

// raw returns the tensor's description and bytes, and the file name.
func (r *Reader) raw(name string) (*TensorInfo, []byte, string, error) {
	i, ok := r.h.index[name]
	if !ok {
		return nil, nil, r.file, &Error{File: r.file, Tensor: name, Err: &detailError{kind: ErrNotFound}}
	}
	if r.closed.Load() {
		return nil, nil, r.file, &Error{File: r.file, Tensor: name, Err: &detailError{kind: ErrClosed}}
	}
	t := &r.h.tensors[i]
	off, n := r.dataStart+t.Begin, t.End-t.Begin
	if r.mem != nil {
		return t, r.mem[off : off+n : off+n], r.file, nil
	}
	b := make([]byte, n)
	if err := r.readAt(b, off); err != nil {
		return nil, nil, r.file, &Error{File: r.file, Tensor: name, Err: err}
	}
	return t, b, r.file, nil
}
