package verify

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/hfgo/hfgo/tokenizer"
)

// FuzzManifest verifies a folder whose manifest.json is arbitrary, beside
// the BERT fixture's model and expected tensors: it reports or fails, never
// panics.
func FuzzManifest(f *testing.F) {
	for _, p := range []string{"bert", "gpt2", "formats/bert", "formats/gpt2"} {
		b, err := os.ReadFile(filepath.Join(fixtures, p, "manifest.json"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"kind":"bert","inputs":[{"name":"x","text":"hi","input_ids":[[1]]}],"tensors":{"x.input_ids":{"dtype":"int64","shape":[1,1]}}}`))
	f.Add([]byte(`{"files":[{"path":"../x","bytes":1,"sha256":"00"}]}`))
	dir := f.TempDir()
	for _, n := range []string{"config.json", "vocab.txt", "tokenizer_config.json", "expected.safetensors"} {
		if err := os.Symlink(mustAbsF(f, filepath.Join(fixtures, "formats", "bert", n)), filepath.Join(dir, n)); err != nil {
			if n == "config.json" || n == "expected.safetensors" {
				f.Fatal(err)
			}
		}
	}
	if err := os.Symlink(mustAbsF(f, filepath.Join(fixtures, "formats", "bert", "model.safetensors")), filepath.Join(dir, "model.safetensors")); err != nil {
		f.Fatal(err)
	}
	var mu sync.Mutex
	f.Fuzz(func(t *testing.T, b []byte) {
		mu.Lock()
		defer mu.Unlock()
		if err := os.WriteFile(filepath.Join(dir, "manifest.json"), b, 0o644); err != nil {
			t.Fatal(err)
		}
		rep, err := Reference(context.Background(), dir, nil)
		if err == nil && rep == nil {
			t.Fatal("no report and no error")
		}
	})
}

// FuzzCaseFile reads arbitrary tokenizer case files with the BERT fixture's
// tokenizer.
func FuzzCaseFile(f *testing.F) {
	// A few cases of each fixture file: whole files make each run slow.
	for _, p := range []string{"tokenizer_bert.json", "tokenizer_gpt2.json", "tokenizer_json/rust_cases.json", "tokenizer_json/golden_js.json"} {
		f.Add(fewCases(f, filepath.Join(fixtures, p), 4))
	}
	f.Add([]byte(`{"a":[{"text":"x","ids":[1]}]}`))
	f.Add([]byte(`{"s":{"tokenizer_json":"","cases":[{"text":"a","offsets":[[0,1]],"decode":"a"}]}}`))
	model := filepath.Join(fixtures, "bert")
	tok, err := tokenizer.Load(model)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		opts := &Options{Model: model, toks: map[string]*tokenizer.Tokenizer{model: tok}}
		rep, err := verifyCases(context.Background(), filepath.Join("nowhere", "cases.json"), b, opts)
		if err == nil && rep == nil {
			t.Fatal("no report and no error")
		}
	})
}

func mustAbsF(f *testing.F, p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		f.Fatal(err)
	}
	return a
}

// fewCases returns the JSON file at path with every list of cases cut to n.
func fewCases(f *testing.F, path string, n int) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		f.Fatal(err)
	}
	cut := func(x any) any {
		if l, ok := x.([]any); ok && len(l) > n {
			return l[:n]
		}
		return x
	}
	for k, x := range v {
		if m, ok := x.(map[string]any); ok {
			m["cases"] = cut(m["cases"])
		}
		v[k] = cut(x)
	}
	out, err := json.Marshal(v)
	if err != nil {
		f.Fatal(err)
	}
	return out
}
