package bert

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/hfgo/hfgo/internal/cputime"
	"github.com/hfgo/hfgo/models/internal/weights"
)

// baseWeights holds the random bert-base state dict baseModel built.
var baseWeights weights.Memory

var baseModel = sync.OnceValues(func() (*Model, error) {
	c := DefaultConfig()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	baseWeights = randomCheckpoint(&c, 1, "bert.", "pooler", "mlm")
	return New(&c, baseWeights)
})

// BenchmarkForward runs BertModel at bert-base shape (12 layers, hidden 768)
// with random weights, batch 1.
func BenchmarkForward(b *testing.B) {
	m, err := baseModel()
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{8, 128} {
		b.Run(fmt.Sprintf("seq=%d", n), func(b *testing.B) {
			ids := make([]int, n)
			for i := range ids {
				ids[i] = (i * 7919) % m.Config.VocabSize
			}
			in := Input{IDs: [][]int{ids}}
			cpu0 := cputime.Process()
			for b.Loop() {
				if _, err := m.Forward(context.Background(), in, nil); err != nil {
					b.Fatal(err)
				}
			}
			// CPU time per forward pass (all threads): unlike ns/op, it does
			// not grow when other processes take the cores.
			b.ReportMetric(float64((cputime.Process()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
}
