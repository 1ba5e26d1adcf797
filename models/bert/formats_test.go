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
	for _, tc := range fixture.Formats {
		t.Run(tc.Path, func(t *testing.T) {
			t.Parallel()
			m, err := LoadModel(context.Background(), filepath.Join(formatsDir, tc.Path))
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			if len(m.Unexpected) != 0 {
				t.Errorf("unexpected tensors: %v", m.Unexpected)
			}
			checkOutputs(t, m, exp, tc.Precision, in, true)
		})
	}
}
