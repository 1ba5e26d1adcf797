package gpt2

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hfgo/hfgo/models/internal/fixture"
	"github.com/hfgo/hfgo/models/internal/weights"
	"github.com/nlpodyssey/spago/mat"
)

// TestFormats runs the formats fixture (a right-padded batch of two) on the
// checkpoint in every weight format and precision, loaded by LoadModel.
func TestFormats(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(fixtures, "formats", "gpt2")
	exp := fixture.Open(t, filepath.Join(dir, "expected.safetensors"))
	in := Input{InputIDs: exp.Rows(t, "input.input_ids"), AttentionMask: exp.Rows(t, "input.attention_mask")}
	for _, tc := range fixture.Formats {
		t.Run(tc.Path, func(t *testing.T) {
			t.Parallel()
			m, err := LoadModel(context.Background(), filepath.Join(dir, tc.Path))
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			if len(m.Unused) > 0 {
				t.Errorf("unused tensors %v", m.Unused)
			}
			out, err := m.Forward(context.Background(), in, nil)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := exp.F32(t, tc.Precision+".logits")
			fixture.Close(t, "logits", mat.Data[float32](out.Logits), want)
			want, _ = exp.F32(t, tc.Precision+".last_hidden_state")
			fixture.Close(t, "last_hidden_state", mat.Data[float32](out.LastHiddenState), want)
		})
	}
}

// TestLoadErrors checks that broken checkpoints name what is wrong.
func TestLoadErrors(t *testing.T) {
	t.Parallel()
	cfg, err := LoadConfig(filepath.Join(fixtures, "formats", "gpt2"))
	if err != nil {
		t.Fatal(err)
	}
	good := randomWeights(&cfg, 1)
	drop := func(name string) weights.Memory {
		m := copyMemory(good)
		delete(m, name)
		return m
	}
	reshape := func(name string, shape ...int) weights.Memory {
		m := copyMemory(good)
		d := m[name]
		d.Shape = shape
		m[name] = d
		return m
	}
	untied := cfg
	f := false
	untied.TieWordEmbeddings = &f
	bare := weights.Memory{}
	for k, v := range drop("transformer.h.1.mlp.c_fc.bias") {
		bare[strings.TrimPrefix(k, "transformer.")] = v
	}
	tests := []struct {
		name string
		cfg  Config
		src  weights.Source
		want error
		in   string // the tensor the error must name
	}{
		{"missing", cfg, drop("transformer.h.1.mlp.c_fc.bias"), weights.ErrMissing, "transformer.h.1.mlp.c_fc.bias"},
		{"missing from GPT2Model", cfg, bare, weights.ErrMissing, "h.1.mlp.c_fc.bias"},
		{"transposed conv1d", cfg, reshape("transformer.h.0.attn.c_attn.weight", 96, 32), weights.ErrShape, "transformer.h.0.attn.c_attn.weight"},
		{"untied without lm_head", untied, good, weights.ErrMissing, "lm_head.weight"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := New(tc.cfg, tc.src)
			var te *weights.TensorError
			if !errors.Is(err, tc.want) || !errors.As(err, &te) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			if te.Name != tc.in || !strings.HasPrefix(err.Error(), "gpt2: tensor "+tc.in+":") {
				t.Errorf("error %q names %q, want %q", err, te.Name, tc.in)
			}
		})
	}
	if _, err := LoadModel(context.Background(), t.TempDir()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("empty folder: %v, want a missing config.json", err)
	}
}
