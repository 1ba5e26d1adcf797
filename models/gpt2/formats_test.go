package gpt2

import (
	"path/filepath"
	"testing"

	"github.com/nlpodyssey/spago/mat"
)

// TestFormats runs the formats fixture (a padded batch of two) from each
// precision of the checkpoint.
func TestFormats(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(fixtures, "formats", "gpt2")
	exp := readST(t, filepath.Join(dir, "expected.safetensors"))
	ids, shape := exp.i64(t, "input.input_ids")
	mask, _ := exp.i64(t, "input.attention_mask")
	in := Input{InputIDs: rows(ids, shape), AttentionMask: rows(mask, shape)}
	for _, tc := range []struct{ sub, want string }{
		{".", "fp32"},
		{"fp16", "fp16"},
		{"bf16", "bf16"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			t.Parallel()
			m := loadFixtureModel(t, filepath.Join(dir, tc.sub))
			out, err := m.Forward(in, Options{})
			if err != nil {
				t.Fatal(err)
			}
			want, _ := exp.f32(t, tc.want+".logits")
			closeTo(t, "logits", mat.Data[float32](out.Logits), want)
			want, _ = exp.f32(t, tc.want+".last_hidden_state")
			closeTo(t, "last_hidden_state", mat.Data[float32](out.LastHiddenState), want)
		})
	}
}
