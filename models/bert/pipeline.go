package bert

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/hfgo/hfgo/tokenizer"
)

// Pipeline runs the tasks of a BERT checkpoint on text, as transformers'
// pipelines do: fill-mask, text and token classification, and
// sentence-transformers' sentence embeddings. It is safe for concurrent use.
type Pipeline struct {
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
	dir, err := resolve(ctx, nameOrPath, opts)
	if err != nil {
		return nil, err
	}
	m, err := LoadModel(ctx, dir)
	if err != nil {
		return nil, err
	}
	p, err := loadTasks(m, dir)
	if err != nil {
		m.Close()
		return nil, err
	}
	return p, nil
}

func loadTasks(m *Model, dir string) (*Pipeline, error) {
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		dir = filepath.Dir(dir)
	}
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
	if n := tok.VocabSize(); n > c.VocabSize {
		return nil, fmt.Errorf("%w: the tokenizer has %d tokens, the model's vocab_size is %d", ErrInput, n, c.VocabSize)
	}
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
	encs, err := p.Tokenizer.EncodeBatch(ctx, texts, tokenizer.WithTruncation(p.MaxLength), tokenizer.WithPadding(0, false))
	if err != nil {
		return Input{}, nil, fmt.Errorf("bert: %w", err)
	}
	in := Input{IDs: make([][]int, len(encs)), TypeIDs: make([][]int, len(encs)), AttentionMask: make([][]int, len(encs))}
	for i, e := range encs {
		in.IDs[i], in.TypeIDs[i], in.AttentionMask[i] = e.IDs, e.TypeIDs, e.AttentionMask
	}
	return in, encs, nil
}

// batch is one forward pass over some of a call's texts.
type batch struct {
	index []int // positions of the texts in the call
	in    Input
	encs  []*tokenizer.Encoding
	out   *Output
}

// run encodes and runs texts in batches of similar lengths, calling fn on
// each batch's output.
func (p *Pipeline) run(ctx context.Context, texts []string, fn func(b *batch) error) error {
	if len(texts) == 0 {
		return nil
	}
	order := make([]int, len(texts))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(len(texts[a]), len(texts[b])) })
	size := max(p.BatchSize, 1)
	for lo := 0; lo < len(order); lo += size {
		idx := order[lo:min(lo+size, len(order))]
		chunk := make([]string, len(idx))
		for i, j := range idx {
			chunk[i] = texts[j]
		}
		in, encs, err := p.Encode(ctx, chunk)
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
	err := p.run(ctx, texts, func(b *batch) error {
		for i, e := range p.Pooling.Pool(b.out, b.in.AttentionMask) {
			out[b.index[i]] = e
		}
		return nil
	})
	return out, err
}
