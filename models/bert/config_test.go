package bert

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hfgo/hfgo/models/internal/hfconfig"
)

func TestReadConfigFixture(t *testing.T) {
	t.Parallel()
	c, err := ReadConfig(filepath.Join(bertDir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultConfig()
	want.Architectures = []string{"BertForPreTraining"}
	want.ModelType = "bert"
	want.TorchDType = "float32"
	want.HiddenSize, want.NumHiddenLayers, want.NumAttentionHeads = 32, 2, 4
	want.IntermediateSize, want.MaxPositionEmbeddings = 37, 64
	want.Labels = []string{"LABEL_0", "LABEL_1"}
	if diff := cmp.Diff(&want, c); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

func TestParseConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, json string
		err        error
		msg        string // part of the error message
		check      func(*Config) string
	}{
		{name: "defaults", json: `{}`, check: func(c *Config) string {
			if c.HiddenSize != 768 || c.LayerNormEps != 1e-12 || c.HiddenAct != "gelu" || *c.PadTokenID != 0 {
				return "defaults not applied"
			}
			return ""
		}},
		{name: "labels", json: `{"id2label": {"1": "POSITIVE", "0": "NEGATIVE"}, "label2id": {"NEGATIVE": 0, "POSITIVE": 1}}`,
			check: func(c *Config) string {
				return cmp.Diff([]string{"NEGATIVE", "POSITIVE"}, c.Labels)
			}},
		{name: "num_labels", json: `{"num_labels": 3}`, check: func(c *Config) string {
			return cmp.Diff([]string{"LABEL_0", "LABEL_1", "LABEL_2"}, c.Labels)
		}},
		{name: "null pad and eps", json: `{"pad_token_id": null, "layer_norm_eps": 1e-5, "classifier_dropout": null}`,
			check: func(c *Config) string {
				if c.PadTokenID != nil || c.LayerNormEps != 1e-5 {
					return "pad_token_id or layer_norm_eps not read"
				}
				return ""
			}},
		{name: "heads", json: `{"hidden_size": 30, "num_attention_heads": 4}`, err: hfconfig.ErrInvalid, msg: "not a multiple"},
		{name: "act", json: `{"hidden_act": "swiglu"}`, err: ErrUnsupported, msg: "swiglu"},
		{name: "relative", json: `{"position_embedding_type": "relative_key"}`, err: ErrUnsupported, msg: "relative_key"},
		{name: "decoder", json: `{"is_decoder": true}`, err: ErrUnsupported},
		{name: "model type", json: `{"model_type": "gpt2"}`, err: ErrUnsupported},
		{name: "zero layers", json: `{"num_hidden_layers": 0}`, err: hfconfig.ErrInvalid, msg: "num_hidden_layers"},
		{name: "eps", json: `{"layer_norm_eps": 0}`, err: hfconfig.ErrInvalid},
		{name: "dtype", json: `{"torch_dtype": "int4"}`, err: hfconfig.ErrInvalid, msg: "torch_dtype"},
		{name: "labels gap", json: `{"id2label": {"0": "A", "2": "C"}}`, err: hfconfig.ErrInvalid, msg: "missing 1"},
		{name: "labels key", json: `{"id2label": {"x": "A"}}`, err: hfconfig.ErrInvalid},
		{name: "type", json: `{"hidden_size": "big"}`, err: hfconfig.ErrInvalid, msg: "hidden_size"},
		{name: "syntax", json: `{"hidden_size": `, err: hfconfig.ErrInvalid},
		{name: "problem", json: `{"problem_type": "ranking"}`, err: hfconfig.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := ParseConfig([]byte(tc.json))
			if tc.err != nil {
				if !errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.msg) {
					t.Fatalf("error %v, want %v containing %q", err, tc.err, tc.msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if msg := tc.check(c); msg != "" {
				t.Error(msg)
			}
		})
	}
}

func TestReadConfigNamesFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "config.json")
	_, err := ReadConfig(path)
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("error %v does not name %s", err, path)
	}
}

func FuzzParseConfig(f *testing.F) {
	for _, p := range []string{filepath.Join(bertDir, "config.json"), filepath.Join(formatsDir, "fp16", "config.json")} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"id2label": {"0": "a"}, "num_labels": 1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseConfig(data)
		if err != nil {
			return
		}
		if c.HiddenSize%c.NumAttentionHeads != 0 || c.Labels == nil {
			t.Errorf("accepted an invalid config: %+v", c)
		}
	})
}
