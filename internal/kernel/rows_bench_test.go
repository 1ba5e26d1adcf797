package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

func reportElems(b *testing.B, n int) {
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Melem/s")
}

// BenchmarkRows runs the row passes of a BERT-base layer at seq 128 with
// each implementation on one core, then the public functions on all cores.
func BenchmarkRows(b *testing.B) {
	r := rand.New(rand.NewPCG(4, 4))
	const seq, hid, ffn = 128, 768, 3072
	x := randSlice(r, seq*ffn)
	res := randSlice(r, seq*hid)
	gamma, beta := randSlice(r, hid), randSlice(r, hid)
	scores := randSlice(r, 12*seq*seq)
	for _, im := range impls() {
		b.Run(im.name+"/LayerNorm-128x768", func(b *testing.B) {
			for b.Loop() {
				for i := 0; i < seq; i++ {
					row := x[i*hid : (i+1)*hid]
					mean := im.sum(row) / hid
					inv := 1 / float32(math.Sqrt(float64(im.sumSqDev(row, mean)/hid+1e-12)))
					im.norm(row, row, mean, inv, gamma, beta)
				}
			}
			reportElems(b, seq*hid)
		})
		b.Run(im.name+"/Softmax-12x128x128", func(b *testing.B) {
			for b.Loop() {
				for i := 0; i < 12*seq; i++ {
					softmaxRow(im, scores[i*seq:(i+1)*seq])
				}
			}
			reportElems(b, 12*seq*seq)
		})
		b.Run(im.name+"/GELU-128x3072", func(b *testing.B) {
			for b.Loop() {
				im.gelu(x)
			}
			reportElems(b, seq*ffn)
		})
		b.Run(im.name+"/GELUTanh-128x3072", func(b *testing.B) {
			for b.Loop() {
				im.gate(x, geluTanhA, geluTanhB)
			}
			reportElems(b, seq*ffn)
		})
	}
	b.Run("LayerNorm-128x768", func(b *testing.B) {
		for b.Loop() {
			LayerNorm(x, seq, hid, gamma, beta, 1e-12)
		}
		reportElems(b, seq*hid)
	})
	b.Run("AddLayerNorm-128x768", func(b *testing.B) {
		for b.Loop() {
			AddLayerNorm(x, seq, hid, res, hid, gamma, beta, 1e-12)
		}
		reportElems(b, seq*hid)
	})
	b.Run("AddRow-128x3072", func(b *testing.B) {
		for b.Loop() {
			AddRow(x, seq, ffn, x[:ffn])
		}
		reportElems(b, seq*ffn)
	})
	b.Run("Softmax-12x128x128", func(b *testing.B) {
		for b.Loop() {
			Softmax(scores, 12*seq, seq, seq)
		}
		reportElems(b, 12*seq*seq)
	})
	b.Run("GELU-128x3072", func(b *testing.B) {
		for b.Loop() {
			GELU(x)
		}
		reportElems(b, seq*ffn)
	})
}

// BenchmarkAttention is BERT-base self-attention at seq 128 and a GPT-2
// decoding step over 128 cached positions, in GFLOP/s of the two products.
func BenchmarkAttention(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 5))
	const heads, d = 12, 64
	hid := heads * d
	for _, s := range []struct {
		name       string
		qLen, kLen int
		causal     bool
	}{{"bert-seq128", 128, 128, false}, {"bert-seq512", 512, 512, false}, {"gpt2-decode-past128", 1, 129, true}} {
		q, k, v := randSlice(r, s.qLen*hid), randSlice(r, s.kLen*hid), randSlice(r, s.kLen*hid)
		out := make([]float32, s.qLen*hid)
		cfg := AttentionConfig{Heads: heads, HeadDim: d, Scale: 0.125, Causal: s.causal, Past: s.kLen - s.qLen}
		b.Run(s.name, func(b *testing.B) {
			for b.Loop() {
				Attention(cfg, out, hid, q, hid, k, hid, v, hid, s.qLen, s.kLen, nil, nil)
			}
			reportGFLOPS(b, heads*s.qLen, s.kLen, 2*d)
		})
	}
}
