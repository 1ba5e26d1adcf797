package verify

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// python returns /usr/bin/python3, and skips the test when it cannot
// import numpy and the other modules given (TestCommittedReference then
// checks the script's format alone).
func python(t *testing.T, modules ...string) string {
	t.Helper()
	const py = "/usr/bin/python3"
	for _, m := range append([]string{"numpy"}, modules...) {
		if err := exec.Command(py, "-c", "import "+m).Run(); err != nil {
			t.Skipf("no %s with %s (%v)", py, m, err)
		}
	}
	return py
}

// TestCommittedReference verifies the small reference that
// tools/reference/test_writer.py --small wrote with the script's writer
// (testdata/reference_bert_small), against the BERT fixture model: CI checks
// the script's format even without Python.
func TestCommittedReference(t *testing.T) {
	t.Parallel()
	rep, err := Reference(context.Background(), filepath.Join("testdata", "reference_bert_small"), &Options{Model: filepath.Join(fixtures, "bert")})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Count(Pass) < 16 {
		t.Fatalf("%s; failures %v", rep.Summary(), failing(rep))
	}
	wantStatus(t, rep, map[string]Status{"t1_accents.tokens": Pass, "t1_accents.mlm_logits_sel": Pass, "mlm_logits_cols": Input})
}

// TestPythonWriter runs tools/reference/test_writer.py: it rewrites every
// fixture safetensors file byte for byte through the script's writer, then
// writes the BERT and GPT-2 references again through write_reference; what
// it wrote must verify, and so must its small reference.
func TestPythonWriter(t *testing.T) {
	t.Parallel()
	py := python(t)
	out, small := t.TempDir(), filepath.Join(t.TempDir(), "small")
	cmd := exec.Command(py, filepath.Join("..", "tools", "reference", "test_writer.py"), fixtures, out, "--small", small)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("test_writer.py: %v\n%s", err, b)
	}
	for _, tc := range []struct {
		dir  string
		opts *Options
	}{
		{filepath.Join(out, "bert"), nil},
		{filepath.Join(out, "gpt2"), nil},
		{small, &Options{Model: filepath.Join(fixtures, "bert")}},
	} {
		rep, err := Reference(context.Background(), tc.dir, tc.opts)
		if err != nil {
			t.Fatal(err)
		}
		if !rep.OK() {
			t.Errorf("%s; failures %v", rep.Summary(), failing(rep))
		}
	}
	want, err := os.ReadFile(filepath.Join("testdata", "reference_bert_small", "expected.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(small, "expected.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Error("test_writer.py --small no longer writes the committed testdata/reference_bert_small/expected.safetensors")
	}
}

// TestPythonScript runs the whole of hfgo_reference.py on the fixture BERT
// and GPT-2 models with the manifests' texts, through the test stand-in
// for transformers (tools/reference/testing: plain torch, the fixture
// encodings as its tokenizer), and verifies what it wrote: the script's
// names, shapes, cache, generation and saved files agree with hfgo.
func TestPythonScript(t *testing.T) {
	t.Parallel()
	py := python(t, "torch")
	for _, kind := range []string{"bert", "gpt2"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			m, err := readManifest(filepath.Join(fixtures, kind))
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), kind)
			args := []string{filepath.Join("..", "tools", "reference", "hfgo_reference.py"), filepath.Join(fixtures, kind), out, "--max-new-tokens", "7"}
			for _, in := range m.Inputs {
				switch {
				case in.Text != nil && in.TextPair != nil:
					args = append(args, "--pair", *in.Text, *in.TextPair)
				case in.Text != nil:
					args = append(args, "--text", *in.Text)
				}
			}
			cmd := exec.Command(py, args...)
			cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1", "PYTHONPATH="+filepath.Join("..", "tools", "reference", "testing"))
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("hfgo_reference.py: %v\n%s", err, b)
			}
			rep, err := Reference(context.Background(), out, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !rep.OK() {
				t.Fatalf("%s; failures %v", rep.Summary(), failing(rep))
			}
			want := map[string]Status{"t0.mlm_logits": Pass, "t6.nsp_logits": Pass, "t6.token_type_ids": Pass, "t3.tokens": Pass}
			if kind == "gpt2" {
				want = map[string]Status{"t0.logits": Pass, "t1.incremental_logits_sel": Pass, "t3.generated_ids": Pass, "t2.generate_scores_max": Pass}
			}
			wantStatus(t, rep, want)
			if row, _ := rep.Row(map[string]string{"bert": "t5.hidden_states.2", "gpt2": "t3.generated_ids"}[kind]); len(row.Shape) < 2 {
				t.Errorf("row %s has shape %v", row.Name, row.Shape)
			}
		})
	}
}
