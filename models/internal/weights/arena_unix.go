//go:build unix

package weights

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// allocFloat32s maps n float32 values of anonymous memory, falling back to
// the heap (and no block to free) when the map fails.
func allocFloat32s(n int) ([]byte, []float32) {
	b, err := unix.Mmap(-1, 0, 4*n, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON)
	if err != nil {
		return nil, make([]float32, n)
	}
	return b, unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(b))), n)
}

func freeBlock(b []byte) error { return unix.Munmap(b) }
