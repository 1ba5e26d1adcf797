package bert

import (
	"io"
	"sync/atomic"

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
	// Config is the validated config the model was built from.
	Config *Config
	// Embeddings is bert.embeddings.
	Embeddings *Embeddings
	// Layers are bert.encoder.layer.0, 1, ...
	Layers []*Layer
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
	closed atomic.Bool
}

// Embeddings sums word, position and token type embeddings, then applies
// LayerNorm.
type Embeddings struct {
	nn.Module
	// Word, Position and TokenType are the word_embeddings,
	// position_embeddings and token_type_embeddings tables.
	Word, Position, TokenType *layers.Embedding
	// Norm is embeddings.LayerNorm.
	Norm *layers.LayerNorm
}

// Layer is one post-LN encoder layer (BertLayer).
type Layer struct {
	nn.Module
	// Query, Key and Value are attention.self.query, key and value.
	Query, Key, Value *layers.Linear
	// AttentionOutput and AttentionNorm are attention.output.dense and
	// attention.output.LayerNorm.
	AttentionOutput *layers.Linear
	AttentionNorm   *layers.LayerNorm
	// Intermediate is intermediate.dense (followed by hidden_act).
	Intermediate *layers.Linear
	// Output and OutputNorm are output.dense and output.LayerNorm.
	Output     *layers.Linear
	OutputNorm *layers.LayerNorm
}

// MLMHead is BertLMPredictionHead: dense, activation, LayerNorm, then the
// decoder, whose weight is the word embedding matrix when tied.
type MLMHead struct {
	nn.Module
	// Transform and Norm are cls.predictions.transform.dense and
	// transform.LayerNorm.
	Transform *layers.Linear
	Norm      *layers.LayerNorm
	// Decoder maps to vocab_size logits: the word embeddings (tied) or
	// cls.predictions.decoder.weight, with cls.predictions.bias.
	Decoder *layers.Linear
}

// Classifier is the head of BertForSequenceClassification (on the pooled
// output) or BertForTokenClassification (on every token, PerToken).
type Classifier struct {
	nn.Module
	// Linear is the classifier tensor, one output per label.
	Linear *layers.Linear
	// PerToken is true for a token classifier, false for a sequence one.
	PerToken bool
}

// Close releases the checkpoint the weights may alias (a memory-mapped
// file). Forward and the heads then return ErrClosed; Close must not run
// while a pass is under way. Calling it twice is harmless.
func (m *Model) Close() error {
	m.closed.Store(true)
	if m.closer == nil {
		return nil
	}
	c := m.closer
	m.closer = nil
	return c.Close()
}
