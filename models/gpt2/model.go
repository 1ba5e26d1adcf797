package gpt2

import (
	"io"
	"math"
	"sync/atomic"

	"github.com/hfgo/hfgo/internal/kernel"
	"github.com/hfgo/hfgo/models/internal/layers"
	"github.com/hfgo/hfgo/models/internal/weights"
	"github.com/nlpodyssey/spago/nn"
)

// Model is GPT2LMHeadModel: the GPT2Model transformer and its language
// modelling head. The head is the token embedding matrix (tied, as in every
// released GPT-2) unless the config unties it. Forward with NoLogits gives
// GPT2Model's outputs.
//
// The parameters wrap the checkpoint's float32 memory and are never written
// to, except the Conv1D weights, transposed at load into memory the model
// owns until Close. A Model is safe for concurrent use until Close.
type Model struct {
	nn.Module
	// Config is the validated config the model was built from.
	Config Config
	// WTE is the token embedding, vocab_size x n_embd.
	WTE *layers.Embedding
	// WPE is the position embedding, n_positions x n_embd.
	WPE *layers.Embedding
	// Blocks are h.0, h.1, ...
	Blocks []*Block
	// LNF is the final LayerNorm, ln_f.
	LNF *layers.LayerNorm
	// LMHead is vocab_size x n_embd (the layout of a Linear weight, out x
	// in): WTE's weight itself when the embeddings are tied.
	LMHead *nn.Param
	// Unused lists the checkpoint's tensors that the model did not read
	// (another head's, say), apart from the causal-mask buffers of old
	// checkpoints and a tied lm_head.weight.
	Unused []string

	closer io.Closer      // the checkpoint the weights live in, if LoadModel opened it
	arena  *weights.Arena // the weights the model copied (transposed) at load
	closed atomic.Bool    // set by Close, checked by Forward
}

// Block is one pre-LN transformer block (GPT2Block):
// x = x + attn(ln_1(x)); x = x + mlp(ln_2(x)).
type Block struct {
	nn.Module
	// LN1, Attn, LN2 and MLP are ln_1, attn, ln_2 and mlp.
	LN1  *layers.LayerNorm
	Attn *Attention
	LN2  *layers.LayerNorm
	MLP  *MLP
}

// Attention is GPT2Attention: CAttn projects to q|k|v (Conv1D, n_embd to
// 3·n_embd), CProj back to n_embd.
type Attention struct {
	nn.Module
	// CAttn and CProj are attn.c_attn and attn.c_proj, their weights
	// stored Out×In (the checkpoint's Conv1D In×Out, transposed at load).
	CAttn *layers.Linear
	CProj *layers.Linear
	// Heads is n_head.
	Heads int
	// Scale multiplies q·kᵀ: 1/sqrt(head_dim) when scale_attn_weights, also
	// divided by layer+1 when scale_attn_by_inverse_layer_idx.
	Scale float32
}

// MLP is GPT2MLP: CProj(Act(CFC(x))), both Conv1D.
type MLP struct {
	nn.Module
	// CFC and CProj are mlp.c_fc and mlp.c_proj, their weights stored
	// Out×In like Attention's.
	CFC   *layers.Linear
	CProj *layers.Linear
	// Act is activation_function, applied in place.
	Act kernel.Activation
}

// attentionScale is the factor of q·kᵀ in block layer.
func attentionScale(c *Config, layer int) float32 {
	s := 1.0
	if c.ScaleAttnWeights {
		s /= math.Sqrt(float64(c.HeadDim()))
	}
	if c.ScaleAttnByInverseLayerIdx {
		s /= float64(layer + 1)
	}
	return float32(s)
}
