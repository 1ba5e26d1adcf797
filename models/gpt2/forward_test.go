package gpt2

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/hfgo/hfgo/models/internal/fixture"
	"github.com/nlpodyssey/spago/mat"
)

func TestForwardMatchesTransformers(t *testing.T) {
	t.Parallel()
	p := loadFixturePipeline(t)
	m := p.Model
	exp := fixture.Open(t, filepath.Join(fixtures, "gpt2", "expected.safetensors"))
	for _, in := range readManifest(t).Inputs {
		t.Run(in.Name, func(t *testing.T) {
			t.Parallel()
			ids := fixtureIDs(t, p, exp, in.Name, in.Text)
			out, err := m.Forward(context.Background(), Input{InputIDs: [][]int{ids}}, &Options{HiddenStates: true, Attentions: true})
			if err != nil {
				t.Fatal(err)
			}
			p := in.Name + "."
			if exp.Has(p + "logits") {
				want, _ := exp.F32(t, p+"logits")
				fixture.Close(t, "logits", mat.Data[float32](out.Logits), want)
			}
			fixture.CheckLogits(t, exp, p+"logits", "logits_cols", fixture.SplitRows(mat.Data[float32](out.Logits), m.Config.VocabSize))
			want, _ := exp.F32(t, p+"last_hidden_state")
			fixture.Close(t, "last_hidden_state", mat.Data[float32](out.LastHiddenState), want)
			if len(out.HiddenStates) != m.Config.NLayer+1 || len(out.Attentions) != m.Config.NLayer {
				t.Fatalf("%d hidden states and %d attentions", len(out.HiddenStates), len(out.Attentions))
			}
			for i, h := range out.HiddenStates {
				name := fmt.Sprintf("hidden_states.%d", i)
				want, _ := exp.F32(t, p+name)
				fixture.Close(t, name, mat.Data[float32](h), want)
			}
			for i, a := range out.Attentions {
				name := fmt.Sprintf("attentions.%d", i)
				want, _ := exp.F32(t, p+name)
				fixture.Close(t, name, mat.Data[float32](a), want)
			}
		})
	}
}

// fixtureIDs tokenizes a fixture prompt and checks the ids against the
// fixture's input_ids.
func fixtureIDs(t *testing.T, p *Pipeline, exp *fixture.File, name, text string) []int {
	t.Helper()
	ids, err := p.Encode(text)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := exp.Ints(t, name+".input_ids")
	if !slices.Equal(ids, want) {
		t.Fatalf("input_ids of %q: %v, want %v", text, ids, want)
	}
	mask, _ := exp.Ints(t, name+".attention_mask")
	if slices.ContainsFunc(mask, func(k int) bool { return k != 1 }) || len(mask) != len(ids) {
		t.Fatalf("attention_mask %v: the fixture runs unpadded prompts", mask)
	}
	return ids
}

func TestIncrementalMatchesTransformers(t *testing.T) {
	t.Parallel()
	p := loadFixturePipeline(t)
	m := p.Model
	exp := fixture.Open(t, filepath.Join(fixtures, "gpt2", "expected.safetensors"))
	for _, in := range readManifest(t).Inputs {
		t.Run(in.Name, func(t *testing.T) {
			t.Parallel()
			ids := fixtureIDs(t, p, exp, in.Name, in.Text)
			c := m.NewCache(1, len(ids))
			var logits [][]float32
			for _, id := range ids {
				out, err := m.Forward(context.Background(), Input{InputIDs: [][]int{{id}}}, &Options{Cache: c, Logits: LastLogits})
				if err != nil {
					t.Fatal(err)
				}
				logits = append(logits, mat.Data[float32](out.Logits))
			}
			fixture.CheckLogits(t, exp, in.Name+".incremental_logits", "logits_cols", logits)
		})
	}
}
