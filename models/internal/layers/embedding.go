package layers

import (
	"fmt"

	"github.com/hfgo/hfgo/models/internal/weights"
	"github.com/nlpodyssey/spago/nn"
)

// Embedding is a lookup table of Rows vectors of Dim values, one matrix
// (not one parameter per row, unlike spago's embedding package).
type Embedding struct {
	nn.Module
	Weight    *nn.Param
	Rows, Dim int
}

// LoadEmbedding loads name, a rows×dim matrix.
func LoadEmbedding(l *weights.Loader, name string, rows, dim int) (*Embedding, error) {
	w, err := l.Tensor(name, rows, dim)
	if err != nil {
		return nil, err
	}
	return &Embedding{Weight: Param(w), Rows: rows, Dim: dim}, nil
}

// Row returns the vector of index i, aliasing the table: never write to it.
func (e *Embedding) Row(i int) []float32 {
	return Data(e.Weight)[i*e.Dim : (i+1)*e.Dim]
}

// Check returns an error naming the first index of ids outside the table.
func (e *Embedding) Check(what string, ids []int) error {
	for i, id := range ids {
		if id < 0 || id >= e.Rows {
			return fmt.Errorf("%s %d at position %d is outside [0, %d)", what, id, i, e.Rows)
		}
	}
	return nil
}

// Gather copies the vectors of ids into the rows of dst (row stride ld).
// When add is true it adds them instead. The ids must pass Check.
func (e *Embedding) Gather(dst []float32, ld int, ids []int, add bool) {
	for i, id := range ids {
		row := dst[i*ld : i*ld+e.Dim]
		src := e.Row(id)
		if add {
			for j, v := range src {
				row[j] += v
			}
		} else {
			copy(row, src)
		}
	}
}
