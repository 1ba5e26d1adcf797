package bert

import (
	"context"
	"fmt"
	"sync"

	"github.com/hfgo/hfgo/internal/kernel"
	"github.com/hfgo/hfgo/models/internal/layers"
	"github.com/nlpodyssey/spago/mat"
)

// Options selects the optional outputs of Forward.
type Options struct {
	// HiddenStates keeps the embedding output and every layer's output.
	HiddenStates bool
	// Attentions keeps every layer's attention probabilities.
	Attentions bool
}

// Output is BertModel's output for a batch of Batch sequences of SeqLen
// tokens. Token t of sequence b is row b·SeqLen+t of the token matrices.
type Output struct {
	// Batch and SeqLen are the number of sequences and their padded length.
	Batch, SeqLen int
	// LastHiddenState is (Batch·SeqLen)×hidden.
	LastHiddenState *mat.Dense[float32]
	// PoolerOutput is Batch×hidden; nil when the model has no pooler.
	PoolerOutput *mat.Dense[float32]
	// HiddenStates, when asked for, holds num_hidden_layers+1 matrices
	// shaped like LastHiddenState: the embeddings' output, then each layer's.
	HiddenStates []*mat.Dense[float32]
	// Attentions, when asked for, holds one (Batch·heads·SeqLen)×SeqLen
	// matrix per layer: the probabilities of sequence b, head h, query q are
	// row (b·heads+h)·SeqLen+q.
	Attentions []*mat.Dense[float32]
}

// Token returns the last hidden state of token t of sequence b, a view
// into LastHiddenState.
func (o *Output) Token(b, t int) []float32 {
	h := o.LastHiddenState.Shape()[1]
	r := b*o.SeqLen + t
	return mat.Data[float32](o.LastHiddenState)[r*h : (r+1)*h]
}

// workspace holds a forward pass's activation buffers, reused across layers
// and, through a pool, across calls.
// The intermediate activations reuse the memory of q|k|v and the attention
// context, done with by then: big holds one or the other.
type workspace struct {
	tmp, big, bias []float32
}

// qkv, ctx and inter are the views of w.big for rows tokens.
func (w *workspace) qkv(rows, h int) []float32   { return w.big[:rows*3*h] }
func (w *workspace) ctx(rows, h int) []float32   { return w.big[rows*3*h : rows*4*h] }
func (w *workspace) inter(rows, n int) []float32 { return w.big[:rows*n] }

var workspaces = sync.Pool{New: func() any { return new(workspace) }}

func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// Forward runs BertModel on a batch. It checks ctx between layers, and
// returns ErrClosed after Close.
func (m *Model) Forward(ctx context.Context, in Input, opts *Options) (*Output, error) {
	if m.closed.Load() {
		return nil, ErrClosed
	}
	if opts == nil {
		opts = &Options{}
	}
	c := m.Config
	if err := in.check(c); err != nil {
		return nil, err
	}
	b, n := in.Batch()
	rows, h := b*n, c.HiddenSize
	out := &Output{Batch: b, SeqLen: n}
	x := make([]float32, rows*h)
	m.embed(x, &in)
	w := workspaces.Get().(*workspace)
	defer workspaces.Put(w)
	w.tmp = grow(w.tmp, rows*h)
	w.big = grow(w.big, rows*max(4*h, c.IntermediateSize))
	w.bias = grow(w.bias, rows)
	keyBias(w.bias, in.AttentionMask, n)
	keep := func() {
		if opts.HiddenStates {
			out.HiddenStates = append(out.HiddenStates, dense(append([]float32(nil), x...), rows, h))
		}
	}
	keep()
	for _, layer := range m.Layers {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("bert: %w", err)
		}
		var probs []float32
		if opts.Attentions {
			probs = make([]float32, b*c.NumAttentionHeads*n*n)
			out.Attentions = append(out.Attentions, dense(probs, b*c.NumAttentionHeads*n, n))
		}
		m.layerForward(layer, x, w, b, n, probs)
		keep()
	}
	out.LastHiddenState = dense(x, rows, h)
	if m.Pooler != nil {
		out.PoolerOutput = m.pool(x, b, n)
	}
	return out, nil
}

func dense(data []float32, rows, cols int) *mat.Dense[float32] {
	return mat.NewDense[float32](mat.WithShape(rows, cols), mat.WithBacking(data))
}

// keyBias sets the additive attention bias of every token: 0 to attend,
// kernel.MaskValue for padding, as transformers' (1-mask)·float32_min.
func keyBias(dst []float32, mask [][]int, n int) {
	for i := range dst {
		dst[i] = 0
	}
	for s, row := range mask {
		for t, v := range row {
			if v == 0 {
				dst[s*n+t] = kernel.MaskValue
			}
		}
	}
}

// embed writes word + token type + position embeddings, normalised, to x.
func (m *Model) embed(x []float32, in *Input) {
	e, h := m.Embeddings, m.Config.HiddenSize
	b, n := in.Batch()
	pos := make([]int, n)
	for i := range pos {
		pos[i] = i
	}
	zeros := make([]int, n)
	for s := range b {
		xs := x[s*n*h : (s+1)*n*h]
		e.Word.Gather(xs, h, in.IDs[s], false)
		types := zeros
		if in.TypeIDs != nil {
			types = in.TypeIDs[s]
		}
		e.TokenType.Gather(xs, h, types, true)
		e.Position.Gather(xs, h, pos, true)
	}
	e.Norm.Forward(x, b*n, h)
}

// layerForward runs one post-LN encoder layer on x (b·n rows) in place.
func (m *Model) layerForward(y *Layer, x []float32, w *workspace, b, n int, probs []float32) {
	c := m.Config
	h, rows, heads, hd := c.HiddenSize, b*n, c.NumAttentionHeads, c.HeadDim()
	qkv, ctx := w.qkv(rows, h), w.ctx(rows, h)
	layers.ForwardShared(x, h, rows,
		layers.Output{Linear: y.Query, Y: qkv, LDY: 3 * h},
		layers.Output{Linear: y.Key, Y: qkv[h:], LDY: 3 * h},
		layers.Output{Linear: y.Value, Y: qkv[2*h:], LDY: 3 * h})
	cfg := kernel.AttentionConfig{Heads: heads, HeadDim: hd, Scale: attentionScale(hd)}
	for s := range b {
		q := qkv[s*n*3*h:]
		var p []float32
		if probs != nil {
			p = probs[s*heads*n*n : (s+1)*heads*n*n]
		}
		kernel.Attention(cfg, ctx[s*n*h:], h, q, 3*h, q[h:], 3*h, q[2*h:], 3*h, n, n, w.bias[s*n:(s+1)*n], p)
	}
	y.AttentionOutput.Forward(w.tmp, h, ctx, h, rows)
	y.AttentionNorm.AddForward(x, rows, h, w.tmp, h)
	inter := w.inter(rows, c.IntermediateSize) // over q|k|v and ctx
	y.Intermediate.Forward(inter, c.IntermediateSize, x, h, rows)
	m.act(inter)
	y.Output.Forward(w.tmp, h, inter, c.IntermediateSize, rows)
	y.OutputNorm.AddForward(x, rows, h, w.tmp, h)
}

// pool applies tanh(dense(·)) to the first token of each sequence.
func (m *Model) pool(x []float32, b, n int) *mat.Dense[float32] {
	h := m.Config.HiddenSize
	out := make([]float32, b*h)
	m.Pooler.Forward(out, h, x, n*h, b)
	kernel.Tanh(out)
	return dense(out, b, h)
}
