//go:build !unix

package convert

import "os"

// mapFile reads the file at path into memory where mapping is not
// available.
func mapFile(path string) ([]byte, func() error, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	return data, func() error { return nil }, nil
}

// releasePages does nothing: the file was read into memory, not mapped.
func releasePages([]byte) error { return nil }
