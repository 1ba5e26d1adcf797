package bert

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hfgo/hfgo/convert"
)

// LoadModel loads a BERT model folder: config.json and the weights in any
// format convert.Open reads (model.safetensors, sharded safetensors,
// pytorch_model.bin zip or legacy, sharded .bin); path may also name one
// weight file or shard index, with config.json beside it. fp16 and bf16
// weights are converted to float32. float32 weights stay in the checkpoint's read-only
// memory mapping, so the model holds one copy of them: Close the model to
// release it.
//
// When nameOrPath is not a local path but a repo id ("owner/name"), the
// repo's configs, tokenizer and one weight format are first downloaded into
// the Hugging Face cache (see WithClient, WithRevision).
func LoadModel(ctx context.Context, nameOrPath string, opts ...LoadOption) (*Model, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("bert: %w", err)
	}
	path, err := resolve(ctx, nameOrPath, opts)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("bert: %w", err)
	}
	dir := path
	if !st.IsDir() {
		dir = filepath.Dir(path)
	}
	cfg, err := ReadConfig(filepath.Join(dir, "config.json"))
	if err != nil {
		return nil, err
	}
	ck, err := convert.Open(path)
	if err != nil {
		return nil, fmt.Errorf("bert: %w", err)
	}
	m, err := New(cfg, ck)
	if err != nil {
		ck.Close()
		return nil, fmt.Errorf("%w (checkpoint %s)", err, ck.Path())
	}
	if aliases(ck) {
		m.closer = ck
	} else if err := ck.Close(); err != nil {
		return nil, fmt.Errorf("bert: %w", err)
	}
	if err := ctx.Err(); err != nil {
		m.Close()
		return nil, fmt.Errorf("bert: %w", err)
	}
	return m, nil
}

// aliases reports whether some tensor of the checkpoint is float32, and so
// may be used in place from the file's mapping.
func aliases(ck *convert.Checkpoint) bool {
	for _, t := range ck.Tensors() {
		if t.DType == "F32" {
			return true
		}
	}
	return false
}
