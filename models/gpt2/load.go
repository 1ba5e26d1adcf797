package gpt2

import (
	"context"
	"errors"
	"io"

	"github.com/hfgo/hfgo/hub"
	"github.com/hfgo/hfgo/models/internal/hubload"
	"github.com/hfgo/hfgo/models/internal/weights"
)

// LoadOption configures how Load and LoadModel download a repo id.
type LoadOption = hubload.Option

// WithClient downloads repos with c instead of a client configured from the
// environment (HF_ENDPOINT, HF_HOME, HF_TOKEN, HF_HUB_OFFLINE...).
func WithClient(c *hub.Client) LoadOption { return hubload.WithClient(c) }

// WithRevision loads a repo at a branch, tag or commit instead of main.
func WithRevision(rev string) LoadOption { return hubload.WithRevision(rev) }

// WithProgress receives the download's progress events.
func WithProgress(f hub.ProgressFunc) LoadOption { return hubload.WithProgress(f) }

// LoadModel loads a GPT-2 model folder: config.json and the weights in any
// format convert.Open reads (model.safetensors, sharded safetensors,
// pytorch_model.bin zip or legacy, sharded .bin). path may also name one
// weight file or shard index, with config.json beside it. fp16 and bf16
// weights are widened to float32 once. The Conv1D weights of the blocks are
// transposed once into memory of the model's own (their pages of the
// checkpoint are given back); the other float32 weights (embeddings, layer
// norms, biases) stay in the checkpoint's read-only memory mapping. The
// model so holds one copy of its weights: Close it to release the mapping.
//
// When nameOrPath is not a local path but a repo id ("owner/name"), the
// repo's configs, tokenizer and one weight format are first downloaded into
// the Hugging Face cache (see WithClient, WithRevision).
func LoadModel(ctx context.Context, nameOrPath string, opts ...LoadOption) (*Model, error) {
	var cfg Config
	readConfig := func(dir string) (err error) {
		cfg, err = LoadConfig(dir)
		return err
	}
	var built *Model
	build := func(src weights.Source) (*Model, error) {
		m, err := New(cfg, src)
		built = m
		return m, err
	}
	m, ck, err := hubload.Load(ctx, "gpt2", nameOrPath, opts, readConfig, build)
	if err != nil {
		if built != nil {
			built.Close()
		}
		return nil, err
	}
	m.closer = ck
	return m, nil
}

// Close releases the memory the weights live in: the checkpoint's mapping
// and the copies made at load (by New too). Forward then returns ErrClosed;
// Close must not run while a pass is under way. Calling it twice is
// harmless.
func (m *Model) Close() error {
	m.closed.Store(true)
	var errs []error
	if m.closer != nil {
		errs = append(errs, m.closer.Close())
		m.closer = nil
	}
	if m.arena != nil {
		errs = append(errs, m.arena.Free())
		m.arena = nil
	}
	return errors.Join(errs...)
}

var _ io.Closer = (*Model)(nil)
