package safetensors

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestShardedEqualsSingle reads each sharded fixture as one and compares it
// with the single-file checkpoint of the same model.
func TestShardedEqualsSingle(t *testing.T) {
	t.Parallel()
	for _, model := range []string{"bert", "gpt2"} {
		t.Run(model, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(fixturesDir, "formats", model)
			s, err := OpenIndex(filepath.Join(dir, "sharded_safetensors", "model.safetensors.index.json"))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			f, err := Open(filepath.Join(dir, "model.safetensors"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if diff := cmp.Diff(f.Names(), s.Names()); diff != "" {
				t.Fatalf("names (-single +sharded):\n%s", diff)
			}
			var total int64
			for _, name := range f.Names() {
				want, _ := f.Tensor(name)
				got, ok := s.Tensor(name)
				if !ok || got.DType != want.DType || !cmp.Equal(got.Shape, want.Shape) {
					t.Errorf("%s: sharded %+v, single %+v", name, got, want)
				}
				total += got.End - got.Begin
				wb, _ := f.Bytes(name)
				gb, err := s.Bytes(name)
				if err != nil || !bytes.Equal(gb, wb) {
					t.Errorf("%s: sharded bytes differ (%v)", name, err)
				}
				wf, _ := f.Float32(name)
				gf, err := s.Float32(name)
				if err != nil || !cmp.Equal(gf, wf) {
					t.Errorf("%s: sharded Float32 differs (%v)", name, err)
				}
			}
			if n, ok := s.TotalSize(); !ok || n != total {
				t.Errorf("TotalSize = %d, %v; the tensors hold %d bytes", n, ok, total)
			}
			if len(s.Tensors()) != s.Len() || s.Len() != f.Len() {
				t.Errorf("Len %d, Tensors %d, single file %d", s.Len(), len(s.Tensors()), f.Len())
			}
			if _, err := s.Float32("nope"); !errors.Is(err, ErrNotFound) {
				t.Errorf("missing tensor: err = %v", err)
			}
		})
	}
}

// shardedCopy copies the bert sharded fixture to a temporary folder and
// returns the index path and the decoded index.
func shardedCopy(t *testing.T) (string, map[string]any) {
	t.Helper()
	src := filepath.Join(fixturesDir, "formats", "bert", "sharded_safetensors")
	dir := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if err := os.WriteFile(filepath.Join(dir, e.Name()), readFile(t, filepath.Join(src, e.Name())), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "model.safetensors.index.json")
	var ix map[string]any
	readJSON(t, path, &ix)
	return path, ix
}

func writeIndex(t *testing.T, path string, ix any) {
	t.Helper()
	b, err := json.Marshal(ix)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestShardedErrors(t *testing.T) {
	t.Parallel()
	const shard1, shard2 = "model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors"
	for _, c := range []struct {
		name   string
		edit   func(t *testing.T, dir string, ix map[string]any)
		want   error
		tensor string
	}{
		{"missing shard", func(t *testing.T, dir string, ix map[string]any) {
			os.Remove(filepath.Join(dir, shard2))
		}, fs.ErrNotExist, ""},
		{"tensor in two shards", func(t *testing.T, dir string, ix map[string]any) {
			b := readFile(t, filepath.Join(dir, shard1))
			os.WriteFile(filepath.Join(dir, "extra.safetensors"), b, 0o644)
			ix["weight_map"].(map[string]any)["extra"] = "extra.safetensors"
		}, ErrInvalidIndex, "bert.embeddings.word_embeddings.weight"},
		{"shard lacks the tensor", func(t *testing.T, dir string, ix map[string]any) {
			ix["weight_map"].(map[string]any)["bert.pooler.dense.bias"] = shard1
		}, ErrInvalidIndex, "bert.pooler.dense.bias"},
		{"tensor in no shard", func(t *testing.T, dir string, ix map[string]any) {
			ix["weight_map"].(map[string]any)["ghost"] = shard1
		}, ErrInvalidIndex, "ghost"},
		{"shard outside the folder", func(t *testing.T, dir string, ix map[string]any) {
			ix["weight_map"].(map[string]any)["bert.pooler.dense.bias"] = "../" + shard1
		}, ErrInvalidIndex, ""},
		{"no weight_map", func(t *testing.T, dir string, ix map[string]any) {
			delete(ix, "weight_map")
		}, ErrInvalidIndex, ""},
		{"weight_map value not a string", func(t *testing.T, dir string, ix map[string]any) {
			ix["weight_map"].(map[string]any)["x"] = 3
		}, ErrInvalidIndex, "x"},
		{"corrupt shard", func(t *testing.T, dir string, ix map[string]any) {
			b := readFile(t, filepath.Join(dir, shard2))
			os.WriteFile(filepath.Join(dir, shard2), b[:len(b)-1], 0o644)
		}, ErrTruncated, "bert.encoder.layer.1.attention.self.query.weight"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			path, ix := shardedCopy(t)
			c.edit(t, filepath.Dir(path), ix)
			writeIndex(t, path, ix)
			s, err := OpenIndex(path)
			if err == nil {
				s.Close()
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			var e *Error
			if !errors.As(err, &e) || e.Tensor != c.tensor || !strings.Contains(e.File, filepath.Dir(path)) {
				t.Errorf("err %v: want an *Error naming a file of the set and tensor %q", err, c.tensor)
			}
		})
	}
}

// TestShardedNullMetadata opens an index whose metadata is null, as
// transformers (which reads only the weight_map) does.
func TestShardedNullMetadata(t *testing.T) {
	t.Parallel()
	path, ix := shardedCopy(t)
	ix["metadata"] = nil
	writeIndex(t, path, ix)
	s, err := OpenIndex(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if md := s.Metadata(); md != nil {
		t.Errorf("Metadata = %v, want nil", md)
	}
	if _, ok := s.TotalSize(); ok {
		t.Error("TotalSize of an index without metadata is ok")
	}
}

func TestShardedMetadata(t *testing.T) {
	t.Parallel()
	path, ix := shardedCopy(t)
	ix["metadata"] = map[string]any{"total_size": 139568, "format": "pt", "nested": []any{1, "a"}}
	ix["other"] = true
	writeIndex(t, path, ix)
	s, err := OpenIndex(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	want := map[string]string{"total_size": "139568", "format": "pt", "nested": `[1,"a"]`}
	if diff := cmp.Diff(want, s.Metadata()); diff != "" {
		t.Errorf("metadata (-want +got):\n%s", diff)
	}
	if shard, ok := s.Shard("bert.embeddings.word_embeddings.weight"); !ok || shard != "model-00001-of-00003.safetensors" {
		t.Errorf("Shard = %q, %v", shard, ok)
	}
	if got := s.Shards(); len(got) != 3 {
		t.Errorf("Shards = %q", got)
	}
}
