package bert

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/hfgo/hfgo/models/internal/fixture"
	"github.com/hfgo/hfgo/models/internal/weights"
	"github.com/nlpodyssey/spago/mat"
)

var bertDir = filepath.Join(fixture.Dir, "bert")

// fixtureManifest is the part of bert/manifest.json the tests read.
type fixtureManifest struct {
	FullLogitsFor []string `json:"full_logits_for"`
	Inputs        []struct {
		Name     string   `json:"name"`
		Text     string   `json:"text"`
		TextPair *string  `json:"text_pair"`
		Texts    []string `json:"texts"`
		IDs      any      `json:"input_ids"`
	} `json:"inputs"`
}

func readManifest(t testing.TB, dir string) *fixtureManifest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m fixtureManifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return &m
}

// loadFixtureModel builds the model of dir from its config.json and the
// given weights.
func loadFixtureModel(t testing.TB, dir string, src weights.Source) *Model {
	t.Helper()
	cfg, err := ReadConfig(filepath.Join(dir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(cfg, src)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Unexpected) != 0 {
		t.Errorf("unexpected tensors: %v", m.Unexpected)
	}
	return m
}

func fixtureInput(t testing.TB, exp *fixture.File, prefix string) Input {
	return Input{IDs: exp.Rows(t, prefix+".input_ids"), TypeIDs: exp.Rows(t, prefix+".token_type_ids"), AttentionMask: exp.Rows(t, prefix+".attention_mask")}
}

// checkOutputs compares a forward pass and its heads with the fixture
// tensors named prefix.*.
func checkOutputs(t *testing.T, m *Model, exp *fixture.File, prefix string, in Input, full bool) {
	t.Helper()
	out, err := m.Forward(context.Background(), in, &Options{HiddenStates: true, Attentions: true})
	if err != nil {
		t.Fatal(err)
	}
	want := func(name string) []float32 { d, _ := exp.F32(t, prefix+"."+name); return d }
	fixture.Close(t, prefix+".last_hidden_state", mat.Data[float32](out.LastHiddenState), want("last_hidden_state"))
	fixture.Close(t, prefix+".pooler_output", mat.Data[float32](out.PoolerOutput), want("pooler_output"))
	if n := m.Config.NumHiddenLayers; len(out.HiddenStates) != n+1 || len(out.Attentions) != n {
		t.Fatalf("%d hidden states and %d attentions, want %d and %d", len(out.HiddenStates), len(out.Attentions), n+1, n)
	}
	// The model fixture has every hidden state and attention map, the
	// formats fixture none.
	if exp.Has(prefix + ".hidden_states.0") {
		for i, hs := range out.HiddenStates {
			name := fmt.Sprintf("hidden_states.%d", i)
			fixture.Close(t, prefix+"."+name, mat.Data[float32](hs), want(name))
		}
		for i, a := range out.Attentions {
			name := fmt.Sprintf("attentions.%d", i)
			fixture.Close(t, prefix+"."+name, mat.Data[float32](a), want(name))
		}
	}
	logits, err := m.MLMLogits(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	lg := mat.Data[float32](logits)
	if full || exp.Has(prefix+".mlm_logits") {
		fixture.Close(t, prefix+".mlm_logits", lg, want("mlm_logits"))
	}
	if exp.Has(prefix + ".mlm_logits_sel") {
		fixture.CheckLogits(t, exp, prefix+".mlm_logits", "mlm_logits_cols", fixture.SplitRows(lg, m.Config.VocabSize))
	}
	nsp, err := m.NSPLogits(out)
	if err != nil {
		t.Fatal(err)
	}
	fixture.Close(t, prefix+".nsp_logits", mat.Data[float32](nsp), want("nsp_logits"))
}

func TestFixtureFromIDs(t *testing.T) {
	t.Parallel()
	man := readManifest(t, bertDir)
	exp := fixture.Open(t, filepath.Join(bertDir, "expected.safetensors"))
	m := loadFixtureModel(t, bertDir, fixture.Open(t, filepath.Join(bertDir, "model.safetensors")))
	for _, in := range man.Inputs {
		t.Run(in.Name, func(t *testing.T) {
			full := false
			for _, f := range man.FullLogitsFor {
				full = full || f == in.Name
			}
			checkOutputs(t, m, exp, in.Name, fixtureInput(t, exp, in.Name), full)
		})
	}
}
