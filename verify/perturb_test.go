package verify

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/hfgo/hfgo/safetensors"
)

// TestPerturbedBERTWeight adds 1e-3 to one element of the last layer's
// output LayerNorm bias: exactly the tensors downstream of it fail, each
// named, at the perturbed hidden unit.
func TestPerturbedBERTWeight(t *testing.T) {
	t.Parallel()
	src := filepath.Join(fixtures, "bert")
	dir := copyDir(t, src, "model.safetensors")
	rewriteSafetensors(t, filepath.Join(src, "model.safetensors"), filepath.Join(dir, "model.safetensors"), func(ts map[string]*safetensors.Tensor) {
		addF32(t, ts, "bert.encoder.layer.1.output.LayerNorm.bias", 5, 1e-3)
	})
	for _, tc := range []struct {
		name string
		ref  string
		opts *Options
	}{
		{"reference holds the model", dir, nil},
		{"model given", src, &Options{Model: dir}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := Reference(context.Background(), tc.ref, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if rep.OK() {
				t.Fatal("a perturbed weight verified OK")
			}
			wantStatus(t, rep, map[string]Status{
				"t0_english.input_ids":         Pass,
				"t0_english.hidden_states.0":   Pass,
				"t0_english.hidden_states.1":   Pass,
				"t0_english.attentions.1":      Pass,
				"t0_english.hidden_states.2":   Fail,
				"t0_english.last_hidden_state": Fail,
				"t0_english.pooler_output":     Fail,
				"batch.last_hidden_state":      Fail,
			})
			if d := rowDetail(rep, "t0_english.last_hidden_state"); !contains(d, "first at [0 0 5]") {
				t.Errorf("detail %q does not point at hidden unit 5", d)
			}
			row, _ := rep.Row("t0_english.last_hidden_state")
			if row.MaxAbs < 0.9e-3 || row.MaxAbs > 1.1e-3 {
				t.Errorf("max abs error %g, want about 1e-3", row.MaxAbs)
			}
		})
	}
}

// TestPerturbedGPT2Weight perturbs one MLP bias of the first block: the
// embeddings pass, the first block's output and everything after it fail.
func TestPerturbedGPT2Weight(t *testing.T) {
	t.Parallel()
	src := filepath.Join(fixtures, "gpt2")
	dir := copyDir(t, src, "model.safetensors", "expected.safetensors", "manifest.json")
	rewriteSafetensors(t, filepath.Join(src, "model.safetensors"), filepath.Join(dir, "model.safetensors"), func(ts map[string]*safetensors.Tensor) {
		addF32(t, ts, "transformer.h.0.mlp.c_proj.bias", 7, 1e-3)
	})
	rep, err := Reference(context.Background(), src, &Options{Model: dir})
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK() {
		t.Fatal("a perturbed weight verified OK")
	}
	wantStatus(t, rep, map[string]Status{
		"p0_short.input_ids":              Pass,
		"p0_short.hidden_states.0":        Pass,
		"p0_short.attentions.0":           Pass,
		"p0_short.hidden_states.1":        Fail,
		"p0_short.logits":                 Fail,
		"p0_short.incremental_logits_sel": Fail,
		"p1_sentence.last_hidden_state":   Fail,
		"p1_sentence.generate_scores_sel": Fail,
	})
	if rep.Model != dir {
		t.Errorf("report names model %q, want %q", rep.Model, dir)
	}
}

// TestPerturbedFormat perturbs one weight of one format: its outputs and
// that weight fail, the other formats pass.
func TestPerturbedFormat(t *testing.T) {
	t.Parallel()
	src := filepath.Join(fixtures, "formats", "gpt2")
	dir := copyDir(t, src)
	for _, sub := range []string{"fp16", "bf16"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"config.json", "generation_config.json", "model.safetensors"} {
			copyFile(t, filepath.Join(src, sub, f), filepath.Join(dir, sub, f))
		}
	}
	rewriteSafetensors(t, filepath.Join(src, "fp16", "model.safetensors"), filepath.Join(dir, "fp16", "model.safetensors"), func(ts map[string]*safetensors.Tensor) {
		x := ts["transformer.ln_f.bias"]
		x.Data[0] ^= 0x40 // flip a mantissa bit of an fp16 value
	})
	rep, err := Reference(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, rep, map[string]Status{
		"pytorch_model.bin: fp32.logits":      Pass,
		"bf16: bf16.logits":                   Pass,
		"fp16: weight transformer.ln_f.bias":  Fail,
		"fp16: weight transformer.wte.weight": Pass,
		"fp16: fp16.last_hidden_state":        Fail,
	})
}

// TestChangedIDs changes one token id in each kind of reference: the row
// of that id fails and names the case or the input.
func TestChangedIDs(t *testing.T) {
	t.Parallel()
	t.Run("expected.safetensors", func(t *testing.T) {
		t.Parallel()
		src := filepath.Join(fixtures, "bert")
		dir := copyDir(t, src, "expected.safetensors")
		rewriteSafetensors(t, filepath.Join(src, "expected.safetensors"), filepath.Join(dir, "expected.safetensors"), func(ts map[string]*safetensors.Tensor) {
			addI64(t, ts, "t1_accents.input_ids", 2, 1)
		})
		rep := mustReference(t, dir, nil)
		wantStatus(t, rep, map[string]Status{"t1_accents.input_ids": Fail, "t0_english.input_ids": Pass, "manifest: t1_accents.input_ids": Fail})
		if d := rowDetail(rep, "t1_accents.input_ids"); !contains(d, "first at [0 2]: got 15743, want 15744") {
			t.Errorf("detail %q", d)
		}
	})
	t.Run("manifest", func(t *testing.T) {
		t.Parallel()
		dir := copyDir(t, filepath.Join(fixtures, "bert"))
		editJSON(t, filepath.Join(dir, "manifest.json"), func(m map[string]any) {
			in := m["inputs"].([]any)[1].(map[string]any)
			in["input_ids"].([]any)[3] = 1.0
		})
		rep := mustReference(t, dir, nil)
		wantStatus(t, rep, map[string]Status{"manifest: t1_accents.input_ids": Fail, "t1_accents.input_ids": Pass, "t1_accents.mlm_logits_sel": Pass})
	})
	t.Run("slow tokenizer case", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		path := filepath.Join(dir, "tokenizer_bert.json")
		copyFile(t, filepath.Join(fixtures, "tokenizer_bert.json"), path)
		editJSON(t, path, func(m map[string]any) {
			c := m["cases"].([]any)[5].(map[string]any)
			c["ids"].([]any)[0] = 7593.0
		})
		rep := mustReference(t, path, &Options{Model: filepath.Join(fixtures, "bert")})
		wantStatus(t, rep, map[string]Status{"ids": Fail, "tokens": Pass, "ids_with_special": Pass})
		if d := rowDetail(rep, "ids"); !contains(d, `1 of 82 cases differ: case 5 "hello world"`) {
			t.Errorf("detail %q", d)
		}
	})
	t.Run("rust case offsets", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		path := filepath.Join(dir, "rust_cases.json")
		copyFile(t, filepath.Join(fixtures, "tokenizer_json", "rust_cases.json"), path)
		for _, f := range []string{"bert-base-uncased.tokenizer.json", "gpt2.tokenizer.json"} {
			if err := os.Symlink(mustAbs(t, filepath.Join(fixtures, "tokenizer_json", f)), filepath.Join(dir, f)); err != nil {
				t.Fatal(err)
			}
		}
		editJSON(t, path, func(m map[string]any) {
			c := m["gpt2"].(map[string]any)["cases"].([]any)[6].(map[string]any)
			c["offsets"].([]any)[1].([]any)[0] = 6.0
		})
		rep := mustReference(t, path, nil)
		wantStatus(t, rep, map[string]Status{"gpt2: offsets": Fail, "gpt2: ids": Pass, "bert: offsets": Pass})
	})
	t.Run("pickle edge case", func(t *testing.T) {
		t.Parallel()
		dir := copyDir(t, filepath.Join(fixtures, "pickle_edge"))
		editJSON(t, filepath.Join(dir, "edge_cases.json"), func(m map[string]any) {
			x := m["tensors"].(map[string]any)["int64"].(map[string]any)
			h := []byte(x["raw_le_hex"].(string))
			h[1] ^= 1
			x["raw_le_hex"] = string(h)
		})
		rep := mustReference(t, dir, nil)
		wantStatus(t, rep, map[string]Status{"edge_cases.bin: int64": Fail, "edge_cases_legacy.bin: int64": Fail, "edge_cases.bin: int32": Pass})
	})
}

// TestUncomputable adds tensors hfgo cannot compute: each is a failing row
// naming it, never skipped.
func TestUncomputable(t *testing.T) {
	t.Parallel()
	src := filepath.Join(fixtures, "bert")
	dir := copyDir(t, src, "expected.safetensors")
	rewriteSafetensors(t, filepath.Join(src, "expected.safetensors"), filepath.Join(dir, "expected.safetensors"), func(ts map[string]*safetensors.Tensor) {
		for _, n := range []string{"t1_accents.frobnicated", "t1_accents.classification_logits", "t1_accents.sentence_embedding", "stray"} {
			ts[n] = &safetensors.Tensor{Name: n, DType: safetensors.F32, Shape: []int{1, 2}, Data: make([]byte, 8)}
		}
	})
	rep := mustReference(t, dir, nil)
	wantStatus(t, rep, map[string]Status{"t1_accents.frobnicated": Fail, "t1_accents.classification_logits": Fail, "t1_accents.sentence_embedding": Fail, "stray": Fail, "t1_accents.nsp_logits": Pass})
	for name, want := range map[string]string{
		"t1_accents.frobnicated":           `hfgo does not compute "frobnicated"`,
		"t1_accents.classification_logits": "no sequence classification head",
		"t1_accents.sentence_embedding":    "no pooling",
		"stray":                            "belongs to no input",
	} {
		if d := rowDetail(rep, name); !contains(d, want) {
			t.Errorf("%s: detail %q, want it to say %q", name, d, want)
		}
	}
	if got := failing(rep); len(got) != 4 {
		t.Errorf("failing rows %v, want the 4 added tensors", got)
	}
}

// TestReferenceErrors checks the errors of references that cannot be read.
func TestReferenceErrors(t *testing.T) {
	t.Parallel()
	empty := t.TempDir()
	noModel := copyDir(t, filepath.Join(fixtures, "bert"), "model.safetensors")
	junk := filepath.Join(t.TempDir(), "junk.json")
	if err := os.WriteFile(junk, []byte(`{"hello": 1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		path string
		opts *Options
		want error
	}{
		{"missing", filepath.Join(empty, "nope"), nil, ErrReference},
		{"no manifest", empty, nil, ErrReference},
		{"no model", noModel, nil, ErrNoModel},
		{"not a case file", junk, nil, ErrReference},
		{"model for a formats folder", filepath.Join(fixtures, "formats", "bert"), &Options{Model: noModel}, ErrReference},
		{"missing model path", filepath.Join(fixtures, "bert"), &Options{Model: filepath.Join(empty, "nope")}, ErrNoModel},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Reference(context.Background(), tc.path, tc.opts)
			if !errors.Is(err, tc.want) {
				t.Errorf("error %v, want %v", err, tc.want)
			}
		})
	}
}

func mustReference(t *testing.T, path string, opts *Options) *Report {
	t.Helper()
	rep, err := Reference(context.Background(), path, opts)
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK() {
		t.Errorf("a perturbed reference verified OK: %s", rep.Summary())
	}
	return rep
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
