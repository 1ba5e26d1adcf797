package convert

import (
	"os"
	"unsafe"
)

// Release gives back the memory pages of the file's mapping that hold only
// the bytes of tensor name: they leave the process's resident set (the file
// stays in the page cache) and are read from the file again if touched.
// Tensors and slices of the tensor stay valid. A model that keeps its own
// copy of a tensor (converted or laid out anew) calls it so that the
// weights are not resident twice. It does nothing for a tensor whose bytes
// are not in the mapping (a compressed zip entry, a big-endian or strided
// one, a state dict read from bytes by ReadPyTorch).
func (s *StateDict) Release(name string) error {
	t, ok := s.byName[name]
	if !ok {
		return &Error{File: s.file, Tensor: name, Err: ErrNotFound}
	}
	if s.mapped == nil || t.numel == 0 || !t.Contiguous() {
		return nil
	}
	r := t.ref
	es := int64(r.dt.size)
	lo := r.offset * es
	b := r.storage.bytes()[lo : lo+t.numel*es]
	off, ok := within(s.mapped, b)
	if !ok {
		return nil
	}
	page := os.Getpagesize()
	from := (off + page - 1) / page * page
	to := (off + len(b)) / page * page
	if to <= from {
		return nil
	}
	if err := releasePages(s.mapped[from:to]); err != nil {
		return &Error{File: s.file, Tensor: name, Err: err}
	}
	return nil
}

// within returns the offset of b in m, if b lies in m.
func within(m, b []byte) (int, bool) {
	base := uintptr(unsafe.Pointer(unsafe.SliceData(m)))
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	if p < base || p-base > uintptr(len(m)) || len(b) > len(m)-int(p-base) {
		return 0, false
	}
	return int(p - base), true
}
