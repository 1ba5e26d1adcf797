package convert

import (
	"fmt"
	"math/bits"
	"sync"
)

// storage is one torch storage: a typed run of elements that tensors view.
type storage struct {
	key   string
	dt    dtype
	numel int64 // elements, as the persistent id declares
	data  []byte
	// crc, for a zip entry: the checksum of entry (data and any bytes
	// after it), verified once, on first use.
	crc *entryCRC
	// Legacy-format storage views: a window of root's elements.
	root   *storage
	offset int64
	// bigEndian data (a checkpoint written on a big-endian machine).
	bigEndian bool
}

// bytes returns the storage's data, resolving a legacy view.
// The storage must have passed check.
func (s *storage) bytes() []byte {
	n := s.numel * int64(s.dt.size)
	if s.root != nil {
		lo := s.offset * int64(s.dt.size)
		return s.root.data[lo : lo+n : lo+n]
	}
	return s.data[:n:n]
}

// entryCRC checks a zip entry's CRC-32 once.
type entryCRC struct {
	entry []byte
	want  uint32
	once  sync.Once
	err   error
}

// verify checks the storage's CRC-32 the first time it is called.
func (s *storage) verify() error {
	c := s.rootStorage().crc
	if c == nil {
		return nil
	}
	c.once.Do(func() {
		if got := checksumIEEE(c.entry); got != c.want {
			c.err = fmt.Errorf("%w: storage %q fails its CRC-32 check (%08x, want %08x): the file is corrupt", ErrFormat, s.rootStorage().key, got, c.want)
		}
	})
	return c.err
}

// tensorRef is what _rebuild_tensor_v2 returns: a strided view of a
// storage, not yet checked against it.
type tensorRef struct {
	storage       *storage
	dt            dtype
	offset        int64 // in elements of dt
	shape, stride []int64
}

// Tensor is one entry of a PyTorch state dict: a strided view of a storage
// in a checkpoint file.
type Tensor struct {
	Name  string
	DType string // safetensors dtype name: "F32", "F16", "BF16", "I64", ...
	Shape []int
	ref   *tensorRef
	numel int64
	file  string
}

// Size returns the tensor's size in bytes once contiguous.
func (t *Tensor) Size() int64 { return t.numel * int64(t.ref.dt.size) }

// Contiguous reports whether the tensor's elements are laid out row-major
// in its storage, so that Bytes returns the file's bytes without copying.
func (t *Tensor) Contiguous() bool {
	return isContiguous(t.ref.shape, t.ref.stride) && !t.ref.storage.bigEndian
}

// Bytes returns the tensor's elements as contiguous little-endian bytes.
// For a contiguous tensor the slice aliases the checkpoint's memory (a
// read-only mapping when opened from a file): never write to it. Other
// views are copied. The first access to a storage of a zip checkpoint
// verifies its CRC-32, as torch.load does.
func (t *Tensor) Bytes() ([]byte, error) {
	r := t.ref
	if err := r.storage.verify(); err != nil {
		return nil, &Error{File: t.file, Tensor: t.Name, Err: err}
	}
	es := int64(r.dt.size)
	data := r.storage.bytes()
	if t.numel == 0 {
		return []byte{}, nil
	}
	if t.Contiguous() {
		lo := r.offset * es
		return data[lo : lo+t.numel*es : lo+t.numel*es], nil
	}
	out := make([]byte, t.numel*es)
	gatherStrided(out, data, r, es)
	if r.storage.bigEndian {
		swapBytes(out, int(es))
	}
	return out, nil
}

// Float32 decodes the tensor to float32. Contiguous little-endian float32
// data in aligned memory is returned without copying (read-only memory:
// never write to it); other dtypes and views are converted into a new
// slice.
func (t *Tensor) Float32() ([]float32, error) {
	b, err := t.Bytes()
	if err != nil {
		return nil, err
	}
	if t.ref.dt == dtF32 {
		if v, ok := float32View(b); ok {
			return v, nil
		}
	}
	v, err := decodeFloat32(t.ref.dt, b)
	if err != nil {
		return nil, &Error{File: t.file, Tensor: t.Name, Err: err}
	}
	return v, nil
}

// sharesStorage reports whether t and u view the same storage.
func (t *Tensor) sharesStorage(u *Tensor) bool {
	return t.ref.storage.rootStorage() == u.ref.storage.rootStorage()
}

// aliases reports whether t and u are the same view of the same storage:
// tied weights.
func (t *Tensor) aliases(u *Tensor) bool { return t.viewKey() == u.viewKey() }

// viewKey identifies what a tensor views: its root storage, dtype, byte
// offset, shape and (for more than one element) strides.
type viewKey struct {
	root          *storage
	dt            dtype
	offset        int64
	shape, stride string
}

func (t *Tensor) viewKey() viewKey {
	r := t.ref
	k := viewKey{root: r.storage.rootStorage(), dt: r.dt, shape: fmt.Sprint(r.shape),
		offset: r.offset*int64(r.dt.size) + r.storage.offset*int64(r.storage.dt.size)}
	if t.numel > 1 {
		k.stride = fmt.Sprint(r.stride)
	}
	return k
}

func (s *storage) rootStorage() *storage {
	if s.root != nil {
		return s.root
	}
	return s
}

// isContiguous reports whether stride is the row-major stride of shape,
// ignoring dimensions of size 1 (and any stride of an empty tensor).
func isContiguous(shape, stride []int64) bool {
	want := int64(1)
	for i := len(shape) - 1; i >= 0; i-- {
		if shape[i] == 0 {
			return true
		}
		if shape[i] != 1 && stride[i] != want {
			return false
		}
		want *= shape[i]
	}
	return true
}

// checkView validates a tensor reference against its storage and returns
// the tensor's element count. It rejects views that reach past the
// storage and views (expanded ones) larger than their storage, so that
// materialising a tensor never allocates more than the file holds.
func checkView(r *tensorRef) (int64, error) {
	numel := int64(1)
	for _, d := range r.shape {
		hi, lo := bits.Mul64(uint64(numel), uint64(d))
		if hi != 0 || lo > 1<<62 {
			return 0, fmt.Errorf("%w: shape %v overflows", ErrFormat, r.shape)
		}
		numel = int64(lo)
	}
	es := int64(r.dt.size)
	avail := int64(len(r.storage.bytes())) // bytes in the storage
	if es == 0 {
		return 0, fmt.Errorf("%w: dtype of storage %q", ErrUnsupported, r.storage.key)
	}
	if numel == 0 {
		if r.offset > avail/es {
			return 0, fmt.Errorf("%w: storage offset %d past the storage's %d bytes", ErrFormat, r.offset, avail)
		}
		return 0, nil
	}
	// Last element reached: offset + sum((size-1)*stride), overflow-checked.
	last := uint64(r.offset)
	for i, d := range r.shape {
		hi, lo := bits.Mul64(uint64(d-1), uint64(r.stride[i]))
		var carry uint64
		last, carry = bits.Add64(last, lo, 0)
		if hi != 0 || carry != 0 || last > 1<<62 {
			return 0, fmt.Errorf("%w: strides %v overflow", ErrFormat, r.stride)
		}
	}
	if last >= uint64(avail/es) {
		return 0, fmt.Errorf("%w: view (offset %d, shape %v, stride %v) needs %d elements, storage %q holds %d bytes (%d elements)",
			ErrFormat, r.offset, r.shape, r.stride, last+1, r.storage.key, avail, avail/es)
	}
	if numel*es > avail {
		return 0, fmt.Errorf("%w: expanded view of %d bytes larger than its storage (%d bytes)", ErrUnsupported, numel*es, avail)
	}
	return numel, nil
}

// gatherStrided copies the elements of view r from data into out in
// row-major order; es is the element size.
func gatherStrided(out, data []byte, r *tensorRef, es int64) {
	nd := len(r.shape)
	// Copy runs along the last dimension when it is unit-strided.
	inner := int64(1)
	if nd > 0 && r.stride[nd-1] == 1 {
		inner = r.shape[nd-1]
		nd--
	}
	run := inner * es
	idx := make([]int64, nd)
	pos := r.offset // element index in storage
	for o := int64(0); o < int64(len(out)); o += run {
		copy(out[o:o+run], data[pos*es:pos*es+run])
		// Advance the multi-index over the outer nd dimensions.
		for d := nd - 1; d >= 0; d-- {
			idx[d]++
			pos += r.stride[d]
			if idx[d] < r.shape[d] {
				break
			}
			pos -= r.stride[d] * r.shape[d]
			idx[d] = 0
		}
	}
}

// swapBytes reverses the byte order of each es-byte element of b in place.
func swapBytes(b []byte, es int) {
	if es < 2 {
		return
	}
	for i := 0; i+es <= len(b); i += es {
		for j, k := i, i+es-1; j < k; j, k = j+1, k-1 {
			b[j], b[k] = b[k], b[j]
		}
	}
}
