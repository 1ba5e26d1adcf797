package bert

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/hfgo/hfgo/models/internal/hubload"
	"github.com/hfgo/hfgo/tokenizer"
)

// Pipeline runs the tasks of a BERT checkpoint on text, as transformers'
// pipelines do: fill-mask, text and token classification, and
// sentence-transformers' sentence embeddings. It is safe for concurrent use.
type Pipeline struct {
	// Model and Tokenizer are the checkpoint's.
	Model     *Model
	Tokenizer *tokenizer.Tokenizer
	// Pooling makes sentence embeddings: from the folder's modules.json, or
	// mean pooling for a plain checkpoint.
	Pooling *Pooling
	// MaxLength truncates every input to that many tokens, special tokens
	// included: sentence-transformers' max_seq_length, else the tokenizer's
	// model_max_length, at most max_position_embeddings.
	MaxLength int
	// BatchSize bounds the texts of one forward pass.
	BatchSize int
}

// DefaultBatchSize is the number of texts per forward pass of a Pipeline.
const DefaultBatchSize = 32

// Load reads a BERT model folder, or the repo nameOrPath names (see
// LoadModel), for the tasks: the model, its tokenizer (tokenizer.json, or
// vocab.txt and tokenizer_config.json) and, when present, its
// sentence-transformers configuration. Close the pipeline to release the
// weights.
func Load(ctx context.Context, nameOrPath string, opts ...LoadOption) (*Pipeline, error) {
	path, err := hubload.Resolve(ctx, nameOrPath, opts)
	if err != nil {
		return nil, fmt.Errorf("bert: %w", err)
	}
	m, err := LoadModel(ctx, path)
	if err != nil {
		return nil, err
	}
	p, err := loadTasks(m, hubload.Dir(path))
	if err != nil {
		m.Close()
		return nil, err
	}
	return p, nil
}

func loadTasks(m *Model, dir string) (*Pipeline, error) {
	tok, err := tokenizer.Load(dir)
	if err != nil {
		return nil, fmt.Errorf("bert: %w", err)
	}
	pool, err := ReadPooling(dir)
	if err != nil {
		return nil, err
	}
	return NewPipeline(m, tok, pool)
}

// NewPipeline combines a model, its tokenizer and a pooling (nil: mean
// pooling) into a Pipeline.
func NewPipeline(m *Model, tok *tokenizer.Tokenizer, pool *Pooling) (*Pipeline, error) {
	c := m.Config
	maxLen := c.MaxPositionEmbeddings
	if n := tok.ModelMaxLength(); n > 0 && n < maxLen {
		maxLen = n
	}
	if pool == nil {
		pool = MeanPooling()
	} else if pool.Dimension != 0 && pool.Dimension != c.HiddenSize {
		return nil, fmt.Errorf("%w: pooling word_embedding_dimension %d, hidden_size %d", ErrSentenceTransformers, pool.Dimension, c.HiddenSize)
	}
	if pool.MaxSeqLength > 0 {
		maxLen = min(maxLen, pool.MaxSeqLength)
	}
	return &Pipeline{Model: m, Tokenizer: tok, Pooling: pool, MaxLength: maxLen, BatchSize: DefaultBatchSize}, nil
}

// Close releases the model's weights.
func (p *Pipeline) Close() error { return p.Model.Close() }

// Encode tokenizes texts into one padded batch (padding on the right, each
// text truncated to MaxLength tokens).
func (p *Pipeline) Encode(ctx context.Context, texts []string) (Input, []*tokenizer.Encoding, error) {
	return p.encode(ctx, texts, nil)
}

// EncodePairs tokenizes pairs of texts (first[i], second[i]) into one
// padded batch, token type ids 0 then 1, each pair truncated to MaxLength
// tokens (longest first).
func (p *Pipeline) EncodePairs(ctx context.Context, first, second []string) (Input, []*tokenizer.Encoding, error) {
	if len(first) != len(second) {
		return Input{}, nil, fmt.Errorf("%w: %d first texts, %d second texts", ErrInput, len(first), len(second))
	}
	return p.encode(ctx, first, second)
}

func (p *Pipeline) encode(ctx context.Context, texts, pairs []string) (Input, []*tokenizer.Encoding, error) {
	var encs []*tokenizer.Encoding
	var err error
	if pairs == nil {
		encs, err = p.Tokenizer.EncodeBatch(ctx, texts, tokenizer.WithTruncation(p.MaxLength), tokenizer.WithPadding(0, false))
	} else {
		encs, err = p.encodePairs(ctx, texts, pairs)
	}
	if err != nil {
		return Input{}, nil, fmt.Errorf("bert: %w", err)
	}
	in := Input{IDs: make([][]int, len(encs)), TypeIDs: make([][]int, len(encs)), AttentionMask: make([][]int, len(encs))}
	for i, e := range encs {
		in.IDs[i], in.TypeIDs[i], in.AttentionMask[i] = e.IDs, e.TypeIDs, e.AttentionMask
	}
	return in, encs, nil
}

// encodePairs encodes pairs one by one, truncated to MaxLength, then again
// padded to the longest with the tokenizer's pad token (the tokenizer pads
// a batch of single texts only).
func (p *Pipeline) encodePairs(ctx context.Context, first, second []string) ([]*tokenizer.Encoding, error) {
	trunc := tokenizer.WithTruncation(p.MaxLength)
	encs := make([]*tokenizer.Encoding, len(first))
	longest := 0
	for i := range first {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		e, err := p.Tokenizer.EncodePair(first[i], second[i], trunc)
		if err != nil {
			return nil, err
		}
		encs[i], longest = e, max(longest, e.Len())
	}
	for i, e := range encs {
		if e.Len() == longest {
			continue
		}
		e, err := p.Tokenizer.EncodePair(first[i], second[i], trunc, tokenizer.WithPadding(longest, false))
		if err != nil {
			return nil, err
		}
		encs[i] = e
	}
	return encs, nil
}

// batch is one forward pass over some of a call's texts.
type batch struct {
	index []int // positions of the texts in the call
	in    Input
	encs  []*tokenizer.Encoding
	out   *Output
}

// run encodes and runs texts (or the pairs texts[i], pairs[i] when pairs
// is not nil) in batches of similar lengths, calling fn on each batch's
// output.
func (p *Pipeline) run(ctx context.Context, texts, pairs []string, fn func(b *batch) error) error {
	if len(texts) == 0 {
		return nil
	}
	if pairs != nil && len(pairs) != len(texts) {
		return fmt.Errorf("%w: %d first texts, %d second texts", ErrInput, len(texts), len(pairs))
	}
	size := func(i int) int {
		if pairs != nil {
			return len(texts[i]) + len(pairs[i])
		}
		return len(texts[i])
	}
	order := make([]int, len(texts))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(size(a), size(b)) })
	step := max(p.BatchSize, 1)
	for lo := 0; lo < len(order); lo += step {
		idx := order[lo:min(lo+step, len(order))]
		chunk := make([]string, len(idx))
		var chunkPairs []string
		for i, j := range idx {
			chunk[i] = texts[j]
			if pairs != nil {
				chunkPairs = append(chunkPairs, pairs[j])
			}
		}
		in, encs, err := p.encode(ctx, chunk, chunkPairs)
		if err != nil {
			return err
		}
		out, err := p.Model.Forward(ctx, in, nil)
		if err != nil {
			return err
		}
		if err := fn(&batch{index: idx, in: in, encs: encs, out: out}); err != nil {
			return err
		}
	}
	return nil
}

// Embed returns the sentence embedding of text.
func (p *Pipeline) Embed(ctx context.Context, text string) ([]float32, error) {
	e, err := p.EmbedBatch(ctx, []string{text})
	if err != nil {
		return nil, err
	}
	return e[0], nil
}

// EmbedBatch returns the sentence embeddings of texts, in order.
func (p *Pipeline) EmbedBatch(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	err := p.run(ctx, texts, nil, func(b *batch) error {
		for i, e := range p.Pooling.Pool(b.out, b.in.AttentionMask) {
			out[b.index[i]] = e
		}
		return nil
	})
	return out, err
}
