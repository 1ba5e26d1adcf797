package gpt2

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseConfig(t *testing.T) {
	t.Parallel()
	cfg, err := LoadConfig(filepath.Join(fixtures, "gpt2"))
	if err != nil {
		t.Fatal(err)
	}
	got := []any{cfg.VocabSize, cfg.NPositions, cfg.NEmbd, cfg.NLayer, cfg.NHead, cfg.Inner(), cfg.HeadDim(),
		cfg.ActivationFunction, cfg.LayerNormEpsilon, cfg.ScaleAttnWeights, cfg.Tied(), cfg.EOSTokenID}
	want := []any{50257, 64, 32, 2, 4, 128, 8, "gelu_new", 1e-5, true, true, TokenIDs{50256}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fixture config (-want +got):\n%s", diff)
	}
	def, err := ParseConfig([]byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	if def.NEmbd != 768 || def.NLayer != 12 || def.NPositions != 1024 || def.Inner() != 3072 || !def.ScaleAttnWeights {
		t.Errorf("defaults %+v, want gpt2 (124M)", def)
	}
}

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, json string }{
		{"heads do not divide", `{"n_embd": 30, "n_head": 4}`},
		{"zero layers", `{"n_layer": 0}`},
		{"huge vocabulary", `{"vocab_size": 1e12}`},
		{"negative n_inner", `{"n_inner": -1}`},
		{"unknown activation", `{"activation_function": "swiglu"}`},
		{"zero epsilon", `{"layer_norm_epsilon": 0}`},
		{"cross attention", `{"add_cross_attention": true}`},
		{"wrong type", `{"n_embd": "768"}`},
		{"bad dtype", `{"torch_dtype": "int8"}`},
		{"not json", `{`},
		{"bad eos", `{"eos_token_id": "x"}`},
		{"another model type", `{"model_type": "bert", "hidden_size": 768}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, err := ParseConfig([]byte(tc.json)); !errors.Is(err, ErrConfig) {
				t.Errorf("error %v, want ErrConfig", err)
			}
		})
	}
}

func TestTokenIDs(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]TokenIDs{`null`: nil, `7`: {7}, `[1, 2]`: {1, 2}} {
		g, err := ParseGenerationConfig([]byte(`{"eos_token_id": `+in+`}`), nil)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, g.EOSTokenID); diff != "" {
			t.Errorf("%s (-want +got):\n%s", in, diff)
		}
	}
}

func TestGenerationConfig(t *testing.T) {
	t.Parallel()
	cfg := DefaultConfig()
	cfg.PadTokenID = TokenIDs{0}
	g, err := ParseGenerationConfig([]byte(`{"do_sample": true, "top_k": 0, "temperature": 0.7, "eos_token_id": [1, 2], "stop_strings": "END"}`), &cfg)
	if err != nil || !slices.Equal(g.StopStrings, Strings{"END"}) {
		t.Fatalf("stop_strings: %+v, %v", g.StopStrings, err)
	}
	if err := g.Validate(); !errors.Is(err, ErrConfig) {
		t.Errorf("generation with stop strings but no Decode: %v, want ErrConfig", err)
	}
	g, err = ParseGenerationConfig([]byte(`{"do_sample": true, "top_k": 0, "temperature": 0.7, "eos_token_id": [1, 2], "max_new_tokens": 5}`), &cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := GenerationConfig{MaxLength: 20, MaxNewTokens: 5, DoSample: true, NumBeams: 1, NumReturnSequences: 1,
		Temperature: 0.7, TopP: 1, RepetitionPenalty: 1, BOSTokenID: TokenIDs{50256}, EOSTokenID: TokenIDs{1, 2}, PadTokenID: TokenIDs{0}}
	if diff := cmp.Diff(want, g, cmp.Comparer(func(a, b func([]int) string) bool { return a == nil && b == nil })); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	missing, err := LoadGenerationConfig(t.TempDir(), &cfg)
	if err != nil || missing.MaxLength != 20 || missing.EOSTokenID.First() != 50256 {
		t.Errorf("without generation_config.json: %+v, %v", missing, err)
	}
}

// FuzzParseConfig feeds config.json variants to both config parsers: they
// must return a valid config or an error, never panic.
func FuzzParseConfig(f *testing.F) {
	for _, dir := range []string{"gpt2", "formats/gpt2", "formats/gpt2/fp16", "bert"} {
		for _, name := range []string{"config.json", "generation_config.json"} {
			if b, err := os.ReadFile(filepath.Join(fixtures, dir, name)); err == nil {
				f.Add(b)
			}
		}
	}
	f.Add([]byte(`{"n_inner": null, "eos_token_id": [1, 2], "stop_strings": ["a"], "top_p": 2}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if c, err := ParseConfig(data); err == nil {
			if err := c.Validate(); err != nil {
				t.Fatalf("ParseConfig accepted a config that Validate rejects: %v", err)
			}
			if c.NEmbd%c.NHead != 0 || c.Inner() <= 0 {
				t.Fatalf("invalid config accepted: %+v", c)
			}
		}
		if g, err := ParseGenerationConfig(data, nil); err == nil {
			g.Decode = func([]int) string { return "" }
			if err := g.Validate(); err != nil {
				t.Fatalf("ParseGenerationConfig accepted a config that Validate rejects: %v", err)
			}
		}
	})
}
