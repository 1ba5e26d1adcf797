package bert

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/hfgo/hfgo/models/internal/weights"
	"github.com/nlpodyssey/spago/mat"
)

const fixtures = "../../testdata/fixtures"

var bertDir = filepath.Join(fixtures, "bert")

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

// rowsOf splits a [batch, seq] int tensor into rows.
func rowsOf(v []int, shape []int) [][]int {
	out := make([][]int, shape[0])
	for i := range out {
		out[i] = v[i*shape[1] : (i+1)*shape[1]]
	}
	return out
}

func fixtureInput(t testing.TB, exp *stFile, prefix string) Input {
	ids, s := exp.mustInt(t, prefix+".input_ids")
	types, _ := exp.mustInt(t, prefix+".token_type_ids")
	mask, _ := exp.mustInt(t, prefix+".attention_mask")
	return Input{IDs: rowsOf(ids, s), TypeIDs: rowsOf(types, s), AttentionMask: rowsOf(mask, s)}
}

// within reports the first element outside the fixture tolerance
// |got-want| <= 1e-4 + 1e-4·|want|, and the largest difference.
func within(got, want []float32) (bad int, maxDiff float64) {
	bad = -1
	if len(got) != len(want) {
		return 0, math.Inf(1)
	}
	for i := range want {
		d := math.Abs(float64(got[i]) - float64(want[i]))
		maxDiff = max(maxDiff, d)
		if bad < 0 && !(d <= 1e-4+1e-4*math.Abs(float64(want[i]))) {
			bad = i
		}
	}
	return bad, maxDiff
}

func checkClose(t testing.TB, name string, got []float32, want []float32) {
	t.Helper()
	bad, md := within(got, want)
	if bad >= 0 {
		if len(got) != len(want) {
			t.Errorf("%s: %d values, want %d", name, len(got), len(want))
			return
		}
		t.Errorf("%s[%d] = %g, want %g (max |diff| %.3g)", name, bad, got[bad], want[bad], md)
	}
}

// checkOutputs compares a forward pass and its heads with the fixture
// tensors named prefix.*.
func checkOutputs(t *testing.T, m *Model, exp *stFile, prefix string, in Input, full bool) {
	t.Helper()
	out, err := m.Forward(context.Background(), in, &Options{HiddenStates: true, Attentions: true})
	if err != nil {
		t.Fatal(err)
	}
	want := func(name string) []float32 { d, _ := exp.mustF32(t, prefix+"."+name); return d }
	checkClose(t, prefix+".last_hidden_state", mat.Data[float32](out.LastHiddenState), want("last_hidden_state"))
	checkClose(t, prefix+".pooler_output", mat.Data[float32](out.PoolerOutput), want("pooler_output"))
	if n := m.Config.NumHiddenLayers; len(out.HiddenStates) != n+1 || len(out.Attentions) != n {
		t.Fatalf("%d hidden states and %d attentions, want %d and %d", len(out.HiddenStates), len(out.Attentions), n+1, n)
	}
	// The model fixture has every hidden state and attention map, the
	// formats fixture none.
	if exp.has(prefix + ".hidden_states.0") {
		for i, hs := range out.HiddenStates {
			name := fmt.Sprintf("hidden_states.%d", i)
			checkClose(t, prefix+"."+name, mat.Data[float32](hs), want(name))
		}
		for i, a := range out.Attentions {
			name := fmt.Sprintf("attentions.%d", i)
			checkClose(t, prefix+"."+name, mat.Data[float32](a), want(name))
		}
	}
	logits, err := m.MLMLogits(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	lg := mat.Data[float32](logits)
	if full || exp.has(prefix+".mlm_logits") {
		checkClose(t, prefix+".mlm_logits", lg, want("mlm_logits"))
	}
	if exp.has(prefix + ".mlm_logits_sel") {
		checkSelected(t, exp, prefix, lg, m.Config.VocabSize)
	}
	nsp, err := m.NSPLogits(out)
	if err != nil {
		t.Fatal(err)
	}
	checkClose(t, prefix+".nsp_logits", mat.Data[float32](nsp), want("nsp_logits"))
}

// checkSelected compares the selected columns, argmax, max and logsumexp of
// the MLM logits (rows of v columns).
func checkSelected(t *testing.T, exp *stFile, prefix string, lg []float32, v int) {
	t.Helper()
	cols, _ := exp.mustInt(t, "mlm_logits_cols")
	rows := len(lg) / v
	var sel, mx, lse []float32
	var argmax []int
	for r := range rows {
		row := lg[r*v : (r+1)*v]
		for _, c := range cols {
			sel = append(sel, row[c])
		}
		best := 0
		for j, x := range row {
			if x > row[best] {
				best = j
			}
		}
		argmax = append(argmax, best)
		mx = append(mx, row[best])
		var s float64
		for _, x := range row {
			s += math.Exp(float64(x - row[best]))
		}
		lse = append(lse, row[best]+float32(math.Log(s)))
	}
	w, _ := exp.mustF32(t, prefix+".mlm_logits_sel")
	checkClose(t, prefix+".mlm_logits_sel", sel, w)
	w, _ = exp.mustF32(t, prefix+".mlm_logits_max")
	checkClose(t, prefix+".mlm_logits_max", mx, w)
	w, _ = exp.mustF32(t, prefix+".mlm_logits_logsumexp")
	checkClose(t, prefix+".mlm_logits_logsumexp", lse, w)
	wa, _ := exp.mustInt(t, prefix+".mlm_logits_argmax")
	for i := range wa {
		if argmax[i] != wa[i] {
			t.Errorf("%s.mlm_logits_argmax[%d] = %d, want %d", prefix, i, argmax[i], wa[i])
		}
	}
}

func TestFixtureFromIDs(t *testing.T) {
	t.Parallel()
	man := readManifest(t, bertDir)
	exp := readST(t, filepath.Join(bertDir, "expected.safetensors"))
	m := loadFixtureModel(t, bertDir, readST(t, filepath.Join(bertDir, "model.safetensors")))
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
