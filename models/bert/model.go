package bert

import (
	"io"

	"github.com/hfgo/hfgo/internal/kernel"
	"github.com/hfgo/hfgo/models/internal/layers"
	"github.com/nlpodyssey/spago/nn"
)

// Model is a BERT checkpoint loaded for inference: BertModel (embeddings,
// post-LN encoder, pooler) and the heads the checkpoint holds. Its weights
// are spago parameters that wrap the checkpoint's float32 data without
// copying; they are never written, so one Model serves concurrent Forward
// calls.
type Model struct {
	nn.Module
	Config     *Config
	Embeddings *Embeddings
	Layers     []*Layer
	// Pooler is tanh(dense(h[CLS])); nil when the checkpoint has none
	// (BertForMaskedLM, BertForTokenClassification).
	Pooler *layers.Linear
	// MLM is the masked-language-model head (cls.predictions); nil when absent.
	MLM *MLMHead
	// NSP is the next-sentence head (cls.seq_relationship); nil when absent.
	NSP *layers.Linear
	// Classifier is the sequence or token classification head; nil when absent.
	Classifier *Classifier
	// Unexpected lists the checkpoint's tensors that no module uses, other
	// than known buffers and tied copies; transformers reports these and
	// loads anyway, and so does this package.
	Unexpected []string

	act    kernel.Activation
	closer io.Closer
}

// Embeddings sums word, position and token type embeddings, then applies
// LayerNorm.
type Embeddings struct {
	nn.Module
	Word, Position, TokenType *layers.Embedding
	Norm                      *layers.LayerNorm
}

// Layer is one post-LN encoder layer (BertLayer).
type Layer struct {
	nn.Module
	Query, Key, Value *layers.Linear
	AttentionOutput   *layers.Linear
	AttentionNorm     *layers.LayerNorm
	Intermediate      *layers.Linear
	Output            *layers.Linear
	OutputNorm        *layers.LayerNorm
}

// MLMHead is BertLMPredictionHead: dense, activation, LayerNorm, then the
// decoder, whose weight is the word embedding matrix when tied.
type MLMHead struct {
	nn.Module
	Transform *layers.Linear
	Norm      *layers.LayerNorm
	Decoder   *layers.Linear
}

// Classifier is the head of BertForSequenceClassification (on the pooled
// output) or BertForTokenClassification (on every token, PerToken).
type Classifier struct {
	nn.Module
	Linear   *layers.Linear
	PerToken bool
}

// Close releases the checkpoint the weights may alias (a memory-mapped
// file). The model must not be used afterwards.
func (m *Model) Close() error {
	if m.closer == nil {
		return nil
	}
	c := m.closer
	m.closer = nil
	return c.Close()
}
