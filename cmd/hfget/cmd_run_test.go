package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func testEnv(stdin string) (*env, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	return &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}, &out, &errb
}

func TestParseRun(t *testing.T) {
	t.Parallel()
	e, _, _ := testEnv("")
	o, err := parseRun(e, []string{"model", "--task", "fill-mask", "a [MASK].", "--top", "3", "b", "--json", "--seed", "7"})
	if err != nil {
		t.Fatal(err)
	}
	if o.model != "model" || o.task != "fill-mask" || o.top != 3 || !o.json || o.seed != 7 || !o.set["seed"] || o.set["top-k"] {
		t.Errorf("options %+v", o)
	}
	if diff := cmp.Diff([]string{"a [MASK].", "b"}, o.texts); diff != "" {
		t.Errorf("texts (-want +got)\n%s", diff)
	}
	for _, args := range [][]string{{}, {"m", "--top", "-1"}, {"m", "--top-p", "0"}, {"m", "--top-p", "NaN"}, {"m", "--temperature", "NaN"}, {"m", "--max-new-tokens", "0"}, {"m", "--nope"}} {
		e, _, _ := testEnv("")
		if _, err := parseRun(e, args); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
}

func TestRunUsageAndErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("config.json", `{"model_type": "t5"}`)
	tests := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"run"}, exitUsage, "usage"},
		{[]string{"run", "-h"}, exitOK, "usage"},
		{[]string{"run", dir, "--task", "nope", "x"}, exitUsage, `unknown task "nope"`},
		{[]string{"run", dir, "--task", "embed"}, exitUsage, "no TEXT"},
		{[]string{"run", dir, "x"}, exitFailure, "pass --task"},
		{[]string{"run", filepath.Join(dir, "missing"), "x"}, exitFailure, "no such file"},
	}
	for _, tc := range tests {
		e, out, errb := testEnv("")
		code := run(context.Background(), tc.args, e)
		if code != tc.code || !strings.Contains(errb.String(), tc.msg) {
			t.Errorf("%q: exit %d, stderr %q; want %d and %q", tc.args, code, errb.String(), tc.code, tc.msg)
		}
		if out.Len() != 0 {
			t.Errorf("%q: stdout %q, want nothing", tc.args, out.String())
		}
	}
}

func TestInferTask(t *testing.T) {
	t.Parallel()
	tests := []struct {
		config, want string
		modules      bool
	}{
		{`{"model_type": "bert", "architectures": ["BertForMaskedLM"]}`, "fill-mask", false},
		{`{"model_type": "bert", "architectures": ["BertForPreTraining"]}`, "fill-mask", false},
		{`{"model_type": "bert", "architectures": ["BertForSequenceClassification"]}`, "classify", false},
		{`{"model_type": "bert", "architectures": ["BertForTokenClassification"]}`, "classify", false},
		{`{"model_type": "bert", "architectures": ["BertModel"]}`, "embed", false},
		{`{"model_type": "bert", "architectures": ["BertForMaskedLM"]}`, "embed", true},
		{`{"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"]}`, "generate", false},
	}
	for _, tc := range tests {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(tc.config), 0o644); err != nil {
			t.Fatal(err)
		}
		if tc.modules {
			if err := os.WriteFile(filepath.Join(dir, "modules.json"), []byte(`[]`), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := inferTask(dir)
		if err != nil || got != tc.want {
			t.Errorf("%s (modules %v): %q, %v; want %q", tc.config, tc.modules, got, err, tc.want)
		}
		// A weight file stands for its folder.
		weights := filepath.Join(dir, "model.safetensors")
		if err := os.WriteFile(weights, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if got, err := inferTask(weights); err != nil || got != tc.want {
			t.Errorf("%s, from a weight file: %q, %v; want %q", tc.config, got, err, tc.want)
		}
	}
}

func TestReadLines(t *testing.T) {
	t.Parallel()
	got, err := readLines(strings.NewReader("a b\r\n\n  \nc\n"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a b", "c"}, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}
