package main

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hfgo/hfgo/hub/hubtest"
	"github.com/hfgo/hfgo/safetensors"
)

var fixturesDir = filepath.Join("..", "..", "testdata", "fixtures")

// TestVerifyFixtures runs hfget verify on every folder and tokenizer file of
// the fixtures: each passes, with a table and a summary.
func TestVerifyFixtures(t *testing.T) {
	t.Parallel()
	for _, ref := range []string{"bert", "gpt2", "formats/bert", "formats/gpt2", "pickle_edge",
		"tokenizer_bert.json", "tokenizer_gpt2.json", "tokenizer_json/rust_cases.json", "tokenizer_json/golden_js.json"} {
		t.Run(ref, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(fixturesDir, ref)
			code, out, errb := cli(t, nil, "verify", path)
			if code != exitOK {
				t.Fatalf("exit %d; stderr %q; stdout:\n%s", code, errb, out)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if last := lines[len(lines)-1]; !strings.HasPrefix(last, "OK "+path+" (") || !strings.Contains(last, " 0 failed") {
				t.Errorf("summary %q", last)
			}
			if !strings.Contains(out, "NAME ") || !strings.Contains(out, "MAX ABS") || strings.Contains(out, "FAIL") {
				t.Errorf("table:\n%s", out)
			}
		})
	}
}

// perturbedBERT copies the BERT fixture with one weight element moved by
// 1e-3.
func perturbedBERT(t *testing.T) string {
	t.Helper()
	src := filepath.Join(fixturesDir, "bert")
	dir := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := safetensors.Open(filepath.Join(src, "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var ts []safetensors.Tensor
	for _, ti := range f.Tensors() {
		b, err := f.Bytes(ti.Name)
		if err != nil {
			t.Fatal(err)
		}
		data := append([]byte(nil), b...)
		if ti.Name == "bert.encoder.layer.1.output.LayerNorm.bias" {
			v := math.Float32frombits(binary.LittleEndian.Uint32(data[8:]))
			binary.LittleEndian.PutUint32(data[8:], math.Float32bits(v+1e-3))
		}
		ts = append(ts, safetensors.Tensor{Name: ti.Name, DType: ti.DType, Shape: ti.Shape, Data: data})
	}
	if err := safetensors.WriteFile(filepath.Join(dir, "model.safetensors"), ts, f.Metadata()); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestVerifyPerturbed checks that a weight moved by 1e-3 fails, naming the
// tensors it changes, in the table, with --failures and in JSON.
func TestVerifyPerturbed(t *testing.T) {
	t.Parallel()
	dir := perturbedBERT(t)
	code, out, _ := cli(t, nil, "verify", "--failures", dir)
	if code != exitFailure {
		t.Fatalf("exit %d, want %d:\n%s", code, exitFailure, out)
	}
	for _, want := range []string{"t0_english.last_hidden_state", "FAIL: ", "first at [0 0 2]", "FAIL " + dir + " (bert): "} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "t0_english.hidden_states.1 ") || strings.Contains(out, " pass\n") {
		t.Errorf("--failures printed passing rows:\n%s", out)
	}
	code, out, _ = cli(t, nil, "verify", "--json", filepath.Join(fixturesDir, "bert"), "--model", dir)
	if code != exitFailure {
		t.Fatalf("--json: exit %d", code)
	}
	var rep struct {
		OK      bool   `json:"ok"`
		Model   string `json:"model"`
		Summary string `json:"summary"`
		Rows    []struct {
			Name   string   `json:"name"`
			Status string   `json:"status"`
			MaxAbs *float64 `json:"max_abs"`
		} `json:"rows"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("JSON: %v\n%s", err, out)
	}
	status := map[string]string{}
	for _, r := range rep.Rows {
		status[r.Name] = r.Status
		if r.Name == "t0_english.pooler_output" && (r.MaxAbs == nil || *r.MaxAbs <= 1e-4) {
			t.Errorf("pooler_output max_abs %v", r.MaxAbs)
		}
	}
	if rep.OK || rep.Model != dir || status["t0_english.pooler_output"] != "fail" || status["t0_english.hidden_states.1"] != "pass" {
		t.Errorf("JSON report: ok %v, model %q, statuses %v", rep.OK, rep.Model, status)
	}
	code, out, _ = cli(t, nil, "verify", "--atol", "0.01", "--rtol", "0", dir)
	if code != exitOK {
		t.Errorf("with a tolerance of 0.01 the perturbed model should pass: exit %d\n%s", code, out)
	}
}

// TestVerifyChangedCase changes one id of a tokenizer case file.
func TestVerifyChangedCase(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join(fixturesDir, "tokenizer_gpt2.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases map[string]any
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	cases["cases"].([]any)[5].(map[string]any)["ids"].([]any)[1] = 996
	if b, err = json.Marshal(cases); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "cases.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errb := cli(t, nil, "verify", path, "--model", filepath.Join(fixturesDir, "gpt2"))
	if code != exitFailure || !strings.Contains(out, `FAIL: 1 of 82 cases differ: case 5 "hello world": hfgo [31373,995], the reference [31373,996]`) {
		t.Errorf("exit %d, stderr %q, stdout:\n%s", code, errb, out)
	}
}

// TestVerifyRepo verifies the fixture reference against the same model
// served as a repo by a fake Hub.
func TestVerifyRepo(t *testing.T) {
	t.Parallel()
	src := filepath.Join(fixturesDir, "bert")
	files := map[string][]byte{}
	for _, f := range []string{"config.json", "model.safetensors", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json"} {
		b, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			t.Fatal(err)
		}
		files[f] = b
	}
	s := hubtest.NewServer()
	defer s.Close()
	s.AddRepo(hubtest.Repo{ID: "hfgo/tiny-bert", Files: files})
	env := map[string]string{"HF_ENDPOINT": s.URL, "HF_HUB_CACHE": t.TempDir(), "HF_HOME": t.TempDir()}
	code, out, errb := cli(t, func(k string) string { return env[k] }, "verify", src, "--model", "hfgo/tiny-bert", "--failures")
	if code != exitOK || !strings.Contains(out, "snapshots") {
		t.Errorf("exit %d, stderr %q, stdout:\n%s", code, errb, out)
	}
}

func TestVerifyUsage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"no reference", []string{"verify"}, exitUsage, "usage: hfget verify"},
		{"two references", []string{"verify", "a", "b"}, exitUsage, "usage: hfget verify"},
		{"bad flag", []string{"verify", "--frobnicate", "a"}, exitUsage, "frobnicate"},
		{"negative tolerance", []string{"verify", "--atol", "-3", "a"}, exitUsage, "must not be negative"},
		{"small negative tolerance", []string{"verify", "--rtol", "-0.5", "a"}, exitUsage, "must not be negative"},
		{"NaN tolerance", []string{"verify", "--atol", "NaN", "a"}, exitUsage, "must not be negative"},
		{"help", []string{"verify", "-h"}, exitOK, "absolute tolerance (default: the reference's)\n"},
		{"missing", []string{"verify", filepath.Join(fixturesDir, "nope")}, exitFailure, "hfget verify: verify: invalid reference"},
		{"no model", []string{"verify", filepath.Join(fixturesDir, "bert"), "--model", filepath.Join(fixturesDir, "nope")}, exitFailure, "no model to verify"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, out, errb := cli(t, nil, tc.args...)
			if code != tc.code || !strings.Contains(errb, tc.err) {
				t.Errorf("exit %d (want %d), stderr %q (want %q)", code, tc.code, errb, tc.err)
			}
			if code != exitOK && out != "" {
				t.Errorf("stdout %q, want nothing", out)
			}
			if code == exitFailure && strings.Count(strings.TrimSpace(errb), "\n") != 0 {
				t.Errorf("stderr is not one line: %q", errb)
			}
		})
	}
}
