package gpt2

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/hfgo/hfgo/convert"
)

// LoadModel loads a GPT-2 model folder: config.json and the weights in any
// format convert.Open reads (model.safetensors, sharded safetensors,
// pytorch_model.bin zip or legacy, sharded .bin). path may also name one
// weight file or shard index, with config.json beside it. fp16 and bf16
// weights are widened to float32 once; float32 weights stay in the
// checkpoint's read-only memory mapping, so the model holds one copy of
// them: Close the model to release it.
func LoadModel(ctx context.Context, path string) (*Model, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("gpt2: %w", err)
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("gpt2: %w", err)
	}
	dir := path
	if !st.IsDir() {
		dir = filepath.Dir(path)
	}
	cfg, err := LoadConfig(dir)
	if err != nil {
		return nil, err
	}
	ck, err := convert.Open(path)
	if err != nil {
		return nil, fmt.Errorf("gpt2: %w", err)
	}
	m, err := New(cfg, ck)
	if err != nil {
		ck.Close()
		return nil, fmt.Errorf("%w (checkpoint %s)", err, ck.Path())
	}
	if mapsFloat32(ck) {
		m.closer = ck
	} else if err := ck.Close(); err != nil {
		return nil, fmt.Errorf("gpt2: %w", err)
	}
	if err := ctx.Err(); err != nil {
		m.Close()
		return nil, fmt.Errorf("gpt2: %w", err)
	}
	return m, nil
}

// Close releases the checkpoint memory the weights live in; the model must
// not be used afterwards. It is a no-op for a model built by New.
func (m *Model) Close() error {
	if m.closer == nil {
		return nil
	}
	err := m.closer.Close()
	m.closer = nil
	return err
}

// mapsFloat32 reports whether some tensor of the checkpoint is float32, and
// so may be used in place from the file's mapping.
func mapsFloat32(ck *convert.Checkpoint) bool {
	for _, t := range ck.Tensors() {
		if t.DType == "F32" {
			return true
		}
	}
	return false
}

var _ io.Closer = (*Model)(nil)
