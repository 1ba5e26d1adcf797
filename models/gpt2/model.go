package gpt2

import (
	"math"

	"github.com/hfgo/hfgo/internal/kernel"
	"github.com/nlpodyssey/spago/mat"
	"github.com/nlpodyssey/spago/nn"
)

// Model is GPT2LMHeadModel: the GPT2Model transformer and its language
// modelling head. The head is the token embedding matrix (tied, as in every
// released GPT-2) unless the config unties it. Forward with NoLogits gives
// GPT2Model's outputs.
//
// The weight matrices wrap the checkpoint's float32 memory and are never
// written to. A Model is safe for concurrent use.
type Model struct {
	nn.Module
	Config Config
	// WTE is the token embedding, vocab_size x n_embd.
	WTE *mat.Dense[float32]
	// WPE is the position embedding, n_positions x n_embd.
	WPE    *mat.Dense[float32]
	Blocks []*Block
	LNF    *LayerNorm
	// LMHead is vocab_size x n_embd (the layout of a Linear weight, out x in):
	// WTE itself when the embeddings are tied.
	LMHead *mat.Dense[float32]
	// Unused lists the checkpoint's tensors that the model did not read
	// (another head's, say), apart from the causal-mask buffers of old
	// checkpoints and a tied lm_head.weight.
	Unused []string
}

// Block is one pre-LN transformer block (GPT2Block):
// x = x + attn(ln_1(x)); x = x + mlp(ln_2(x)).
type Block struct {
	nn.Module
	LN1  *LayerNorm
	Attn *Attention
	LN2  *LayerNorm
	MLP  *MLP
}

// Attention is GPT2Attention: CAttn projects to q|k|v (n_embd x 3·n_embd),
// CProj back to n_embd.
type Attention struct {
	nn.Module
	CAttn *Conv1D
	CProj *Conv1D
	Heads int
	// Scale multiplies q·kᵀ: 1/sqrt(head_dim) when scale_attn_weights, also
	// divided by layer+1 when scale_attn_by_inverse_layer_idx.
	Scale float32
}

// MLP is GPT2MLP: CProj(act(CFC(x))).
type MLP struct {
	nn.Module
	CFC   *Conv1D
	CProj *Conv1D
	act   kernel.Activation
}

// Conv1D is GPT-2's linear layer, y = x·W + b, with W stored (in, out): the
// transpose of torch.nn.Linear.
type Conv1D struct {
	nn.Module
	// Weight is in x out.
	Weight *mat.Dense[float32]
	// Bias is out x 1.
	Bias *mat.Dense[float32]
}

// LayerNorm is torch.nn.LayerNorm over the last dimension.
type LayerNorm struct {
	nn.Module
	Weight *mat.Dense[float32]
	Bias   *mat.Dense[float32]
	Eps    float32
}

func data(m *mat.Dense[float32]) []float32 { return mat.Data[float32](m) }

// in and out are the dimensions of the layer.
func (c *Conv1D) in() int  { return c.Weight.Shape()[0] }
func (c *Conv1D) out() int { return c.Weight.Shape()[1] }

// forward sets y = beta·y + x·W + b for the rows of x (rows x in, stride
// ldx), y being rows x out with stride ldy: beta 1 adds a residual in place.
func (c *Conv1D) forward(rows int, x []float32, ldx int, beta float32, y []float32, ldy int) {
	kernel.Gemm(false, rows, c.out(), c.in(), 1, x, ldx, data(c.Weight), c.out(), beta, y, ldy)
	kernel.AddRow(y, rows, ldy, data(c.Bias))
}

// forward normalises the rows of x in place.
func (l *LayerNorm) forward(x []float32, rows, ld int) {
	kernel.LayerNorm(x, rows, ld, data(l.Weight), data(l.Bias), l.Eps)
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
