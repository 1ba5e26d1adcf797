package gpt2

import (
	"fmt"
	"strings"

	"github.com/hfgo/hfgo/models/internal/layers"
	"github.com/hfgo/hfgo/models/internal/weights"
)

// This file is the one that knows Hugging Face's GPT-2 tensor names.

// prefixes are tried in order: GPT2LMHeadModel checkpoints name the
// transformer's tensors "transformer.*", GPT2Model checkpoints have no prefix.
var prefixes = []string{"transformer.", ""}

// New builds a model from a config and the tensors of a checkpoint (a state
// dict of GPT2LMHeadModel or GPT2Model). The embeddings wrap the slices src
// returns, without copying; the Conv1D weights are stored transposed, and
// the biases and norms copied, in memory of the model's own (see
// layers.LoadConv1D), which Close releases, and a checkpoint that can give
// back their pages does (weights.Releaser). A missing or mis-shaped tensor gives a
// *weights.TensorError naming it as the checkpoint would.
func New(cfg Config, src weights.Source) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	l := weights.NewLoader(src, prefixes...)
	l.CopyVectors()
	m, err := load(cfg, l)
	if err == nil {
		err = l.ReleaseCopied()
	}
	if err != nil {
		l.Arena().Free()
		return nil, fmt.Errorf("gpt2: %w", err)
	}
	m.arena = l.Arena()
	return m, nil
}

func load(cfg Config, all *weights.Loader) (*Model, error) {
	// The transformer under the one prefix the checkpoint uses; lm_head
	// (GPT2LMHeadModel's own) without one.
	l := all.Under("wte.weight")
	e := cfg.NEmbd
	m := &Model{Config: cfg}
	var err error
	if m.WTE, err = layers.LoadEmbedding(l, "wte.weight", cfg.VocabSize, e); err != nil {
		return nil, err
	}
	if m.WPE, err = layers.LoadEmbedding(l, "wpe.weight", cfg.NPositions, e); err != nil {
		return nil, err
	}
	for i := range cfg.NLayer {
		b, err := loadBlock(l, &cfg, i)
		if err != nil {
			return nil, err
		}
		m.Blocks = append(m.Blocks, b)
	}
	if m.LNF, err = layers.LoadLayerNorm(l, "ln_f", e, cfg.eps()); err != nil {
		return nil, err
	}
	m.LMHead = m.WTE.Weight
	if !cfg.Tied() {
		w, err := all.WithPrefixes("").Tensor("lm_head.weight", cfg.VocabSize, e)
		if err != nil {
			return nil, err
		}
		m.LMHead = layers.Param(w)
	}
	m.Unused = l.Unused(ignoredTensor)
	return m, nil
}

// ignoredTensor reports the names a checkpoint may hold that the model does
// not use: the causal-mask buffers of old checkpoints, and the tied head.
func ignoredTensor(name string) bool {
	return weights.HasSuffix(name, ".attn.bias", ".attn.masked_bias") || strings.HasSuffix(name, "lm_head.weight")
}

func loadBlock(l *weights.Loader, cfg *Config, i int) (*Block, error) {
	p := fmt.Sprintf("h.%d.", i)
	e, inner := cfg.NEmbd, cfg.Inner()
	act, err := layers.Activation(cfg.ActivationFunction)
	if err != nil {
		return nil, err
	}
	b := &Block{Attn: &Attention{Heads: cfg.NHead, Scale: attentionScale(cfg, i)}, MLP: &MLP{Act: act}}
	if b.LN1, err = layers.LoadLayerNorm(l, p+"ln_1", e, cfg.eps()); err != nil {
		return nil, err
	}
	if b.Attn.CAttn, err = layers.LoadConv1D(l, p+"attn.c_attn", e, 3*e); err != nil {
		return nil, err
	}
	if b.Attn.CProj, err = layers.LoadConv1D(l, p+"attn.c_proj", e, e); err != nil {
		return nil, err
	}
	if b.LN2, err = layers.LoadLayerNorm(l, p+"ln_2", e, cfg.eps()); err != nil {
		return nil, err
	}
	if b.MLP.CFC, err = layers.LoadConv1D(l, p+"mlp.c_fc", e, inner); err != nil {
		return nil, err
	}
	if b.MLP.CProj, err = layers.LoadConv1D(l, p+"mlp.c_proj", inner, e); err != nil {
		return nil, err
	}
	return b, nil
}

// tensorNames lists the tensors New reads, without the "transformer."
// prefix, with their shapes.
func tensorNames(cfg *Config) map[string][]int {
	e, inner := cfg.NEmbd, cfg.Inner()
	names := map[string][]int{
		"wte.weight": {cfg.VocabSize, e}, "wpe.weight": {cfg.NPositions, e},
		"ln_f.weight": {e}, "ln_f.bias": {e},
	}
	for i := range cfg.NLayer {
		p := fmt.Sprintf("h.%d.", i)
		for k, s := range map[string][]int{
			"ln_1.weight": {e}, "ln_1.bias": {e}, "ln_2.weight": {e}, "ln_2.bias": {e},
			"attn.c_attn.weight": {e, 3 * e}, "attn.c_attn.bias": {3 * e},
			"attn.c_proj.weight": {e, e}, "attn.c_proj.bias": {e},
			"mlp.c_fc.weight": {e, inner}, "mlp.c_fc.bias": {inner},
			"mlp.c_proj.weight": {inner, e}, "mlp.c_proj.bias": {e},
		} {
			names[p+k] = s
		}
	}
	if !cfg.Tied() {
		names["lm_head.weight"] = []int{cfg.VocabSize, e}
	}
	return names
}
