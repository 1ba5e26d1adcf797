package main

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hfgo/hfgo/hub/hubtest"
	"github.com/hfgo/hfgo/models/bert"
)

const bertFixture = "../../testdata/fixtures/bert"

// checkFills checks the text output of fill-mask, one line per prediction
// (score, token, sequence), against bert.Pipeline.FillMask, which the
// package tests check against transformers' MLM logits.
func checkFills(t *testing.T, out, text string, k int) {
	t.Helper()
	p, err := bert.Load(context.Background(), bertFixture)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	fills, err := p.FillMask(context.Background(), text, k)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(fills) != 1 || len(lines) != len(fills[0]) {
		t.Fatalf("%d lines for %d predictions:\n%s", len(lines), len(fills[0]), out)
	}
	for i, f := range fills[0] {
		fields := strings.Fields(lines[i])
		score, err := strconv.ParseFloat(fields[0], 64)
		if err != nil || math.Abs(score-float64(f.Score)) > 0.5e-4 || fields[1] != f.Token || strings.Join(fields[2:], " ") != f.Sequence {
			t.Errorf("line %q, want %.4f %s %s", lines[i], f.Score, f.Token, f.Sequence)
		}
	}
}

func TestRunFillMask(t *testing.T) {
	t.Parallel()
	e, out, errb := testEnv("")
	text := "The capital of France is [MASK]."
	code := run(context.Background(), []string{"run", bertFixture, text, "--top", "2"}, e)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errb)
	}
	checkFills(t, out.String(), text, 2)

	e, out, errb = testEnv("a [MASK] b [MASK]\nParis is the [MASK] of France.\n")
	if code := run(context.Background(), []string{"run", "--json", "--task", "fill-mask", bertFixture}, e); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb)
	}
	var res [][][]struct {
		Score    float64 `json:"score"`
		Token    int     `json:"token"`
		TokenStr string  `json:"token_str"`
		Sequence string  `json:"sequence"`
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(res) != 2 || len(res[0]) != 2 || len(res[1]) != 1 || len(res[1][0]) != 5 {
		t.Fatalf("shape of %s", out)
	}
	if f := res[1][0][0]; f.Score <= 0 || f.TokenStr == "" || !strings.HasPrefix(f.Sequence, "paris is the") {
		t.Errorf("first prediction %+v", f)
	}
}

func TestRunEmbedAndErrors(t *testing.T) {
	t.Parallel()
	e, out, errb := testEnv("")
	if code := run(context.Background(), []string{"run", bertFixture, "--task", "embed", "--json", "one", "two words"}, e); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb)
	}
	var embs [][]float32
	if err := json.Unmarshal(out.Bytes(), &embs); err != nil {
		t.Fatal(err)
	}
	if len(embs) != 2 || len(embs[0]) != 32 {
		t.Errorf("embeddings of shape %d x %d, want 2 x 32", len(embs), len(embs[0]))
	}
	tests := []struct {
		args []string
		msg  string
	}{
		{[]string{"run", bertFixture, "--task", "classify", "x"}, "no sequence classifier"},
		{[]string{"run", bertFixture, "no mask"}, "no mask token"},
	}
	for _, tc := range tests {
		e, out, errb := testEnv("")
		code := run(context.Background(), tc.args, e)
		if code != exitFailure || !strings.Contains(errb.String(), tc.msg) || out.Len() != 0 {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want 1 and %q", tc.args, code, out, errb, tc.msg)
		}
		if strings.Count(strings.TrimSpace(errb.String()), "\n") != 0 {
			t.Errorf("%q: the error is not one line: %q", tc.args, errb)
		}
	}
}

func TestRunFromRepoID(t *testing.T) {
	t.Parallel()
	files := map[string][]byte{}
	for _, name := range []string{"config.json", "model.safetensors", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json"} {
		b, err := os.ReadFile(filepath.Join(bertFixture, name))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = b
	}
	s := hubtest.NewServer()
	defer s.Close()
	s.AddRepo(hubtest.Repo{ID: "hfgo/tiny-bert", Files: files})
	vars := map[string]string{"HF_ENDPOINT": s.URL, "HF_HUB_CACHE": t.TempDir(), "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1"}
	text := "The capital of France is [MASK]."
	for i := range 2 { // the second run reads the cache
		e, out, errb := testEnv("")
		e.getenv = func(k string) string { return vars[k] }
		if code := run(context.Background(), []string{"run", "hfgo/tiny-bert", "--top", "1", text}, e); code != exitOK {
			t.Fatalf("run %d: exit %d: %s", i, code, errb)
		}
		checkFills(t, out.String(), text, 1)
		if downloaded := strings.Contains(errb.String(), "downloaded model.safetensors"); downloaded != (i == 0) {
			t.Errorf("run %d: stderr %q", i, errb)
		}
	}
}
