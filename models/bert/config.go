package bert

import (
	"fmt"

	"github.com/hfgo/hfgo/models/internal/hfconfig"
	"github.com/hfgo/hfgo/models/internal/layers"
)

// Config is a BertConfig as read from config.json: every field that matters
// at inference, with transformers' defaults for the absent ones. Each field
// holds the config.json key its json tag names, as BertConfig documents it.
type Config struct {
	hfconfig.Common
	VocabSize             int     `json:"vocab_size"`
	HiddenSize            int     `json:"hidden_size"`
	NumHiddenLayers       int     `json:"num_hidden_layers"`
	NumAttentionHeads     int     `json:"num_attention_heads"`
	IntermediateSize      int     `json:"intermediate_size"`
	HiddenAct             string  `json:"hidden_act"`
	MaxPositionEmbeddings int     `json:"max_position_embeddings"`
	TypeVocabSize         int     `json:"type_vocab_size"`
	LayerNormEps          float64 `json:"layer_norm_eps"`
	PadTokenID            *int    `json:"pad_token_id"`
	PositionEmbeddingType string  `json:"position_embedding_type"`
	IsDecoder             bool    `json:"is_decoder"`
	AddCrossAttention     bool    `json:"add_cross_attention"`

	// Labels are the class names by id (id2label, or LABEL_i).
	Labels []string `json:"-"`
}

// DefaultConfig returns BertConfig's defaults (bert-base-uncased's shape).
func DefaultConfig() Config {
	pad := 0
	return Config{
		VocabSize:             30522,
		HiddenSize:            768,
		NumHiddenLayers:       12,
		NumAttentionHeads:     12,
		IntermediateSize:      3072,
		HiddenAct:             "gelu",
		MaxPositionEmbeddings: 512,
		TypeVocabSize:         2,
		LayerNormEps:          1e-12,
		PadTokenID:            &pad,
		PositionEmbeddingType: "absolute",
	}
}

// ReadConfig reads and validates a config.json file.
func ReadConfig(path string) (*Config, error) {
	c := DefaultConfig()
	if err := hfconfig.ReadFile(path, &c); err != nil {
		return nil, fmt.Errorf("bert: %w", err)
	}
	if err := c.check(); err != nil {
		return nil, fmt.Errorf("bert: %s: %w", path, err)
	}
	return &c, nil
}

// ParseConfig decodes and validates the contents of a config.json.
func ParseConfig(data []byte) (*Config, error) {
	c := DefaultConfig()
	if err := hfconfig.Decode(data, &c); err != nil {
		return nil, fmt.Errorf("bert: config: %w", err)
	}
	if err := c.check(); err != nil {
		return nil, fmt.Errorf("bert: config: %w", err)
	}
	return &c, nil
}

// Validate checks that the config describes a BERT this package runs, and
// fills Labels.
func (c *Config) Validate() error {
	if err := c.check(); err != nil {
		return fmt.Errorf("bert: config: %w", err)
	}
	return nil
}

func (c *Config) check() error {
	if c.ModelType != "" && c.ModelType != "bert" {
		return fmt.Errorf("%w: model_type %q is not bert", ErrUnsupported, c.ModelType)
	}
	positive := []struct {
		name string
		v    int
	}{
		{"vocab_size", c.VocabSize}, {"hidden_size", c.HiddenSize}, {"num_hidden_layers", c.NumHiddenLayers},
		{"num_attention_heads", c.NumAttentionHeads}, {"intermediate_size", c.IntermediateSize},
		{"max_position_embeddings", c.MaxPositionEmbeddings}, {"type_vocab_size", c.TypeVocabSize},
	}
	for _, p := range positive {
		if p.v <= 0 {
			return fmt.Errorf("%w: %s is %d, want > 0", hfconfig.ErrInvalid, p.name, p.v)
		}
	}
	if c.HiddenSize%c.NumAttentionHeads != 0 {
		return fmt.Errorf("%w: hidden_size %d is not a multiple of num_attention_heads %d",
			hfconfig.ErrInvalid, c.HiddenSize, c.NumAttentionHeads)
	}
	if !(c.LayerNormEps > 0) {
		return fmt.Errorf("%w: layer_norm_eps is %g, want > 0", hfconfig.ErrInvalid, c.LayerNormEps)
	}
	if _, err := layers.Activation(c.HiddenAct); err != nil {
		return fmt.Errorf("%w: hidden_act: %v", ErrUnsupported, err)
	}
	if c.PositionEmbeddingType != "absolute" {
		return fmt.Errorf("%w: position_embedding_type %q (only \"absolute\" is implemented)",
			ErrUnsupported, c.PositionEmbeddingType)
	}
	if c.IsDecoder || c.AddCrossAttention {
		return fmt.Errorf("%w: is_decoder / add_cross_attention (BERT as a decoder)", ErrUnsupported)
	}
	if err := c.Common.Check(); err != nil {
		return err
	}
	labels, err := c.Common.Labels()
	if err != nil {
		return err
	}
	c.Labels = labels
	return nil
}

// HeadDim is the size of one attention head.
func (c *Config) HeadDim() int { return c.HiddenSize / c.NumAttentionHeads }
