package hubload

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hfgo/hfgo/hub"
	"github.com/hfgo/hfgo/hub/hubtest"
	"github.com/hfgo/hfgo/models/internal/weights"
)

var formats = filepath.Join("..", "..", "..", "testdata", "fixtures", "formats", "gpt2")

func TestResolve(t *testing.T) {
	t.Parallel()
	s := hubtest.NewServer(hubtest.WithBasePath("/mirror"))
	defer s.Close()
	s.AddRepo(hubtest.Repo{ID: "hfgo/tiny", Files: map[string][]byte{
		"config.json": []byte(`{}`), "model.safetensors": []byte("x"), "pytorch_model.bin": []byte("y"),
	}})
	c, err := hub.NewClient(hub.WithEnv(func(string) string { return "" }), hub.WithEndpoint(s.URL), hub.WithCacheDir(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// Local paths, and names that cannot be repo ids, are kept as they are.
	for _, p := range []string{formats, filepath.Join(formats, "model.safetensors"), "./nope", "/no/such/dir", "a/b/c", "a b", ".."} {
		got, err := Resolve(ctx, p, []Option{WithClient(c)})
		if err != nil || got != p {
			t.Errorf("Resolve(%q) = %q, %v; want the path itself", p, got, err)
		}
	}
	if n := len(s.Requests()); n != 0 {
		t.Errorf("local paths made %d requests", n)
	}
	var events int
	dir, err := Resolve(ctx, "hfgo/tiny", []Option{WithClient(c), WithRevision("main"), WithProgress(func(hub.ProgressEvent) { events++ })})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "model.safetensors")); err != nil {
		t.Errorf("snapshot %s: %v", dir, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "pytorch_model.bin")); err == nil {
		t.Error("a second weight format was downloaded")
	}
	if events == 0 {
		t.Error("no progress events")
	}
	if _, err := Resolve(ctx, "hfgo/missing", []Option{WithClient(c)}); !errors.Is(err, hub.ErrRepoNotFound) || !strings.Contains(err.Error(), "hfgo/missing") {
		t.Errorf("missing repo: %v", err)
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	names := func(dir string) error { return nil }
	count := func(src weights.Source) (int, error) { return len(src.Names()), nil }
	for _, tc := range []struct {
		path  string
		owner bool
	}{
		{formats, true}, // float32: the model may use the file's memory
		{filepath.Join(formats, "pytorch_model.bin"), true},
		{filepath.Join(formats, "fp16"), false}, // widened: nothing to keep
		{filepath.Join(formats, "bf16"), false},
	} {
		n, owner, err := Load(ctx, "pkg", tc.path, nil, names, count)
		if err != nil {
			t.Fatalf("%s: %v", tc.path, err)
		}
		if n == 0 || (owner != nil) != tc.owner {
			t.Errorf("%s: %d tensors, checkpoint kept %v; want kept %v", tc.path, n, owner != nil, tc.owner)
		}
		if owner != nil {
			owner.Close()
		}
	}
	var dir string
	if _, _, err := Load(ctx, "pkg", filepath.Join(formats, "model.safetensors"), nil, func(d string) error { dir = d; return nil }, count); err != nil || dir != formats {
		t.Errorf("config folder of a weight file: %q, %v", dir, err)
	}
	errConfig, errBuild := errors.New("bad config"), errors.New("bad tensor")
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	for _, tc := range []struct {
		name       string
		ctx        context.Context
		path       string
		readConfig func(string) error
		build      func(weights.Source) (int, error)
		want       error
		msg        string
	}{
		{"config", ctx, formats, func(string) error { return errConfig }, count, errConfig, "bad config"},
		{"build", ctx, formats, names, func(weights.Source) (int, error) { return 0, errBuild }, errBuild, "bad tensor (checkpoint " + formats},
		{"missing", ctx, filepath.Join(formats, "nope"), names, count, os.ErrNotExist, "pkg: "},
		{"no weights", ctx, t.TempDir(), names, count, nil, "pkg: "},
		{"cancelled", cancelled, formats, names, count, context.Canceled, "pkg: context canceled"},
	} {
		_, owner, err := Load(tc.ctx, "pkg", tc.path, nil, tc.readConfig, tc.build)
		if err == nil || owner != nil || (tc.want != nil && !errors.Is(err, tc.want)) || !strings.HasPrefix(err.Error(), tc.msg) {
			t.Errorf("%s: %v (checkpoint %v), want %v starting %q", tc.name, err, owner, tc.want, tc.msg)
		}
	}
}
