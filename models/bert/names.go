package bert

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hfgo/hfgo/models/internal/layers"
	"github.com/hfgo/hfgo/models/internal/weights"
)

// This file is the one that knows the Hugging Face state-dict names.

// New builds a model from a config and a checkpoint's tensors
// (weights.Source: convert.Open's checkpoint view, or weights.Memory). It
// validates the config first (see Config.Validate). Names are read with or
// without the "bert." prefix, LayerNorm gamma/beta as weight/bias; the heads
// present in the checkpoint are loaded. A missing or mis-shaped tensor is a
// *weights.TensorError naming it.
func New(cfg *Config, src weights.Source) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	act, err := layers.Activation(cfg.HiddenAct)
	if err != nil {
		return nil, fmt.Errorf("bert: %w", err)
	}
	l := weights.NewLoader(src, "bert.", "")
	l.Alias(".gamma", ".weight")
	l.Alias(".beta", ".bias")
	// Read the encoder under the one prefix the checkpoint uses, so that a
	// missing tensor is named as the checkpoint would name it.
	l = l.Under("embeddings.word_embeddings.weight")
	m := &Model{Config: cfg, act: act}
	if m.Embeddings, err = loadEmbeddings(l, cfg); err != nil {
		return nil, fmt.Errorf("bert: %w", err)
	}
	for i := range cfg.NumHiddenLayers {
		layer, err := loadLayer(l, cfg, fmt.Sprintf("encoder.layer.%d.", i))
		if err != nil {
			return nil, fmt.Errorf("bert: %w", err)
		}
		m.Layers = append(m.Layers, layer)
	}
	if err := m.loadHeads(l, l.WithPrefixes("")); err != nil {
		return nil, fmt.Errorf("bert: %w", err)
	}
	m.Unexpected = l.Unused(func(n string) bool { return ignored(n, cfg) })
	return m, nil
}

func loadEmbeddings(l *weights.Loader, c *Config) (*Embeddings, error) {
	e := &Embeddings{}
	var err error
	if e.Word, err = layers.LoadEmbedding(l, "embeddings.word_embeddings.weight", c.VocabSize, c.HiddenSize); err != nil {
		return nil, err
	}
	if e.Position, err = layers.LoadEmbedding(l, "embeddings.position_embeddings.weight", c.MaxPositionEmbeddings, c.HiddenSize); err != nil {
		return nil, err
	}
	if e.TokenType, err = layers.LoadEmbedding(l, "embeddings.token_type_embeddings.weight", c.TypeVocabSize, c.HiddenSize); err != nil {
		return nil, err
	}
	e.Norm, err = layers.LoadLayerNorm(l, "embeddings.LayerNorm", c.HiddenSize, float32(c.LayerNormEps))
	return e, err
}

func loadLayer(l *weights.Loader, c *Config, p string) (*Layer, error) {
	h, in, eps := c.HiddenSize, c.IntermediateSize, float32(c.LayerNormEps)
	var y Layer
	var err error
	linears := []struct {
		dst     **layers.Linear
		name    string
		in, out int
	}{
		{&y.Query, "attention.self.query", h, h},
		{&y.Key, "attention.self.key", h, h},
		{&y.Value, "attention.self.value", h, h},
		{&y.AttentionOutput, "attention.output.dense", h, h},
		{&y.Intermediate, "intermediate.dense", h, in},
		{&y.Output, "output.dense", in, h},
	}
	for _, li := range linears {
		if *li.dst, err = layers.LoadLinear(l, p+li.name, li.in, li.out, true); err != nil {
			return nil, err
		}
	}
	if y.AttentionNorm, err = layers.LoadLayerNorm(l, p+"attention.output.LayerNorm", h, eps); err != nil {
		return nil, err
	}
	if y.OutputNorm, err = layers.LoadLayerNorm(l, p+"output.LayerNorm", h, eps); err != nil {
		return nil, err
	}
	return &y, nil
}

// loadHeads loads the pooler (from the base loader l) and the heads found
// under their unprefixed names (heads).
func (m *Model) loadHeads(l, heads *weights.Loader) error {
	c := m.Config
	var err error
	if l.Has("pooler.dense.weight") {
		if m.Pooler, err = layers.LoadLinear(l, "pooler.dense", c.HiddenSize, c.HiddenSize, true); err != nil {
			return err
		}
	}
	if heads.Has("cls.predictions.transform.dense.weight") {
		if m.MLM, err = loadMLM(heads, c, m.Embeddings.Word); err != nil {
			return err
		}
	}
	if heads.Has("cls.seq_relationship.weight") {
		if m.NSP, err = layers.LoadLinear(heads, "cls.seq_relationship", c.HiddenSize, 2, true); err != nil {
			return err
		}
	}
	arch := c.Architectures
	if heads.Has("classifier.weight") && !slices.Contains(arch, "BertForMultipleChoice") {
		lin, err := layers.LoadLinear(heads, "classifier", c.HiddenSize, len(c.Labels), true)
		if err != nil {
			return err
		}
		m.Classifier = &Classifier{Linear: lin, PerToken: slices.Contains(arch, "BertForTokenClassification")}
		if !m.Classifier.PerToken && m.Pooler == nil {
			return fmt.Errorf("sequence classifier without a pooler (pooler.dense.weight missing)")
		}
	}
	return nil
}

func loadMLM(l *weights.Loader, c *Config, word *layers.Embedding) (*MLMHead, error) {
	h := &MLMHead{}
	var err error
	if h.Transform, err = layers.LoadLinear(l, "cls.predictions.transform.dense", c.HiddenSize, c.HiddenSize, true); err != nil {
		return nil, err
	}
	if h.Norm, err = layers.LoadLayerNorm(l, "cls.predictions.transform.LayerNorm", c.HiddenSize, float32(c.LayerNormEps)); err != nil {
		return nil, err
	}
	biasName := "cls.predictions.bias"
	if !l.Has(biasName) && l.Has("cls.predictions.decoder.bias") {
		biasName = "cls.predictions.decoder.bias"
	}
	bias, err := l.Tensor(biasName, c.VocabSize)
	if err != nil {
		return nil, err
	}
	h.Decoder = &layers.Linear{Weight: word.Weight, Bias: layers.Param(bias), In: c.HiddenSize, Out: c.VocabSize}
	if !c.Tied() {
		w, err := l.Tensor("cls.predictions.decoder.weight", c.VocabSize, c.HiddenSize)
		if err != nil {
			return nil, err
		}
		h.Decoder.Weight = layers.Param(w)
	}
	return h, nil
}

// ignored reports the checkpoint names that are neither used nor
// unexpected: buffers and the tied copies of the decoder.
func ignored(name string, c *Config) bool {
	if strings.HasSuffix(name, "position_ids") {
		return true
	}
	if name == "cls.predictions.decoder.bias" {
		return true
	}
	return c.Tied() && name == "cls.predictions.decoder.weight"
}
