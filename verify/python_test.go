package verify

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// python returns /usr/bin/python3 when it can import numpy, else "".
func python(t *testing.T) string {
	t.Helper()
	const py = "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import numpy").Run(); err != nil {
		t.Logf("no %s with numpy (%v): checking the committed reference only", py, err)
		return ""
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
	if py == "" {
		return
	}
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
