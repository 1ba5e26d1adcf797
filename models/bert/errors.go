package bert

import "errors"

// ErrUnsupported is returned for a config or checkpoint that describes a
// BERT variant this package does not run (relative position embeddings, a
// decoder, an unknown activation).
var ErrUnsupported = errors.New("bert: unsupported")

// ErrNoHead is returned when a task needs a head (MLM, classifier) that the
// checkpoint does not have.
var ErrNoHead = errors.New("bert: checkpoint has no such head")

// ErrInput is returned for model inputs that do not fit the model: ids
// outside the vocabulary, sequences longer than max_position_embeddings,
// ragged batches, attention masks other than 0/1.
var ErrInput = errors.New("bert: invalid input")

// ErrClosed is returned by Forward and the heads once the model is closed:
// the checkpoint memory its weights lived in is gone.
var ErrClosed = errors.New("bert: model is closed")
