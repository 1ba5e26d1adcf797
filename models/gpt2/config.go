package gpt2

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/hfgo/hfgo/models/internal/hfconfig"
	"github.com/hfgo/hfgo/models/internal/layers"
)

// ErrConfig is wrapped by every error about an invalid config.json or
// generation_config.json. It is the sentinel every model package shares.
var ErrConfig = hfconfig.ErrInvalid

// Config is a GPT-2 config.json (transformers' GPT2Config). Fields absent
// from the file take GPT2Config's defaults (those of the 124M "gpt2"
// checkpoint). Each field holds the config.json key its json tag names, as
// GPT2Config documents it.
type Config struct {
	hfconfig.Common
	VocabSize                  int      `json:"vocab_size"`
	NPositions                 int      `json:"n_positions"`
	NEmbd                      int      `json:"n_embd"`
	NLayer                     int      `json:"n_layer"`
	NHead                      int      `json:"n_head"`
	NInner                     *int     `json:"n_inner"` // nil: 4·n_embd
	ActivationFunction         string   `json:"activation_function"`
	LayerNormEpsilon           float64  `json:"layer_norm_epsilon"`
	ScaleAttnWeights           bool     `json:"scale_attn_weights"`
	ScaleAttnByInverseLayerIdx bool     `json:"scale_attn_by_inverse_layer_idx"`
	ReorderAndUpcastAttn       bool     `json:"reorder_and_upcast_attn"`
	AddCrossAttention          bool     `json:"add_cross_attention"`
	BOSTokenID                 TokenIDs `json:"bos_token_id"`
	EOSTokenID                 TokenIDs `json:"eos_token_id"`
	PadTokenID                 TokenIDs `json:"pad_token_id"`
}

// DefaultConfig returns GPT2Config's defaults.
func DefaultConfig() Config {
	return Config{
		Common:             hfconfig.Common{ModelType: "gpt2"},
		VocabSize:          50257,
		NPositions:         1024,
		NEmbd:              768,
		NLayer:             12,
		NHead:              12,
		ActivationFunction: "gelu_new",
		LayerNormEpsilon:   1e-5,
		ScaleAttnWeights:   true,
		BOSTokenID:         TokenIDs{50256},
		EOSTokenID:         TokenIDs{50256},
	}
}

// ParseConfig decodes a config.json over the defaults and validates it.
func ParseConfig(data []byte) (Config, error) {
	c, err := parseConfig(data)
	if err != nil {
		return Config{}, fmt.Errorf("gpt2: %w", err)
	}
	return c, nil
}

func parseConfig(data []byte) (Config, error) {
	c := DefaultConfig()
	if err := hfconfig.Decode(data, &c); err != nil {
		return Config{}, err
	}
	return c, c.validate()
}

// LoadConfig reads and validates dir/config.json.
func LoadConfig(dir string) (Config, error) {
	path := filepath.Join(dir, "config.json")
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("gpt2: %w", err)
	}
	c, err := parseConfig(data)
	if err != nil {
		return Config{}, fmt.Errorf("gpt2: %s: %w", path, err)
	}
	return c, nil
}

// maxDim bounds every size of the config, so that a hostile file cannot make
// the loader's shape arithmetic overflow.
const maxDim = 1 << 24

// Validate reports the first inconsistency of the config, wrapping
// ErrConfig.
func (c *Config) Validate() error {
	if err := c.validate(); err != nil {
		return fmt.Errorf("gpt2: %w", err)
	}
	return nil
}

func (c *Config) validate() error {
	if c.ModelType != "" && c.ModelType != "gpt2" {
		return fmt.Errorf("%w: model_type %q is not gpt2", ErrConfig, c.ModelType)
	}
	for _, f := range []struct {
		name string
		v    int
	}{
		{"vocab_size", c.VocabSize}, {"n_positions", c.NPositions}, {"n_embd", c.NEmbd},
		{"n_layer", c.NLayer}, {"n_head", c.NHead}, {"n_inner", c.Inner()},
	} {
		if f.v <= 0 || f.v > maxDim {
			return fmt.Errorf("%w: %s is %d, want 1..%d", ErrConfig, f.name, f.v, maxDim)
		}
	}
	if c.NEmbd%c.NHead != 0 {
		return fmt.Errorf("%w: n_embd %d is not divisible by n_head %d", ErrConfig, c.NEmbd, c.NHead)
	}
	if _, err := layers.Activation(c.ActivationFunction); err != nil {
		return fmt.Errorf("%w: activation_function: %w", ErrConfig, err)
	}
	if !(c.LayerNormEpsilon > 0) || math.IsInf(c.LayerNormEpsilon, 0) {
		return fmt.Errorf("%w: layer_norm_epsilon is %v, want > 0", ErrConfig, c.LayerNormEpsilon)
	}
	if err := c.Common.Check(); err != nil {
		return err
	}
	if c.AddCrossAttention {
		return fmt.Errorf("%w: add_cross_attention (encoder-decoder GPT-2) is not supported", ErrConfig)
	}
	return nil
}

// Inner is the width of the MLP: n_inner, or 4·n_embd when it is null.
func (c *Config) Inner() int {
	if c.NInner != nil {
		return *c.NInner
	}
	return 4 * c.NEmbd
}

// HeadDim is n_embd / n_head.
func (c *Config) HeadDim() int { return c.NEmbd / c.NHead }

func (c *Config) eps() float32 { return float32(c.LayerNormEpsilon) }

// TokenIDs is a token id field of a config, which transformers writes as
// null, a single id or a list of ids.
type TokenIDs []int

// UnmarshalJSON accepts null, an integer or a list of integers.
func (t *TokenIDs) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*t = nil
		return nil
	}
	if len(b) > 0 && b[0] == '[' {
		var ids []int
		if err := json.Unmarshal(b, &ids); err != nil {
			return err
		}
		*t = ids
		return nil
	}
	var id int
	if err := json.Unmarshal(b, &id); err != nil {
		return err
	}
	*t = TokenIDs{id}
	return nil
}

// MarshalJSON writes null, a single id, or a list.
func (t TokenIDs) MarshalJSON() ([]byte, error) {
	switch len(t) {
	case 0:
		return []byte("null"), nil
	case 1:
		return json.Marshal(t[0])
	}
	return json.Marshal([]int(t))
}

// First returns the first id, or -1 when there is none.
func (t TokenIDs) First() int {
	if len(t) == 0 {
		return -1
	}
	return t[0]
}
