package gpt2

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/hfgo/hfgo/models/internal/hfconfig"
)

// GenerationConfig is a generation_config.json (transformers'
// GenerationConfig): how Generate picks and stops tokens. Fields absent from
// the file take GenerationConfig's defaults: greedy decoding of at most
// max_length 20 tokens, prompt included.
type GenerationConfig struct {
	// MaxLength bounds prompt + new tokens (default 20); MaxNewTokens, when
	// positive, bounds the new tokens instead.
	MaxLength int `json:"max_length"`
	// MaxNewTokens bounds the new tokens when positive (0: MaxLength rules).
	MaxNewTokens int `json:"max_new_tokens"`
	// MinLength (prompt included) and MinNewTokens keep EOS from being
	// chosen before that many tokens.
	MinLength int `json:"min_length"`
	// MinNewTokens keeps EOS out of the first MinNewTokens new tokens.
	MinNewTokens int `json:"min_new_tokens"`
	// DoSample samples from the distribution; false is greedy decoding, on
	// which Temperature, TopK and TopP have no effect.
	DoSample bool `json:"do_sample"`
	// NumBeams must be 1: beam search is not implemented.
	NumBeams int `json:"num_beams"`
	// NumReturnSequences must be 1.
	NumReturnSequences int `json:"num_return_sequences"`
	// Temperature divides the scores (default 1).
	Temperature float64 `json:"temperature"`
	// TopK keeps the k best tokens, and every token tied with the k-th
	// (default 50; 0 disables it).
	TopK int `json:"top_k"`
	// TopP keeps the smallest set of best tokens whose probability reaches
	// it (default 1: disabled).
	TopP float64 `json:"top_p"`
	// RepetitionPenalty divides the positive and multiplies the negative
	// scores of every token already in the sequence, prompt (and padding)
	// included (default 1: none).
	RepetitionPenalty float64 `json:"repetition_penalty"`
	// BOSTokenID starts a prompt that is empty.
	BOSTokenID TokenIDs `json:"bos_token_id"`
	// EOSTokenID lists the tokens that end a sequence.
	EOSTokenID TokenIDs `json:"eos_token_id"`
	// PadTokenID fills the left of shorter prompts of a batch and the tail of
	// finished sequences; when absent, the first EOS id is used.
	PadTokenID TokenIDs `json:"pad_token_id"`
	// StopStrings end a sequence as soon as its generated text contains one;
	// generation needs Decode for them (a Pipeline sets it).
	StopStrings Strings `json:"stop_strings"`
	// OutputScores asks Generate for the processed scores of every step.
	OutputScores bool `json:"output_scores"`

	// Decode turns generated ids into text, for StopStrings.
	Decode func(ids []int) string `json:"-"`
	// Rand is the source of sampling; a seeded one (rand.New(rand.NewPCG(seed,
	// 0))) makes sampling reproducible. nil draws from a randomly seeded source.
	Rand *rand.Rand `json:"-"`
}

// DefaultGenerationConfig returns transformers' GenerationConfig defaults,
// with the special token ids of a model config.
func DefaultGenerationConfig(c *Config) GenerationConfig {
	g := GenerationConfig{
		MaxLength: 20, NumBeams: 1, NumReturnSequences: 1,
		Temperature: 1, TopK: 50, TopP: 1, RepetitionPenalty: 1,
	}
	if c != nil {
		g.BOSTokenID, g.EOSTokenID, g.PadTokenID = c.BOSTokenID, c.EOSTokenID, c.PadTokenID
	}
	return g
}

// ParseGenerationConfig decodes a generation_config.json over the defaults
// and validates it (all but Decode, which no file can set: stop_strings are
// accepted without it). Token ids the file leaves out come from c, as
// transformers takes them from the model config.
func ParseGenerationConfig(data []byte, c *Config) (GenerationConfig, error) {
	g := DefaultGenerationConfig(c)
	if err := hfconfig.Decode(data, &g); err != nil {
		return GenerationConfig{}, fmt.Errorf("gpt2: generation config: %w", err)
	}
	if err := g.check(); err != nil {
		return GenerationConfig{}, err
	}
	return g, nil
}

// LoadGenerationConfig reads dir/generation_config.json, or returns the
// defaults with c's token ids when the file does not exist.
func LoadGenerationConfig(dir string, c *Config) (GenerationConfig, error) {
	path := filepath.Join(dir, "generation_config.json")
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return DefaultGenerationConfig(c), nil
	}
	if err != nil {
		return GenerationConfig{}, fmt.Errorf("gpt2: %w", err)
	}
	g, err := ParseGenerationConfig(data, c)
	if err != nil {
		return GenerationConfig{}, fmt.Errorf("%w (%s)", err, path)
	}
	return g, nil
}

// Validate reports the first setting that generation cannot honour,
// wrapping ErrConfig: stop strings without a Decode function included.
func (g *GenerationConfig) Validate() error {
	if err := g.check(); err != nil {
		return err
	}
	if len(g.StopStrings) > 0 && g.Decode == nil {
		return generationError("stop_strings need a Decode function")
	}
	return nil
}

func generationError(format string, args ...any) error {
	return fmt.Errorf("gpt2: %w: generation config: %s", ErrConfig, fmt.Sprintf(format, args...))
}

// check validates what a generation_config.json can set.
func (g *GenerationConfig) check() error {
	bad := generationError
	switch {
	case g.MaxLength < 0 || g.MaxNewTokens < 0 || g.MinLength < 0 || g.MinNewTokens < 0:
		return bad("negative length (max_length %d, max_new_tokens %d, min_length %d, min_new_tokens %d)",
			g.MaxLength, g.MaxNewTokens, g.MinLength, g.MinNewTokens)
	case g.MaxLength == 0 && g.MaxNewTokens == 0:
		return bad("neither max_length nor max_new_tokens is set")
	case g.NumBeams > 1:
		return bad("num_beams %d: beam search is not supported", g.NumBeams)
	case g.NumReturnSequences > 1:
		return bad("num_return_sequences %d is not supported", g.NumReturnSequences)
	case !(g.RepetitionPenalty > 0) || math.IsInf(g.RepetitionPenalty, 0):
		return bad("repetition_penalty %v, want > 0", g.RepetitionPenalty)
	case g.TopK < 0:
		return bad("top_k %d, want >= 0", g.TopK)
	case !(g.TopP >= 0 && g.TopP <= 1):
		return bad("top_p %v, want 0..1", g.TopP)
	case g.DoSample && (!(g.Temperature > 0) || math.IsInf(g.Temperature, 0)):
		return bad("temperature %v, want > 0 (for greedy decoding, leave do_sample false)", g.Temperature)
	}
	for _, s := range g.StopStrings {
		if s == "" {
			return bad("empty stop string")
		}
	}
	return nil
}

// pad returns the id that pads batches and finished sequences: pad_token_id,
// else the first eos_token_id, else -1.
func (g *GenerationConfig) pad() int {
	if len(g.PadTokenID) > 0 {
		return g.PadTokenID[0]
	}
	return g.EOSTokenID.First()
}

// Strings is a list of strings that transformers writes as a single string
// when it has one element.
type Strings []string

// UnmarshalJSON accepts null, a string or a list of strings.
func (s *Strings) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*s = nil
		return nil
	case len(b) > 0 && b[0] == '"':
		var one string
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*s = Strings{one}
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return err
	}
	*s = list
	return nil
}
