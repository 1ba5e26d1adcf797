package weights

import (
	"fmt"
	"slices"
)

// Memory is an in-memory Source: a state dict of float32 tensors by name,
// for weights built in code and for tests.
type Memory map[string]Dense

// Dense is one tensor of a Memory source: row-major values and their shape.
type Dense struct {
	Data  []float32
	Shape []int
}

// Names returns the tensor names, sorted.
func (m Memory) Names() []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Float32 returns the tensor name; its data is shared, not copied.
func (m Memory) Float32(name string) ([]float32, []int, error) {
	t, ok := m[name]
	if !ok {
		return nil, nil, ErrMissing
	}
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	if n != len(t.Data) {
		return nil, nil, fmt.Errorf("%d values for shape %v", len(t.Data), t.Shape)
	}
	return t.Data, t.Shape, nil
}
