package bert

import (
	"path/filepath"
	"testing"
)

var formatsDir = filepath.Join(fixtures, "formats", "bert")

func TestFormats(t *testing.T) {
	t.Parallel()
	exp := readST(t, filepath.Join(formatsDir, "expected.safetensors"))
	in := fixtureInput(t, exp, "input")
	tests := []struct {
		name, dir, weights, precision string
	}{
		{"safetensors", ".", "model.safetensors", "fp32"},
		{"fp16", "fp16", "model.safetensors", "fp16"},
		{"bf16", "bf16", "model.safetensors", "bf16"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(formatsDir, tc.dir)
			m := loadFixtureModel(t, dir, readST(t, filepath.Join(dir, tc.weights)))
			checkOutputs(t, m, exp, tc.precision, in, true)
		})
	}
}
