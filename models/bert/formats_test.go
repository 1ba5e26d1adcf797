package bert

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/hfgo/hfgo/models/internal/fixture"
)

var formatsDir = filepath.Join(fixture.Dir, "formats", "bert")

// TestFormats loads every weight format and precision of the formats
// fixture and compares the outputs with those transformers computed.
func TestFormats(t *testing.T) {
	t.Parallel()
	exp := fixture.Open(t, filepath.Join(formatsDir, "expected.safetensors"))
	in := fixtureInput(t, exp, "input")
	tests := []struct {
		path, precision string
	}{
		{".", "fp32"},
		{"model.safetensors", "fp32"},
		{"pytorch_model.bin", "fp32"},
		{"pytorch_model_legacy.bin", "fp32"},
		{"sharded_safetensors", "fp32"},
		{"sharded_bin", "fp32"},
		{"fp16", "fp16"},
		{"bf16", "bf16"},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			t.Parallel()
			m, err := LoadModel(context.Background(), filepath.Join(formatsDir, tc.path))
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			if len(m.Unexpected) != 0 {
				t.Errorf("unexpected tensors: %v", m.Unexpected)
			}
			checkOutputs(t, m, exp, tc.precision, in, true)
		})
	}
}
