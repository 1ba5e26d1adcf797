package bert

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hfgo/hfgo/hub"
	"github.com/hfgo/hfgo/hub/hubtest"
)

func TestLoadRepo(t *testing.T) {
	t.Parallel()
	files := map[string][]byte{}
	for _, name := range []string{"config.json", "model.safetensors", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json"} {
		b, err := os.ReadFile(filepath.Join(bertDir, name))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = b
	}
	files["pytorch_model.bin"] = []byte("a second weight format that must not be downloaded")
	s := hubtest.NewServer(hubtest.WithBasePath("/mirror"))
	defer s.Close()
	s.AddRepo(hubtest.Repo{ID: "hfgo/tiny-bert", Files: files})
	cache := t.TempDir()
	c, err := hub.NewClient(hub.WithEnv(func(string) string { return "" }), hub.WithEndpoint(s.URL), hub.WithCacheDir(cache))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	p, err := Load(ctx, "hfgo/tiny-bert", WithClient(c))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	local, err := Load(ctx, bertDir)
	if err != nil {
		t.Fatal(err)
	}
	defer local.Close()
	text := "The capital of France is [MASK]."
	got, err := p.FillMask(ctx, text, 3)
	if err != nil {
		t.Fatal(err)
	}
	want, err := local.FillMask(ctx, text, 3)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("from the Hub (-local +hub)\n%s", diff)
	}
	bins, _ := filepath.Glob(filepath.Join(cache, "models--hfgo--tiny-bert", "snapshots", "*", "pytorch_model.bin"))
	if len(bins) != 0 {
		t.Errorf("downloaded a second weight format: %v", bins)
	}
	if _, err := LoadModel(ctx, "hfgo/missing", WithClient(c)); !errors.Is(err, hub.ErrRepoNotFound) {
		t.Errorf("missing repo: %v", err)
	}
}
