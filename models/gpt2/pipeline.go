package gpt2

import (
	"context"
	"fmt"
	"iter"
	"strings"

	"github.com/hfgo/hfgo/hub"
	"github.com/hfgo/hfgo/models/internal/hubload"
	"github.com/hfgo/hfgo/tokenizer"
)

// Pipeline generates text with a GPT-2 checkpoint, as transformers'
// text-generation pipeline does: the model, its tokenizer, and the
// checkpoint's generation config as the default settings. It is safe for
// concurrent use.
type Pipeline struct {
	// Model and Tokenizer are the checkpoint's.
	Model     *Model
	Tokenizer *tokenizer.Tokenizer
	// Generation holds the defaults of the checkpoint
	// (generation_config.json, else the model config's token ids).
	Generation GenerationConfig
}

// Load reads a GPT-2 model folder, or the repo nameOrPath names (see
// LoadModel), for text generation: the model, its tokenizer
// (tokenizer.json, or vocab.json and merges.txt) and
// generation_config.json. Close the pipeline to release the weights.
func Load(ctx context.Context, nameOrPath string, opts ...LoadOption) (*Pipeline, error) {
	path, err := hubload.Resolve(ctx, nameOrPath, opts)
	if err != nil {
		return nil, fmt.Errorf("gpt2: %w", err)
	}
	m, err := LoadModel(ctx, path)
	if err != nil {
		return nil, err
	}
	dir := hubload.Dir(path)
	tok, err := tokenizer.Load(dir)
	if err != nil {
		m.Close()
		return nil, fmt.Errorf("gpt2: %w", err)
	}
	g, err := LoadGenerationConfig(dir, &m.Config)
	if err != nil {
		m.Close()
		return nil, err
	}
	p, err := NewPipeline(m, tok, g)
	if err != nil {
		m.Close()
		return nil, err
	}
	return p, nil
}

// NewPipeline combines a model, its tokenizer and default generation
// settings into a Pipeline.
func NewPipeline(m *Model, tok *tokenizer.Tokenizer, g GenerationConfig) (*Pipeline, error) {
	if n := tok.VocabSize(); n > m.Config.VocabSize {
		return nil, fmt.Errorf("%w: the tokenizer has %d tokens, the model's vocab_size is %d", ErrInput, n, m.Config.VocabSize)
	}
	return &Pipeline{Model: m, Tokenizer: tok, Generation: g}, nil
}

// Close releases the model's weights.
func (p *Pipeline) Close() error { return p.Model.Close() }

// Encode tokenizes a prompt as GPT2Tokenizer does (no special tokens added).
func (p *Pipeline) Encode(text string) ([]int, error) {
	enc, err := p.Tokenizer.Encode(text, tokenizer.WithoutTruncation(), tokenizer.WithoutPadding())
	if err != nil {
		return nil, fmt.Errorf("gpt2: %w", err)
	}
	return enc.IDs, nil
}

// Decode turns generated ids into text, leaving out special tokens, as the
// text-generation pipeline does.
func (p *Pipeline) Decode(ids []int) string {
	return p.Tokenizer.Decode(ids, true)
}

// withDecoder lets stop strings see the text of the ids, special tokens
// included.
func (p *Pipeline) withDecoder(g GenerationConfig) GenerationConfig {
	if g.Decode == nil {
		g.Decode = func(ids []int) string { return p.Tokenizer.Decode(ids, false) }
	}
	return g
}

// Generate continues each prompt by the rules of g (start from
// p.Generation and change what you need) and returns the generated text of
// each, without the prompt.
func (p *Pipeline) Generate(ctx context.Context, prompts []string, g GenerationConfig) ([]string, error) {
	ids := make([][]int, len(prompts))
	for i, s := range prompts {
		var err error
		if ids[i], err = p.Encode(s); err != nil {
			return nil, err
		}
	}
	out, err := p.Model.Generate(ctx, ids, p.withDecoder(g))
	if err != nil {
		return nil, err
	}
	texts := make([]string, len(prompts))
	for i, seq := range out.Sequences {
		texts[i] = p.Decode(seq[len(ids[i]):])
	}
	return texts, nil
}

// Stream continues prompt by the rules of g and yields the generated text
// piece by piece as tokens are produced: each piece ends before a space (or
// at a line end), so that later tokens never change text already yielded,
// and the pieces concatenate to the text Generate returns. Breaking the
// loop or cancelling ctx stops generation.
func (p *Pipeline) Stream(ctx context.Context, prompt string, g GenerationConfig) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		ids, err := p.Encode(prompt)
		if err != nil {
			yield("", err)
			return
		}
		var gen []int
		sent := ""
		for step, err := range p.Model.Stream(ctx, [][]int{ids}, p.withDecoder(g)) {
			if err != nil {
				yield("", err)
				return
			}
			gen = append(gen, step.Tokens[0])
			text := p.Decode(gen)
			ready := text
			if step.Finish[0] == "" {
				ready = stablePrefix(text)
			}
			if len(ready) > len(sent) && strings.HasPrefix(ready, sent) {
				if !yield(ready[len(sent):], nil) {
					return
				}
				sent = ready
			}
		}
	}
}

// stablePrefix returns the part of a growing decoded text that more tokens
// cannot change: up to its last space (the clean-up of tokenization spaces
// may remove a space before punctuation) or through its last line end.
// What follows holds any incomplete UTF-8 sequence (decoded as U+FFFD).
func stablePrefix(text string) string {
	i := strings.LastIndexAny(text, " \n")
	switch {
	case i < 0:
		return ""
	case text[i] == '\n':
		return text[:i+1]
	}
	return text[:i]
}

// LoadRepo downloads what Load needs of a Hub repo into the cache (the
// configs, the tokenizer files and one weight format, as hub.SelectDefault
// picks them; files already cached are not fetched again) and loads it.
// opts may be nil; its Select defaults to hub.SelectDefault. Load with
// WithClient does the same with the default snapshot options.
func LoadRepo(ctx context.Context, c *hub.Client, repoID string, opts *hub.SnapshotOptions) (*Pipeline, error) {
	o := hub.SnapshotOptions{}
	if opts != nil {
		o = *opts
	}
	if o.Select == nil {
		o.Select = hub.SelectDefault
	}
	dir, err := c.SnapshotDownload(ctx, repoID, &o)
	if err != nil {
		return nil, fmt.Errorf("gpt2: %w", err)
	}
	return Load(ctx, dir)
}
