package gpt2

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/hfgo/hfgo/internal/kernel"
	"github.com/hfgo/hfgo/models/internal/layers"
	"github.com/nlpodyssey/spago/mat"
)

// ErrInput is wrapped by every error about the input of a forward pass or of
// generation: ragged batches, ids outside the vocabulary, positions past
// n_positions, a full cache.
var ErrInput = errors.New("gpt2: invalid input")

// ErrClosed is returned by Forward, and so by Generate and Stream, once the
// model is closed: the weights it held are gone.
var ErrClosed = errors.New("gpt2: model is closed")

// LogitsMode selects the positions Forward projects onto the vocabulary.
type LogitsMode int

const (
	// AllLogits computes the logits of every position, as transformers does.
	AllLogits LogitsMode = iota
	// LastLogits computes the logits of the last position of each sequence
	// only: all that generation needs.
	LastLogits
	// NoLogits skips the head: GPT2Model's outputs.
	NoLogits
)

// Input is a batch of token sequences of equal length (pad shorter ones and
// mask the padding).
type Input struct {
	// InputIDs is batch x seq.
	InputIDs [][]int
	// AttentionMask is nil (every token attended) or batch x seq of 1 (keep)
	// and 0 (padding). With a Cache it covers the new tokens only: the past
	// tokens keep the mask they were run with.
	AttentionMask [][]int
	// PositionIDs is nil or batch x seq. nil means past+0, past+1, ... for
	// every sequence, as GPT2Model computes them; left-padded batches pass
	// cumsum(mask)-1 instead, as generation does.
	PositionIDs [][]int
	// TokenTypeIDs is nil or batch x seq; GPT-2 embeds them through wte.
	TokenTypeIDs [][]int
}

// Options selects what Forward computes and returns.
type Options struct {
	// Logits selects the positions projected onto the vocabulary.
	Logits LogitsMode
	// HiddenStates asks for the n_layer+1 hidden states.
	HiddenStates bool
	// Attentions asks for the attention probabilities of every layer.
	Attentions bool
	// Cache, when not nil, supplies the past keys and values and receives
	// those of the new tokens.
	Cache *Cache
}

// Output holds the results of Forward. Batched tensors are flattened to
// spago's 2-D matrices: a [batch, seq, n] tensor of transformers is a
// (batch·seq) x n matrix whose row b·seq+t is token t of sequence b.
type Output struct {
	// Batch and SeqLen are the number of sequences and their length.
	Batch, SeqLen int
	// Logits is (batch·seq) x vocab_size, or batch x vocab_size with
	// LastLogits, or nil with NoLogits.
	Logits *mat.Dense[float32]
	// LastHiddenState is (batch·seq) x n_embd, after ln_f.
	LastHiddenState *mat.Dense[float32]
	// HiddenStates, when asked for, holds n_layer+1 matrices like
	// LastHiddenState: the embeddings, the output of each block but the
	// last, and LastHiddenState.
	HiddenStates []*mat.Dense[float32]
	// Attentions, when asked for, holds one matrix per layer of
	// (batch·heads·seq) x (past+seq) probabilities: row (b·heads+h)·seq+t is
	// query t of head h of sequence b.
	Attentions []*mat.Dense[float32]
}

// Forward runs the model on a batch of token sequences; opts may be nil. It
// returns an error wrapping ErrInput for a ragged batch, an id outside the
// vocabulary, a position outside n_positions, a mask other than 0/1, or a
// cache that cannot take the tokens, and ErrClosed after Close. It checks
// ctx between blocks; a pass that fails leaves the cache as it was.
func (m *Model) Forward(ctx context.Context, in Input, opts *Options) (*Output, error) {
	if m.closed.Load() {
		return nil, ErrClosed
	}
	if opts == nil {
		opts = &Options{}
	}
	batch, seq, err := m.checkInput(in, opts.Cache)
	if err != nil {
		return nil, err
	}
	c := opts.Cache
	if c == nil {
		c = m.NewCache(batch, seq)
	}
	past, rows, e := c.Len(), batch*seq, m.Config.NEmbd
	x := make([]float32, rows*e)
	m.embed(x, in, past)
	c.setMask(in.AttentionMask, seq)
	out := &Output{Batch: batch, SeqLen: seq}
	s := scratchFor(m, rows)
	defer scratches.Put(s)
	for l, blk := range m.Blocks {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("gpt2: %w", err)
		}
		// x += the previous block's MLP output; s.h = ln_1(x), in one pass.
		if l == 0 {
			blk.LN1.ForwardTo(s.h, e, x, rows, e)
		} else {
			blk.LN1.AddForwardTo(s.h, e, x, rows, e, s.h, e)
		}
		if opts.HiddenStates {
			out.HiddenStates = append(out.HiddenStates, matrix(rows, e, clone(x)))
		}
		var probs []float32
		if opts.Attentions {
			probs = make([]float32, batch*blk.Attn.Heads*seq*(past+seq))
			out.Attentions = append(out.Attentions, matrix(batch*blk.Attn.Heads*seq, past+seq, probs))
		}
		blk.forward(l, x, batch, seq, c, s, probs)
	}
	if len(m.Blocks) > 0 {
		m.LNF.AddForward(x, rows, e, s.h, e)
	} else {
		m.LNF.Forward(x, rows, e)
	}
	c.n += seq
	out.LastHiddenState = matrix(rows, e, x)
	if opts.HiddenStates {
		out.HiddenStates = append(out.HiddenStates, out.LastHiddenState)
	}
	out.Logits = m.logits(x, batch, seq, opts.Logits)
	return out, nil
}

// embed sets x to wte[ids] + wpe[positions] (+ wte[token types]).
func (m *Model) embed(x []float32, in Input, past int) {
	e := m.Config.NEmbd
	for b, ids := range in.InputIDs {
		for t, id := range ids {
			pos := past + t
			if in.PositionIDs != nil {
				pos = in.PositionIDs[b][t]
			}
			row := x[(b*len(ids)+t)*e : (b*len(ids)+t+1)*e]
			copy(row, m.WTE.Row(id))
			kernel.Add(row, m.WPE.Row(pos))
			if in.TokenTypeIDs != nil {
				kernel.Add(row, m.WTE.Row(in.TokenTypeIDs[b][t]))
			}
		}
	}
}

// logits projects the hidden states onto the vocabulary.
func (m *Model) logits(x []float32, batch, seq int, mode LogitsMode) *mat.Dense[float32] {
	e, v := m.Config.NEmbd, m.Config.VocabSize
	switch mode {
	case NoLogits:
		return nil
	case LastLogits:
		last := make([]float32, batch*e)
		for b := range batch {
			copy(last[b*e:(b+1)*e], x[((b+1)*seq-1)*e:(b+1)*seq*e])
		}
		x, seq = last, 1
	}
	out := make([]float32, batch*seq*v)
	kernel.Gemm(true, batch*seq, v, e, 1, x, e, layers.Data(m.LMHead), e, 0, out, v)
	return matrix(batch*seq, v, out)
}

// scratch holds the activations of one block for all rows of a pass.
type scratch struct {
	h, qkv, a, ff []float32
}

// scratches recycles the activations of finished passes, so that decoding
// does not allocate them for every token.
var scratches = sync.Pool{New: func() any { return new(scratch) }}

func scratchFor(m *Model, rows int) *scratch {
	e := m.Config.NEmbd
	s := scratches.Get().(*scratch)
	s.h = grow(s.h, rows*e)
	s.qkv = grow(s.qkv, rows*3*e)
	s.a = grow(s.a, rows*e)
	s.ff = grow(s.ff, rows*m.Config.Inner())
	return s
}

func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// forward runs block l on x (batch·seq x n_embd), given s.h = ln_1(x):
// x += attn(s.h), then s.h = mlp(ln_2(x)), left for the caller to add to x
// in the same pass as the next LayerNorm. probs, when not nil, receives the
// attention probabilities.
func (blk *Block) forward(l int, x []float32, batch, seq int, c *Cache, s *scratch, probs []float32) {
	e := len(x) / (batch * seq)
	rows := batch * seq
	blk.Attn.forward(l, s, batch, seq, c, probs)
	blk.Attn.CProj.Forward(s.h, e, s.a, e, rows)
	blk.LN2.AddForwardTo(s.h, e, x, rows, e, s.h, e)
	inner := blk.MLP.CFC.Out
	blk.MLP.CFC.Forward(s.ff, inner, s.h, e, rows)
	blk.MLP.Act(s.ff)
	blk.MLP.CProj.Forward(s.h, e, s.ff, inner, rows)
}

// forward sets s.a to the attention of the normalised rows s.h, storing the
// new keys and values in layer l of the cache.
func (a *Attention) forward(l int, s *scratch, batch, seq int, c *Cache, probs []float32) {
	e := len(s.h) / (batch * seq)
	a.CAttn.Forward(s.qkv, 3*e, s.h, e, batch*seq)
	past := c.Len()
	kLen := past + seq
	cfg := kernel.AttentionConfig{Heads: a.Heads, HeadDim: e / a.Heads, Scale: a.Scale, Causal: true, Past: past}
	for b := range batch {
		qkv := s.qkv[b*seq*3*e : (b+1)*seq*3*e]
		c.store(l, b, seq, qkv[e:], qkv[2*e:], 3*e)
		k, v := c.keys(l, b)
		var p []float32
		if probs != nil {
			n := a.Heads * seq * kLen
			p = probs[b*n : (b+1)*n]
		}
		kernel.Attention(cfg, s.a[b*seq*e:], e, qkv, 3*e, k, e, v, e, seq, kLen, c.keyBias(b, kLen), p)
	}
}

func matrix(rows, cols int, d []float32) *mat.Dense[float32] {
	return mat.NewDense[float32](mat.WithShape(rows, cols), mat.WithBacking(d))
}

func clone(x []float32) []float32 { return append([]float32(nil), x...) }

// checkInput validates the input against the config and the cache and
// returns its batch size and sequence length.
func (m *Model) checkInput(in Input, c *Cache) (batch, seq int, err error) {
	batch = len(in.InputIDs)
	if batch == 0 || len(in.InputIDs[0]) == 0 {
		return 0, 0, fmt.Errorf("%w: no tokens", ErrInput)
	}
	seq = len(in.InputIDs[0])
	past := 0
	if c != nil {
		if err := c.check(m, batch, seq); err != nil {
			return 0, 0, err
		}
		past = c.Len()
	}
	if err := checkIDs("input_ids", in.InputIDs, batch, seq, 0, m.Config.VocabSize); err != nil {
		return 0, 0, err
	}
	if err := checkIDs("attention_mask", in.AttentionMask, batch, seq, 0, 2); err != nil {
		return 0, 0, err
	}
	if err := checkIDs("token_type_ids", in.TokenTypeIDs, batch, seq, 0, m.Config.VocabSize); err != nil {
		return 0, 0, err
	}
	if in.PositionIDs == nil && past+seq > m.Config.NPositions {
		return 0, 0, fmt.Errorf("%w: position %d outside n_positions %d", ErrInput, past+seq-1, m.Config.NPositions)
	}
	if err := checkIDs("position_ids", in.PositionIDs, batch, seq, 0, m.Config.NPositions); err != nil {
		return 0, 0, err
	}
	return batch, seq, nil
}

// checkIDs checks that ids, unless nil, is batch x seq with values in
// [lo, hi).
func checkIDs(name string, ids [][]int, batch, seq, lo, hi int) error {
	if ids == nil {
		return nil
	}
	if len(ids) != batch {
		return fmt.Errorf("%w: %s has %d rows, input_ids %d", ErrInput, name, len(ids), batch)
	}
	for b, row := range ids {
		if len(row) != seq {
			return fmt.Errorf("%w: %s row %d has %d tokens, want %d", ErrInput, name, b, len(row), seq)
		}
		for t, id := range row {
			if id < lo || id >= hi {
				return fmt.Errorf("%w: %s[%d][%d] = %d outside [%d, %d)", ErrInput, name, b, t, id, lo, hi)
			}
		}
	}
	return nil
}
