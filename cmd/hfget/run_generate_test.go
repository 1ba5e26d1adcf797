package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hfgo/hfgo/hub/hubtest"
)

// gpt2Fixture is a tiny GPT-2 with random weights and the real vocabulary.
var gpt2Fixture = filepath.Join("..", "..", "testdata", "fixtures", "gpt2")

// gpt2Greedy returns the fixture's first prompt and what transformers'
// greedy generate() made of it: 20 new tokens, the prompt included (its
// generated_text in the fixture manifest).
func gpt2Greedy(t *testing.T) (prompt, text string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(gpt2Fixture, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Inputs []struct {
			Text          string `json:"text"`
			GeneratedText string `json:"generated_text"`
			NewTokens     int    `json:"generated_new_tokens"`
		} `json:"inputs"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	in := m.Inputs[0]
	if in.NewTokens != 20 || !strings.HasPrefix(in.GeneratedText, in.Text) {
		t.Fatalf("fixture input %+v: want 20 new tokens after the prompt", in)
	}
	return in.Text, in.GeneratedText
}

func runGenerateCLI(t *testing.T, getenv func(string) string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	e, out, errb := testEnv("")
	if getenv != nil {
		e.getenv = getenv
	}
	code = run(context.Background(), append([]string{"run"}, args...), e)
	return code, out.String(), errb.String()
}

func TestRunGenerate(t *testing.T) {
	t.Parallel()
	prompt, greedy := gpt2Greedy(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"greedy", []string{gpt2Fixture, "--task", "generate", prompt, "--max-new-tokens", "20"}, greedy + "\n"},
		{"task from config.json", []string{gpt2Fixture, prompt}, greedy + "\n"},
		{"two prompts", []string{gpt2Fixture, "--max-new-tokens", "20", prompt, prompt}, greedy + "\n\n" + greedy + "\n"},
		{"temperature 0 is greedy", []string{gpt2Fixture, "--temperature", "0", "--top-k", "3", prompt}, greedy + "\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, out, errb := runGenerateCLI(t, nil, tc.args...)
			if code != exitOK || out != tc.want {
				t.Errorf("exit %d, stdout %q (stderr %q); want %q", code, out, errb, tc.want)
			}
		})
	}
}

// TestRunGenerateBadSettings checks that settings generation refuses fail
// before anything is printed.
func TestRunGenerateBadSettings(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--temperature", "+Inf"}, {"--top-k", "5", "--temperature", "Inf"}} {
		code, out, errb := runGenerateCLI(t, nil, append([]string{gpt2Fixture, "Hello"}, args...)...)
		if code != exitFailure || out != "" || !strings.Contains(errb, "temperature") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want 1, nothing, a word on the temperature", args, code, out, errb)
		}
	}
}

func TestRunGenerateJSON(t *testing.T) {
	t.Parallel()
	prompt, greedy := gpt2Greedy(t)
	code, out, errb := runGenerateCLI(t, nil, gpt2Fixture, "--json", prompt, "The")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errb)
	}
	var got []generation
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(got) != 2 || got[0].GeneratedText != greedy || got[1].Prompt != "The" || !strings.HasPrefix(got[1].GeneratedText, "The") {
		t.Errorf("JSON output %+v", got)
	}
}

func TestRunGenerateSampling(t *testing.T) {
	t.Parallel()
	sample := func(seed string) string {
		code, out, errb := runGenerateCLI(t, nil, gpt2Fixture, "--seed", seed, "--temperature", "0.9", "--top-k", "40", "--top-p", "0.95", "Once upon a time")
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errb)
		}
		return out
	}
	a, b, c := sample("1"), sample("1"), sample("2")
	if a != b {
		t.Errorf("seed 1 gave %q, then %q", a, b)
	}
	if a == c {
		t.Errorf("seeds 1 and 2 both gave %q", a)
	}
	if !strings.HasPrefix(a, "Once upon a time") {
		t.Errorf("output %q does not start with the prompt", a)
	}
}

// TestRunGenerateFromHub loads a repo id from a fake Hub into an empty
// cache: only what generation needs is fetched.
func TestRunGenerateFromHub(t *testing.T) {
	t.Parallel()
	files := map[string][]byte{}
	for _, name := range []string{"config.json", "generation_config.json", "model.safetensors", "vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json"} {
		b, err := os.ReadFile(filepath.Join(gpt2Fixture, name))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = b
	}
	files["pytorch_model.bin"] = []byte("not fetched: model.safetensors is preferred")
	files["flax_model.msgpack"] = []byte("not fetched")
	s := hubtest.NewServer()
	defer s.Close()
	s.AddRepo(hubtest.Repo{ID: "hfgo/tiny-gpt2", Files: files})
	cache := t.TempDir()
	env := map[string]string{"HF_ENDPOINT": s.URL, "HF_HUB_CACHE": cache, "HF_HOME": t.TempDir()}
	getenv := func(k string) string { return env[k] }
	prompt, greedy := gpt2Greedy(t)
	code, out, errb := runGenerateCLI(t, getenv, "hfgo/tiny-gpt2", "--task", "generate", prompt)
	if code != exitOK || out != greedy+"\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errb)
	}
	var fetched []string
	for _, r := range s.Requests() {
		if r.Method == "GET" && strings.Contains(r.Path, "/resolve/") {
			fetched = append(fetched, filepath.Base(r.Path))
		}
	}
	for _, name := range fetched {
		if name == "pytorch_model.bin" || name == "flax_model.msgpack" {
			t.Errorf("fetched %s", name)
		}
	}
	code, _, errb = runGenerateCLI(t, getenv, "hfgo/no-such-repo", "--task", "generate", "x")
	if code != exitFailure || !strings.Contains(errb, "no-such-repo") {
		t.Errorf("missing repo: exit %d, stderr %q", code, errb)
	}
}
