package hub

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hfgo/hfgo/hub/hubtest"
)

// TestVerifyCopiedSnapshot: in a cache written without symlinks (no blobs),
// the snapshot files are checked against their ETags, from trees/ or from
// the Hub; without either they are reported as not checked.
func TestVerifyCopiedSnapshot(t *testing.T) {
	t.Parallel()
	files := map[string][]byte{
		"config.json":       []byte(`{"v": 1}`),
		"model.safetensors": randomBytes(20_000, 66),
	}
	srv := newTestServer(t)
	commit := srv.AddRepo(hubtest.Repo{ID: "hfgo/copies", Files: files})
	c, _ := newTestClient(t, srv, WithSymlinks(false))
	ctx := context.Background()
	snap, err := c.SnapshotDownload(ctx, "hfgo/copies", nil)
	if err != nil {
		t.Fatal(err)
	}
	repo := filepath.Join(c.CacheDir(), "models--hfgo--copies")
	if blobs := repoFiles(t, filepath.Join(repo, "blobs")); len(blobs) != 0 {
		t.Fatalf("blobs/ holds %v in a cache without symlinks", blobs)
	}
	cfg, weights := filepath.Join(snap, "config.json"), filepath.Join(snap, "model.safetensors")

	rep, err := VerifyCache(ctx, c.CacheDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Checked != 0 || rep.Files != 0 || len(rep.Problems) != 0 || !cmp.Equal(rep.Unknown, []string{cfg, weights}) {
		t.Errorf("no ETags known: %+v, want both files unknown", rep)
	}

	rep, err = VerifyCache(ctx, c.CacheDir(), &VerifyOptions{Client: c})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Files != 2 || rep.Bytes != int64(len(files["config.json"])+len(files["model.safetensors"])) || len(rep.Problems) != 0 || len(rep.Unknown) != 0 {
		t.Errorf("ETags from the Hub: %+v, want 2 sound files", rep)
	}

	tree := map[string]any{"format_version": 1, "files": map[string]any{
		"config.json": map[string]any{"size": len(files["config.json"]), "blob_id": hubtest.GitBlobID(files["config.json"])},
		"model.safetensors": map[string]any{
			"size": len(files["model.safetensors"]), "blob_id": "0000000000000000000000000000000000000000",
			"lfs_sha256": hubtest.SHA256(files["model.safetensors"]), "lfs_size": len(files["model.safetensors"]),
		},
	}}
	b, _ := json.Marshal(tree)
	if err := os.MkdirAll(filepath.Join(repo, "trees"), 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(repo, "trees", commit+".json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	srv.Close() // trees/ answers, offline
	rep, err = VerifyCache(ctx, c.CacheDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Files != 2 || len(rep.Problems) != 0 || len(rep.Unknown) != 0 {
		t.Errorf("sound copies, ETags from trees/ (lfs_sha256 before blob_id): %+v, want 2 sound files", rep)
	}
	for _, p := range []string{cfg, weights} {
		data := mustRead(t, p)
		data[len(data)/2] ^= 1
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rep, err = VerifyCache(ctx, c.CacheDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var bad []string
	for _, p := range rep.Problems {
		bad = append(bad, p.Path)
	}
	if rep.Files != 2 || !cmp.Equal(bad, []string{cfg, weights}) || len(rep.Unknown) != 0 {
		t.Errorf("tampered copies, ETags from trees/: %+v, want both files bad", rep)
	}
}
