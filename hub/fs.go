package hub

import (
	"io"
	"os"
)

// blobFile is a partial download being written.
type blobFile interface {
	io.ReaderAt
	io.WriterAt
	Stat() (os.FileInfo, error)
	Truncate(size int64) error
	Close() error
}

// fileSystem opens the partial files downloads write to. The client writes
// blob bytes only through it, so tests can make it fail (a full disk).
type fileSystem interface {
	OpenFile(name string, flag int, perm os.FileMode) (blobFile, error)
}

type osFS struct{}

func (osFS) OpenFile(name string, flag int, perm os.FileMode) (blobFile, error) {
	return os.OpenFile(name, flag, perm)
}
