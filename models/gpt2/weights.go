package gpt2

import (
	"fmt"
	"strings"

	"github.com/hfgo/hfgo/models/internal/weights"
)

// This file is the one that knows Hugging Face's GPT-2 tensor names.

// prefixes are tried in order: GPT2LMHeadModel checkpoints name the
// transformer's tensors "transformer.*", GPT2Model checkpoints have no prefix.
var prefixes = []string{"transformer.", ""}

// New builds a model from a validated config and the tensors of a checkpoint
// (a state dict of GPT2LMHeadModel or GPT2Model). The matrices wrap the
// slices src returns, without copying. A missing or mis-shaped tensor gives
// a *weights.TensorError naming it.
func New(cfg Config, src weights.Source) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	l := weights.NewLoader(src, prefixes...)
	e, v := cfg.NEmbd, cfg.VocabSize
	m := &Model{Config: cfg}
	var err error
	if m.WTE, err = l.Tensor("wte.weight", v, e); err != nil {
		return nil, err
	}
	if m.WPE, err = l.Tensor("wpe.weight", cfg.NPositions, e); err != nil {
		return nil, err
	}
	for i := range cfg.NLayer {
		b, err := loadBlock(l, &cfg, i)
		if err != nil {
			return nil, err
		}
		m.Blocks = append(m.Blocks, b)
	}
	if m.LNF, err = loadLayerNorm(l, "ln_f", &cfg); err != nil {
		return nil, err
	}
	m.LMHead = m.WTE
	if !cfg.TieWordEmbeddings {
		if m.LMHead, err = l.Tensor("lm_head.weight", v, e); err != nil {
			return nil, err
		}
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
	e := cfg.NEmbd
	b := &Block{Attn: &Attention{Heads: cfg.NHead, Scale: attentionScale(cfg, i)}, MLP: &MLP{act: activations[cfg.ActivationFunction]}}
	var err error
	if b.LN1, err = loadLayerNorm(l, p+"ln_1", cfg); err != nil {
		return nil, err
	}
	if b.Attn.CAttn, err = loadConv1D(l, p+"attn.c_attn", e, 3*e); err != nil {
		return nil, err
	}
	if b.Attn.CProj, err = loadConv1D(l, p+"attn.c_proj", e, e); err != nil {
		return nil, err
	}
	if b.LN2, err = loadLayerNorm(l, p+"ln_2", cfg); err != nil {
		return nil, err
	}
	if b.MLP.CFC, err = loadConv1D(l, p+"mlp.c_fc", e, cfg.Inner()); err != nil {
		return nil, err
	}
	if b.MLP.CProj, err = loadConv1D(l, p+"mlp.c_proj", cfg.Inner(), e); err != nil {
		return nil, err
	}
	return b, nil
}

func loadConv1D(l *weights.Loader, name string, in, out int) (*Conv1D, error) {
	w, err := l.Tensor(name+".weight", in, out)
	if err != nil {
		return nil, err
	}
	b, err := l.Tensor(name+".bias", out)
	if err != nil {
		return nil, err
	}
	return &Conv1D{Weight: w, Bias: b}, nil
}

func loadLayerNorm(l *weights.Loader, name string, cfg *Config) (*LayerNorm, error) {
	w, err := l.Tensor(name+".weight", cfg.NEmbd)
	if err != nil {
		return nil, err
	}
	b, err := l.Tensor(name+".bias", cfg.NEmbd)
	if err != nil {
		return nil, err
	}
	return &LayerNorm{Weight: w, Bias: b, Eps: float32(cfg.LayerNormEpsilon)}, nil
}

// tensorNames lists the tensors New reads, without the "transformer."
// prefix.
func tensorNames(cfg *Config) []string {
	names := []string{"wte.weight", "wpe.weight"}
	for i := range cfg.NLayer {
		for _, s := range []string{"ln_1", "attn.c_attn", "attn.c_proj", "ln_2", "mlp.c_fc", "mlp.c_proj"} {
			names = append(names, fmt.Sprintf("h.%d.%s.weight", i, s), fmt.Sprintf("h.%d.%s.bias", i, s))
		}
	}
	names = append(names, "ln_f.weight", "ln_f.bias")
	if !cfg.TieWordEmbeddings {
		names = append(names, "lm_head.weight")
	}
	return names
}
