package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixtureSHA256 returns the manifest's sha256 of a formats fixture file.
func fixtureSHA256(t *testing.T, model, file string) string {
	t.Helper()
	var m struct {
		Files map[string]struct {
			SHA256 string `json:"sha256"`
		} `json:"files"`
	}
	b, err := os.ReadFile(filepath.Join(formatsDir, model, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m.Files[file].SHA256
}

func fileSHA256(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// TestConvert converts the fixtures' .bin files and checks the written
// files against those transformers wrote, and the printed paths.
func TestConvert(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		args  []string // after SRC DST
		src   string
		dst   string            // relative to a temp folder
		files map[string]string // written file -> fixture it equals
	}{
		{"sharded", []string{"--max-shard-size", "46KB"}, "bert/pytorch_model.bin", "out", map[string]string{
			"model-00001-of-00003.safetensors": "sharded_safetensors/model-00001-of-00003.safetensors",
			"model-00002-of-00003.safetensors": "sharded_safetensors/model-00002-of-00003.safetensors",
			"model-00003-of-00003.safetensors": "sharded_safetensors/model-00003-of-00003.safetensors",
			"model.safetensors.index.json":     "",
		}},
		{"bf16 file", []string{"--dtype", "bf16"}, "gpt2/pytorch_model_legacy.bin", "x/gpt2.safetensors", map[string]string{
			"gpt2.safetensors": "bf16/model.safetensors",
		}},
		{"f16 from shards", []string{"--dtype=f16"}, "gpt2/sharded_bin", "out", map[string]string{
			"model.safetensors": "fp16/model.safetensors",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dst := filepath.Join(t.TempDir(), tt.dst)
			code, out, errs := cli(t, nil, append([]string{"convert", filepath.Join(formatsDir, tt.src), dst}, tt.args...)...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errs)
			}
			dir := dst
			if strings.HasSuffix(dst, ".safetensors") {
				dir = filepath.Dir(dst)
			}
			model, _, _ := strings.Cut(tt.src, "/")
			printed := strings.Fields(out)
			if len(printed) != len(tt.files) {
				t.Errorf("printed %q, want %d files", printed, len(tt.files))
			}
			for _, p := range printed {
				fixture, ok := tt.files[filepath.Base(p)]
				if !ok || filepath.Dir(p) != dir {
					t.Errorf("unexpected output %s", p)
					continue
				}
				if fixture != "" && fileSHA256(t, p) != fixtureSHA256(t, model, fixture) {
					t.Errorf("%s differs from the fixture %s", filepath.Base(p), fixture)
				}
			}
			if !strings.Contains(errs, "wrote ") {
				t.Errorf("stderr lacks the summary: %s", errs)
			}
		})
	}
}

// TestConvertErrors checks usage errors and failures.
func TestConvertErrors(t *testing.T) {
	t.Parallel()
	src := filepath.Join(formatsDir, "bert", "pytorch_model.bin")
	tests := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"convert"}, exitUsage, "usage: hfget convert"},
		{[]string{"convert", src}, exitUsage, "usage: hfget convert"},
		{[]string{"convert", src, t.TempDir(), "--dtype", "f8"}, exitUsage, `--dtype "f8"`},
		{[]string{"convert", src, t.TempDir(), "--max-shard-size", "5TB"}, exitUsage, `--max-shard-size "5TB"`},
		{[]string{"convert", src, t.TempDir(), "--max-shard-size", "0"}, exitUsage, "--max-shard-size"},
		{[]string{"convert", "./nope.bin", t.TempDir()}, exitFailure, "no such file"},
	}
	for _, tt := range tests {
		code, out, errs := cli(t, nil, tt.args...)
		if code != tt.code || !strings.Contains(errs, tt.msg) || out != "" {
			t.Errorf("%q: exit %d, stderr %q; want %d and %q", tt.args, code, errs, tt.code, tt.msg)
		}
	}
}
