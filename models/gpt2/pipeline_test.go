package gpt2

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hfgo/hfgo/hub"
	"github.com/hfgo/hfgo/hub/hubtest"
)

// fixturePipeline is the gpt2 fixture loaded once for all tests (never
// closed: the tests share it).
var fixturePipeline = sync.OnceValues(func() (*Pipeline, error) {
	return Load(context.Background(), filepath.Join(fixtures, "gpt2"))
})

func loadFixturePipeline(t testing.TB) *Pipeline {
	t.Helper()
	p, err := fixturePipeline()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPipelineMatchesTransformers runs the fixture prompts end to end, from
// their text: tokenization, greedy generation and decoding.
func TestPipelineMatchesTransformers(t *testing.T) {
	t.Parallel()
	p := loadFixturePipeline(t)
	b, err := os.ReadFile(filepath.Join(fixtures, "gpt2", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var man struct {
		Inputs []struct {
			Name          string `json:"name"`
			GeneratedText string `json:"generated_text"`
			GeneratedIDs  []int  `json:"generated_ids"`
		} `json:"inputs"`
	}
	if err := json.Unmarshal(b, &man); err != nil {
		t.Fatal(err)
	}
	g := p.Generation
	g.MaxNewTokens = 20
	for _, in := range readManifest(t).Inputs {
		t.Run(in.Name, func(t *testing.T) {
			t.Parallel()
			ids, err := p.Encode(in.Text)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(in.InputIDs, ids); diff != "" {
				t.Fatalf("input ids (-want +got):\n%s", diff)
			}
			texts, err := p.Generate(context.Background(), []string{in.Text}, g)
			if err != nil {
				t.Fatal(err)
			}
			want := p.Decode(in.GeneratedIDs[len(in.InputIDs):])
			if texts[0] != want {
				t.Errorf("generated %q, want %q", texts[0], want)
			}
			var pieces []string
			for piece, err := range p.Stream(context.Background(), in.Text, g) {
				if err != nil {
					t.Fatal(err)
				}
				pieces = append(pieces, piece)
			}
			if got := strings.Join(pieces, ""); got != want {
				t.Errorf("streamed %q, want %q", got, want)
			}
		})
	}
	for _, in := range man.Inputs {
		if got := p.Tokenizer.Decode(in.GeneratedIDs, false); got != in.GeneratedText {
			t.Errorf("%s: decoded %q, transformers %q", in.Name, got, in.GeneratedText)
		}
	}
}

func TestStablePrefix(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":                   "",
		"Hello":              "",
		"Hello world":        "Hello",
		"Hello world ":       "Hello world",
		"a b\n":              "a b\n",
		"caf\uFFFD":          "",
		"a caf\uFFFD":        "a",
		"line\n\uFFFD":       "line\n",
		"a\nb c\uFFFD":       "a\nb",
		"x \uFFFD\uFFFD y z": "x \uFFFD\uFFFD y",
	} {
		if got := stablePrefix(in); got != want {
			t.Errorf("stablePrefix(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestPipelineStopString stops on text that spans tokens.
func TestPipelineStopString(t *testing.T) {
	t.Parallel()
	p := loadFixturePipeline(t)
	g := p.Generation
	g.MaxNewTokens, g.StopStrings = 20, Strings{"glacier glacier"}
	texts, err := p.Generate(context.Background(), []string{"Hello, my dog is cute"}, g)
	if err != nil {
		t.Fatal(err)
	}
	if want := "ÃÂÃÂÃÂÃÂ glacier glacier"; texts[0] != want {
		t.Errorf("generated %q, want %q", texts[0], want)
	}
}

// TestLoadStopStrings loads a checkpoint whose generation_config.json sets
// stop_strings: the pipeline reads them and generation stops on them.
func TestLoadStopStrings(t *testing.T) {
	t.Parallel()
	src := filepath.Join(fixtures, "gpt2")
	dir := t.TempDir()
	for _, name := range []string{"config.json", "model.safetensors", "vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json"} {
		abs, err := filepath.Abs(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(abs, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	gc := `{"bos_token_id": 50256, "eos_token_id": 50256, "max_new_tokens": 20, "stop_strings": "glacier glacier"}`
	if err := os.WriteFile(filepath.Join(dir, "generation_config.json"), []byte(gc), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if diff := cmp.Diff(Strings{"glacier glacier"}, p.Generation.StopStrings); diff != "" {
		t.Errorf("stop strings (-want +got):\n%s", diff)
	}
	texts, err := p.Generate(context.Background(), []string{"Hello, my dog is cute"}, p.Generation)
	if err != nil {
		t.Fatal(err)
	}
	if want := "ÃÂÃÂÃÂÃÂ glacier glacier"; texts[0] != want {
		t.Errorf("generated %q, want %q", texts[0], want)
	}
}

// TestLoadRepoID loads the fixture served as a repo by a fake Hub, through
// Load with a repo id and through LoadRepo: both generate what the local
// folder does, and only one weight format is downloaded.
func TestLoadRepoID(t *testing.T) {
	t.Parallel()
	files := map[string][]byte{"pytorch_model.bin": []byte("a second weight format that must not be downloaded")}
	for _, name := range []string{"config.json", "generation_config.json", "model.safetensors", "vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json"} {
		b, err := os.ReadFile(filepath.Join(fixtures, "gpt2", name))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = b
	}
	s := hubtest.NewServer(hubtest.WithBasePath("/mirror"))
	defer s.Close()
	s.AddRepo(hubtest.Repo{ID: "hfgo/tiny-gpt2", Files: files})
	c, err := hub.NewClient(hub.WithEnv(func(string) string { return "" }), hub.WithEndpoint(s.URL), hub.WithCacheDir(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	local := loadFixturePipeline(t)
	g := local.Generation
	g.MaxNewTokens = 8
	prompt := []string{"Hello, my dog is cute"}
	want, err := local.Generate(ctx, prompt, g)
	if err != nil {
		t.Fatal(err)
	}
	byID, err := Load(ctx, "hfgo/tiny-gpt2", WithClient(c))
	if err != nil {
		t.Fatal(err)
	}
	defer byID.Close()
	byRepo, err := LoadRepo(ctx, c, "hfgo/tiny-gpt2", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer byRepo.Close()
	for name, p := range map[string]*Pipeline{"Load": byID, "LoadRepo": byRepo} {
		got, err := p.Generate(ctx, prompt, g)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s from the Hub (-local +hub)\n%s", name, diff)
		}
	}
	for _, r := range s.Requests() {
		if strings.HasSuffix(r.Path, "pytorch_model.bin") {
			t.Errorf("downloaded %s", r.Path)
		}
	}
	if _, err := LoadModel(ctx, "hfgo/missing", WithClient(c)); !errors.Is(err, hub.ErrRepoNotFound) {
		t.Errorf("missing repo: %v", err)
	}
}

// TestPipelineStreamStopsEarly breaks out of Stream, and cancels it, part
// way: generation stops with it, leaving no goroutine behind. It does not
// run in parallel, so that the goroutines counted are its own.
func TestPipelineStreamStopsEarly(t *testing.T) {
	p := loadFixturePipeline(t)
	g := p.Generation
	g.MaxNewTokens = 20
	prompt := "Hello, my dog is cute"
	for range p.Stream(context.Background(), prompt, g) { // warm up the kernels' workers
	}
	before := runtime.NumGoroutine()
	for range 5 {
		pieces := 0
		for _, err := range p.Stream(context.Background(), prompt, g) {
			if err != nil {
				t.Fatal(err)
			}
			pieces++
			break
		}
		if pieces != 1 {
			t.Fatalf("%d pieces before the break", pieces)
		}
		ctx, cancel := context.WithCancel(context.Background())
		var last error
		n := 0
		for _, err := range p.Stream(ctx, prompt, g) {
			n++
			last = err
			cancel()
		}
		cancel()
		if !errors.Is(last, context.Canceled) || n != 2 {
			t.Fatalf("after cancelling: %d yields, last error %v; want a piece, then context.Canceled", n, last)
		}
	}
	if after := runtime.NumGoroutine(); after > before+2 {
		t.Errorf("%d goroutines after 10 stopped streams, %d before", after, before)
	}
}
