package bert

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/hfgo/hfgo/models/internal/weights"
)

// tinyConfig is a small BERT config for generated checkpoints.
func tinyConfig(act string, labels int) *Config {
	c := DefaultConfig()
	c.VocabSize, c.HiddenSize, c.NumHiddenLayers, c.NumAttentionHeads = 50, 12, 2, 3
	c.IntermediateSize, c.MaxPositionEmbeddings, c.TypeVocabSize = 17, 16, 2
	c.HiddenAct, c.LayerNormEps = act, 1e-6
	n := labels
	c.NumLabels = &n
	if err := c.Validate(); err != nil {
		panic(err)
	}
	return &c
}

// randomCheckpoint draws a state dict for c with the given base prefix
// ("bert." or "") and head tensors, like the fixtures: weights N(0, 0.15²),
// biases N(0, 0.1²), LayerNorm weights 1 + N(0, 0.1²).
func randomCheckpoint(c *Config, seed uint64, prefix string, heads ...string) weights.Memory {
	r := rand.New(rand.NewPCG(seed, 1))
	m := weights.Memory{}
	add := func(name string, std, mean float64, shape ...int) {
		n := 1
		for _, d := range shape {
			n *= d
		}
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(mean + std*r.NormFloat64())
		}
		m[name] = weights.Dense{Data: v, Shape: shape}
	}
	linear := func(name string, in, out int) {
		add(name+".weight", 0.15, 0, out, in)
		add(name+".bias", 0.1, 0, out)
	}
	norm := func(name string, n int) {
		add(name+".weight", 0.1, 1, n)
		add(name+".bias", 0.1, 0, n)
	}
	h, in := c.HiddenSize, c.IntermediateSize
	p := prefix
	add(p+"embeddings.word_embeddings.weight", 0.15, 0, c.VocabSize, h)
	add(p+"embeddings.position_embeddings.weight", 0.15, 0, c.MaxPositionEmbeddings, h)
	add(p+"embeddings.token_type_embeddings.weight", 0.15, 0, c.TypeVocabSize, h)
	norm(p+"embeddings.LayerNorm", h)
	for i := range c.NumHiddenLayers {
		l := fmt.Sprintf("%sencoder.layer.%d.", p, i)
		linear(l+"attention.self.query", h, h)
		linear(l+"attention.self.key", h, h)
		linear(l+"attention.self.value", h, h)
		linear(l+"attention.output.dense", h, h)
		norm(l+"attention.output.LayerNorm", h)
		linear(l+"intermediate.dense", h, in)
		linear(l+"output.dense", in, h)
		norm(l+"output.LayerNorm", h)
	}
	for _, head := range heads {
		switch head {
		case "pooler":
			linear(p+"pooler.dense", h, h)
		case "mlm":
			linear("cls.predictions.transform.dense", h, h)
			norm("cls.predictions.transform.LayerNorm", h)
			add("cls.predictions.bias", 0.1, 0, c.VocabSize)
		case "nsp":
			linear("cls.seq_relationship", h, 2)
		case "classifier":
			linear("classifier", h, len(c.Labels))
		}
	}
	return m
}

// ref is an independent float64 BERT written from the state dict's names.
type ref struct {
	c  *Config
	sd weights.Memory
	p  string
}

func (r *ref) w(name string) []float64 {
	t, ok := r.sd[r.p+name]
	if !ok {
		t = r.sd[name]
	}
	out := make([]float64, len(t.Data))
	for i, v := range t.Data {
		out[i] = float64(v)
	}
	return out
}

// linear returns x·Wᵀ + b for x of rows×in.
func (r *ref) linear(name string, x [][]float64) [][]float64 {
	w, b := r.w(name+".weight"), r.w(name+".bias")
	out := make([][]float64, len(x))
	for i, row := range x {
		out[i] = make([]float64, len(b))
		for o := range b {
			s := b[o]
			for k, v := range row {
				s += v * w[o*len(row)+k]
			}
			out[i][o] = s
		}
	}
	return out
}

func (r *ref) norm(name string, x [][]float64) {
	g, b := r.w(name+".weight"), r.w(name+".bias")
	for _, row := range x {
		var mean, vr float64
		for _, v := range row {
			mean += v
		}
		mean /= float64(len(row))
		for _, v := range row {
			vr += (v - mean) * (v - mean)
		}
		vr /= float64(len(row))
		for j, v := range row {
			row[j] = (v-mean)/math.Sqrt(vr+r.c.LayerNormEps)*g[j] + b[j]
		}
	}
}

func refAct(name string, x float64) float64 {
	switch name {
	case "gelu":
		return 0.5 * x * (1 + math.Erf(x/math.Sqrt2))
	case "gelu_new":
		return 0.5 * x * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(x+0.044715*x*x*x)))
	case "relu":
		return math.Max(x, 0)
	case "quick_gelu":
		return x / (1 + math.Exp(-1.702*x))
	}
	panic(name)
}

// forward returns the last hidden state and pooler output (when the state
// dict has a pooler) of one unpadded sequence.
func (r *ref) forward(ids, types []int) (hidden [][]float64, pooled []float64) {
	c := r.c
	h, n := c.HiddenSize, len(ids)
	we, pe, te := r.w("embeddings.word_embeddings.weight"), r.w("embeddings.position_embeddings.weight"), r.w("embeddings.token_type_embeddings.weight")
	x := make([][]float64, n)
	for t := range x {
		x[t] = make([]float64, h)
		for j := range h {
			x[t][j] = we[ids[t]*h+j] + te[types[t]*h+j] + pe[t*h+j]
		}
	}
	r.norm("embeddings.LayerNorm", x)
	hd := c.HeadDim()
	for i := range c.NumHiddenLayers {
		l := fmt.Sprintf("encoder.layer.%d.", i)
		q, k, v := r.linear(l+"attention.self.query", x), r.linear(l+"attention.self.key", x), r.linear(l+"attention.self.value", x)
		ctx := make([][]float64, n)
		for t := range ctx {
			ctx[t] = make([]float64, h)
		}
		for hh := range c.NumAttentionHeads {
			o := hh * hd
			for a := range n {
				s := make([]float64, n)
				mx := math.Inf(-1)
				for b := range n {
					for d := range hd {
						s[b] += q[a][o+d] * k[b][o+d]
					}
					s[b] /= math.Sqrt(float64(hd))
					mx = math.Max(mx, s[b])
				}
				var sum float64
				for b := range s {
					s[b] = math.Exp(s[b] - mx)
					sum += s[b]
				}
				for b := range n {
					for d := range hd {
						ctx[a][o+d] += s[b] / sum * v[b][o+d]
					}
				}
			}
		}
		ao := r.linear(l+"attention.output.dense", ctx)
		for t := range ao {
			for j := range ao[t] {
				ao[t][j] += x[t][j]
			}
		}
		r.norm(l+"attention.output.LayerNorm", ao)
		x = ao
		inter := r.linear(l+"intermediate.dense", x)
		for _, row := range inter {
			for j := range row {
				row[j] = refAct(c.HiddenAct, row[j])
			}
		}
		out := r.linear(l+"output.dense", inter)
		for t := range out {
			for j := range out[t] {
				out[t][j] += x[t][j]
			}
		}
		r.norm(l+"output.LayerNorm", out)
		x = out
	}
	if _, ok := r.sd[r.p+"pooler.dense.weight"]; ok {
		pooled = r.linear("pooler.dense", x[:1])[0]
		for j := range pooled {
			pooled[j] = math.Tanh(pooled[j])
		}
	}
	return x, pooled
}

func flat32(x ...[]float64) []float32 {
	var out []float32
	for _, row := range x {
		for _, v := range row {
			out = append(out, float32(v))
		}
	}
	return out
}
