//go:build unix

package safetensors

import (
	"os"

	"golang.org/x/sys/unix"
)

// mapFile maps size bytes of f read-only and shared.
func mapFile(f *os.File, size int) ([]byte, error) {
	return unix.Mmap(int(f.Fd()), 0, size, unix.PROT_READ, unix.MAP_SHARED)
}

func unmapFile(b []byte) error { return unix.Munmap(b) }

// releasePages drops the pages of b, a part of a read-only file mapping,
// from the resident set.
func releasePages(b []byte) error { return unix.Madvise(b, unix.MADV_DONTNEED) }
