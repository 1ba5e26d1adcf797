//go:build !unix

package weights

// allocFloat32s allocates from the heap where there are no anonymous maps.
func allocFloat32s(n int) ([]byte, []float32) { return nil, make([]float32, n) }

func freeBlock([]byte) error { return nil }
