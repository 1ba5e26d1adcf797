package gpt2

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/hfgo/hfgo/models/internal/fixture"
	"github.com/hfgo/hfgo/models/internal/weights"
	"github.com/nlpodyssey/spago/mat"
)

// refGPT2 is an independent float64 GPT-2, written from transformers'
// modeling_gpt2.py and the state dict's names, for the configs the fixtures
// do not cover.
type refGPT2 struct {
	c  *Config
	sd weights.Memory
}

func (r *refGPT2) w(name string) []float64 {
	t, ok := r.sd["transformer."+name]
	if !ok {
		panic("no tensor " + name)
	}
	out := make([]float64, len(t.Data))
	for i, v := range t.Data {
		out[i] = float64(v)
	}
	return out
}

// conv is Conv1D: x·W + b with W stored in x out.
func (r *refGPT2) conv(name string, x [][]float64) [][]float64 {
	w, b := r.w(name+".weight"), r.w(name+".bias")
	out := make([][]float64, len(x))
	for i, row := range x {
		out[i] = append([]float64(nil), b...)
		for k, v := range row {
			for o := range b {
				out[i][o] += v * w[k*len(b)+o]
			}
		}
	}
	return out
}

func (r *refGPT2) norm(name string, x [][]float64) [][]float64 {
	g, b := r.w(name+".weight"), r.w(name+".bias")
	out := make([][]float64, len(x))
	for i, row := range x {
		var mean, vr float64
		for _, v := range row {
			mean += v / float64(len(row))
		}
		for _, v := range row {
			vr += (v - mean) * (v - mean) / float64(len(row))
		}
		out[i] = make([]float64, len(row))
		for j, v := range row {
			out[i][j] = (v-mean)/math.Sqrt(vr+r.c.LayerNormEpsilon)*g[j] + b[j]
		}
	}
	return out
}

func refActivation(name string, x float64) float64 {
	switch name {
	case "gelu_new":
		return 0.5 * x * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(x+0.044715*x*x*x)))
	case "gelu":
		return 0.5 * x * (1 + math.Erf(x/math.Sqrt2))
	case "relu":
		return math.Max(x, 0)
	}
	panic(name)
}

// forward returns the logits of one unpadded sequence at positions 0..n-1;
// types, when not nil, are embedded through wte.
func (r *refGPT2) forward(ids, types []int) [][]float64 {
	c := r.c
	e, n, heads := c.NEmbd, len(ids), c.NHead
	hd := e / heads
	wte, wpe := r.w("wte.weight"), r.w("wpe.weight")
	x := make([][]float64, n)
	for t, id := range ids {
		x[t] = make([]float64, e)
		for j := range e {
			x[t][j] = wte[id*e+j] + wpe[t*e+j]
			if types != nil {
				x[t][j] += wte[types[t]*e+j]
			}
		}
	}
	for l := range c.NLayer {
		p := fmt.Sprintf("h.%d.", l)
		qkv := r.conv(p+"attn.c_attn", r.norm(p+"ln_1", x))
		a := make([][]float64, n)
		for q := range n {
			a[q] = make([]float64, e)
			for h := range heads {
				o := h * hd
				s := make([]float64, q+1) // causal: keys 0..q
				mx := math.Inf(-1)
				for k := range s {
					for d := range hd {
						s[k] += qkv[q][o+d] * qkv[k][e+o+d]
					}
					if c.ScaleAttnWeights {
						s[k] /= math.Sqrt(float64(hd))
					}
					if c.ScaleAttnByInverseLayerIdx {
						s[k] /= float64(l + 1)
					}
					mx = math.Max(mx, s[k])
				}
				var sum float64
				for k := range s {
					s[k] = math.Exp(s[k] - mx)
					sum += s[k]
				}
				for k := range s {
					for d := range hd {
						a[q][o+d] += s[k] / sum * qkv[k][2*e+o+d]
					}
				}
			}
		}
		add(x, r.conv(p+"attn.c_proj", a))
		ff := r.conv(p+"mlp.c_fc", r.norm(p+"ln_2", x))
		for _, row := range ff {
			for j := range row {
				row[j] = refActivation(c.ActivationFunction, row[j])
			}
		}
		add(x, r.conv(p+"mlp.c_proj", ff))
	}
	x = r.norm("ln_f", x)
	logits := make([][]float64, n)
	for t := range x {
		logits[t] = make([]float64, c.VocabSize)
		for v := range logits[t] {
			for j := range e {
				logits[t][v] += x[t][j] * wte[v*e+j]
			}
		}
	}
	return logits
}

func add(x, y [][]float64) {
	for i := range x {
		for j := range x[i] {
			x[i][j] += y[i][j]
		}
	}
}

// TestConfigVariants runs configs the fixtures do not cover (attention
// scaling options, other activations, token type ids) on a left-padded
// batch, as generation runs it, against the float64 reference run on each
// unpadded sequence.
func TestConfigVariants(t *testing.T) {
	t.Parallel()
	seqs := [][]int{{5, 9, 13, 2, 77}, {41, 3, 8}}
	types := [][]int{{0, 1, 1, 0, 2}, {3, 3, 1}}
	tests := []struct {
		name  string
		edit  func(*Config)
		types bool
	}{
		{"defaults", func(*Config) {}, false},
		{"no 1/sqrt(head_dim)", func(c *Config) { c.ScaleAttnWeights = false }, false},
		{"scale by inverse layer index", func(c *Config) { c.ScaleAttnByInverseLayerIdx = true }, false},
		{"inverse layer index only", func(c *Config) { c.ScaleAttnWeights, c.ScaleAttnByInverseLayerIdx = false, true }, false},
		{"reorder and upcast", func(c *Config) { c.ReorderAndUpcastAttn = true }, false},
		{"exact gelu", func(c *Config) { c.ActivationFunction = "gelu" }, false},
		{"relu", func(c *Config) { c.ActivationFunction = "relu" }, false},
		{"token type ids", func(*Config) {}, true},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := smallConfig(t)
			cfg.NLayer = 3
			tc.edit(&cfg)
			sd := randomWeights(&cfg, uint64(20+i))
			m, err := New(cfg, sd)
			if err != nil {
				t.Fatal(err)
			}
			in := leftPadded(seqs)
			if tc.types {
				in.TokenTypeIDs = leftPadded(types).InputIDs
			}
			out, err := m.Forward(context.Background(), in, nil)
			if err != nil {
				t.Fatal(err)
			}
			r := &refGPT2{c: &cfg, sd: sd}
			v, n := cfg.VocabSize, out.SeqLen
			got := mat.Data[float32](out.Logits)
			for b, ids := range seqs {
				var tt []int
				if tc.types {
					tt = types[b]
				}
				want := r.forward(ids, tt)
				pad := n - len(ids)
				for t0, row := range want {
					name := fmt.Sprintf("sequence %d token %d", b, t0)
					fixture.Close(t, name, got[(b*n+pad+t0)*v:(b*n+pad+t0+1)*v], f32(row))
				}
			}
		})
	}
}

// leftPadded pads sequences on the left with 0, masked, with the positions
// generation gives them: cumsum(mask)-1, and 1 on padding.
func leftPadded(seqs [][]int) Input {
	n := 0
	for _, s := range seqs {
		n = max(n, len(s))
	}
	var in Input
	for _, s := range seqs {
		pad := n - len(s)
		ids, mask, pos := make([]int, n), make([]int, n), make([]int, n)
		for t := range n {
			pos[t] = 1
			if t >= pad {
				ids[t], mask[t], pos[t] = s[t-pad], 1, t-pad
			}
		}
		in.InputIDs = append(in.InputIDs, ids)
		in.AttentionMask = append(in.AttentionMask, mask)
		in.PositionIDs = append(in.PositionIDs, pos)
	}
	return in
}

func f32(x []float64) []float32 {
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = float32(v)
	}
	return out
}
