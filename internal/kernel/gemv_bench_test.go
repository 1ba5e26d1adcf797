package kernel

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/nlpodyssey/spago/mat"
)

// gpt2Decode are the weights one GPT-2 small token reads: attention c_attn,
// MLP c_fc and c_proj (Conv1D: in×out as checkpoints store them, x·W, and
// out×in as the model lays them out at load, x·Wᵀ), and the LM head tied to
// the 50257×768 token embedding (x·Wᵀ).
var gpt2Decode = []struct {
	in, out int
	trans   bool
}{
	{768, 2304, false}, {768, 3072, false}, {3072, 768, false},
	{768, 2304, true}, {768, 3072, true}, {3072, 768, true},
	{768, 50257, true},
}

// coldBytes is how much weight memory a cold benchmark cycles through: more
// than the 32 MiB L3, so every product reads its weight from DRAM, as a
// decoding step over a whole model does.
const coldBytes = 128 << 20

func reportGBs(b *testing.B, bytes int) {
	b.ReportMetric(float64(bytes)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
}

// BenchmarkGemv measures the decode products in GB/s of weight streamed:
// "hot" reuses one weight (L3-resident when it fits), "cold" cycles through
// copies that do not fit in L3. spago is Dense.Mul on the same in×out weight.
func BenchmarkGemv(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 3))
	for _, s := range gpt2Decode {
		in, out := s.in, s.out
		copies := max(1, coldBytes/(in*out*4))
		ws := make([][]float32, copies)
		for i := range ws {
			ws[i] = randSlice(r, in*out)
		}
		x := randSlice(r, in)
		y := make([]float32, out)
		ld := out
		if s.trans {
			ld = in
		}
		name := fmt.Sprintf("%dx%d", in, out)
		if s.trans {
			name += "T"
		}
		b.Run("hot/"+name, func(b *testing.B) {
			for b.Loop() {
				Gemv(s.trans, out, in, 1, x, ws[0], ld, 0, y, nil)
			}
			reportGBs(b, in*out*4)
		})
		b.Run("cold/"+name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				Gemv(s.trans, out, in, 1, x, ws[i%copies], ld, 0, y, nil)
				i++
			}
			reportGBs(b, in*out*4)
		})
		if !s.trans {
			xm := mat.NewDense[float32](mat.WithShape(1, in), mat.WithBacking(x))
			wm := mat.NewDense[float32](mat.WithShape(in, out), mat.WithBacking(ws[0]))
			b.Run("spago/"+name, func(b *testing.B) {
				for b.Loop() {
					xm.Mul(wm)
				}
				reportGBs(b, in*out*4)
			})
		}
	}
}
