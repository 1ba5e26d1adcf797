package weights

import (
	"errors"
	"sync"
)

// Arena holds the float32 copies a model makes of its weights (laid out
// anew at load) outside the Go heap, in anonymous memory maps where the
// system has them: hundreds of megabytes of live weights in the heap would
// let the garbage collector's heap goal, and so the process's memory, grow
// by as much again. Free returns the memory; every slice from the arena is
// invalid afterwards.
type Arena struct {
	mu     sync.Mutex
	blocks [][]byte
	freed  bool
}

// Float32s returns n zeroed float32 values from the arena.
func (a *Arena) Float32s(n int) []float32 {
	if n == 0 {
		return []float32{}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.freed {
		panic("weights: Float32s on a freed Arena")
	}
	b, f := allocFloat32s(n)
	if b != nil {
		a.blocks = append(a.blocks, b)
	}
	return f
}

// Free returns the arena's memory to the system. Calling it twice is
// harmless.
func (a *Arena) Free() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	var errs []error
	for _, b := range a.blocks {
		errs = append(errs, freeBlock(b))
	}
	a.blocks, a.freed = nil, true
	return errors.Join(errs...)
}
