package gpt2

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hfgo/hfgo/models/internal/weights"
	"github.com/nlpodyssey/spago/mat"
)

// randomWeights returns a GPT2LMHeadModel state dict of cfg's shapes with
// random values (weights N(0, 0.15²)-like, LayerNorm weights near 1), named
// with the "transformer." prefix.
func randomWeights(cfg *Config, seed uint64) weights.Memory {
	r := rand.New(rand.NewPCG(seed, 7))
	src := weights.Memory{}
	for name, shape := range tensorNames(cfg) {
		n := 1
		for _, d := range shape {
			n *= d
		}
		data := make([]float32, n)
		for i := range data {
			data[i] = float32(r.NormFloat64() * 0.15)
			if len(shape) == 1 && (slices.Contains([]string{"weight"}, last(name))) {
				data[i] += 1 // LayerNorm gains
			}
		}
		if name != "lm_head.weight" {
			name = "transformer." + name
		}
		src[name] = weights.Dense{Data: data, Shape: shape}
	}
	return src
}

func last(name string) string {
	for i := len(name) - 1; i >= 0; i-- {
		if name[i] == '.' {
			return name[i+1:]
		}
	}
	return name
}

func copyMemory(m weights.Memory) weights.Memory {
	out := weights.Memory{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

func smallConfig(t testing.TB) Config {
	t.Helper()
	cfg, err := ParseConfig([]byte(`{"vocab_size": 97, "n_positions": 16, "n_embd": 24, "n_layer": 2, "n_head": 3, "n_inner": 40}`))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestCheckpointVariants loads one set of weights named as GPT2LMHeadModel
// and as GPT2Model writes them, with old checkpoints' buffers and a stored
// tied head, and another model's head: all give the same outputs.
func TestCheckpointVariants(t *testing.T) {
	t.Parallel()
	cfg := smallConfig(t)
	base := randomWeights(&cfg, 3)
	bare := weights.Memory{}
	for k, v := range base {
		bare[k[len("transformer."):]] = v
	}
	old := copyMemory(base)
	for i := range cfg.NLayer {
		mask := weights.Dense{Data: make([]float32, 16*16), Shape: []int{1, 1, 16, 16}}
		old["transformer.h."+string(rune('0'+i))+".attn.bias"] = mask
		old["transformer.h."+string(rune('0'+i))+".attn.masked_bias"] = weights.Dense{Data: []float32{-1e4}, Shape: []int{}}
	}
	old["lm_head.weight"] = base["transformer.wte.weight"]
	other := copyMemory(bare)
	other["score.weight"] = weights.Dense{Data: make([]float32, 2*24), Shape: []int{2, 24}}
	in := Input{InputIDs: [][]int{{5, 6, 7, 96, 0}}}
	var want []float32
	for _, tc := range []struct {
		name   string
		src    weights.Memory
		unused []string
	}{
		{"GPT2LMHeadModel", base, nil},
		{"GPT2Model", bare, nil},
		{"old buffers and stored head", old, nil},
		{"another head", other, []string{"score.weight"}},
	} {
		m, err := New(cfg, tc.src)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if diff := cmp.Diff(tc.unused, m.Unused); diff != "" {
			t.Errorf("%s: unused (-want +got):\n%s", tc.name, diff)
		}
		out, err := m.Forward(context.Background(), in, nil)
		if err != nil {
			t.Fatal(err)
		}
		got := mat.Data[float32](out.Logits)
		if want == nil {
			want = got
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: logits differ from GPT2LMHeadModel's", tc.name)
		}
	}
}

// TestUntiedHead checks that tie_word_embeddings false reads lm_head.weight.
func TestUntiedHead(t *testing.T) {
	t.Parallel()
	cfg := smallConfig(t)
	f := false
	cfg.TieWordEmbeddings = &f
	src := randomWeights(&cfg, 4)
	m, err := New(cfg, src)
	if err != nil {
		t.Fatal(err)
	}
	out, err := m.Forward(context.Background(), Input{InputIDs: [][]int{{1, 2}}}, &Options{Logits: LastLogits})
	if err != nil {
		t.Fatal(err)
	}
	h := mat.Data[float32](out.LastHiddenState)[24:]
	head := src["lm_head.weight"].Data
	for v := range cfg.VocabSize {
		var s float64
		for j, x := range h {
			s += float64(x) * float64(head[v*24+j])
		}
		if got := mat.Data[float32](out.Logits)[v]; !near(got, s) {
			t.Fatalf("logit %d = %v, want %v", v, got, s)
		}
	}
}

func near(got float32, want float64) bool {
	d := float64(got) - want
	return d < 1e-4+1e-4*abs(want) && -d < 1e-4+1e-4*abs(want)
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

var _ = context.Background

// TestCloseNew checks that a model built by New keeps its Conv1D weights in
// its own memory, transposed from the checkpoint's In×Out, and that Close
// releases it once and is harmless twice.
func TestCloseNew(t *testing.T) {
	t.Parallel()
	cfg := smallConfig(t)
	src := randomWeights(&cfg, 5)
	m, err := New(cfg, src)
	if err != nil {
		t.Fatal(err)
	}
	w := src["transformer.h.0.mlp.c_fc.weight"]
	got := m.Blocks[0].MLP.CFC
	if r, c := got.Weight.Shape()[0], got.Weight.Shape()[1]; r != w.Shape[1] || c != w.Shape[0] {
		t.Fatalf("c_fc weight %dx%d, want the transpose of %v", r, c, w.Shape)
	}
	data := mat.Data[float32](got.Weight.Matrix)
	if data[1] != w.Data[w.Shape[1]] || &data[0] == &w.Data[0] {
		t.Error("c_fc weight is not a transposed copy of the checkpoint's")
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if m.arena != nil {
		t.Error("Close left the arena")
	}
	in := Input{InputIDs: [][]int{{1, 2}}}
	if _, err := m.Forward(context.Background(), in, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Forward after Close: %v, want ErrClosed", err)
	}
	g := DefaultGenerationConfig(&cfg)
	g.MaxNewTokens = 2
	if _, err := m.Generate(context.Background(), [][]int{{1, 2}}, g); !errors.Is(err, ErrClosed) {
		t.Errorf("Generate after Close: %v, want ErrClosed", err)
	}
	if err := m.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
