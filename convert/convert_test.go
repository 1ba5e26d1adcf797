package convert

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// sha256File returns the hex sha256 of a file.
func sha256File(t *testing.T, path string) string {
	t.Helper()
	sum := sha256.Sum256(readFile(t, path))
	return hex.EncodeToString(sum[:])
}

// TestConvertFormats converts every .bin of formats/ (zip, legacy,
// sharded) and checks the files byte for byte against those
// save_pretrained wrote: single file, sharded at the manifest's
// max_shard_size, and cast to float16 and bfloat16.
func TestConvertFormats(t *testing.T) {
	t.Parallel()
	for _, model := range []string{"bert", "gpt2"} {
		m := formats(t, model)
		maxShard, err := ParseSize(m.MaxShardSize)
		if err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(fixtures, "formats", model)
		for _, src := range []string{"pytorch_model.bin", "pytorch_model_legacy.bin", "sharded_bin"} {
			tests := []struct {
				name  string
				opts  Options
				files []string // fixture files the output must equal, by manifest sha256
			}{
				{"single", Options{}, []string{"model.safetensors"}},
				{"sharded", Options{MaxShardSize: maxShard}, shardFiles(m)},
				{"f16", Options{DType: "f16"}, []string{"fp16/model.safetensors"}},
				{"bf16", Options{DType: "bfloat16"}, []string{"bf16/model.safetensors"}},
			}
			for _, tt := range tests {
				t.Run(model+"/"+src+"/"+tt.name, func(t *testing.T) {
					t.Parallel()
					out := t.TempDir()
					res, err := Convert(context.Background(), filepath.Join(dir, src), out, &tt.opts)
					if err != nil {
						t.Fatal(err)
					}
					var want []string
					for _, f := range tt.files {
						want = append(want, filepath.Base(f))
						if got := sha256File(t, filepath.Join(out, filepath.Base(f))); got != m.Files[f].SHA256 {
							t.Errorf("%s: sha256 %s, want that of the fixture %s", filepath.Base(f), got, f)
						}
					}
					if tt.name == "sharded" {
						want = append(want, SafetensorsIndexName)
						idx := "sharded_safetensors/" + SafetensorsIndexName
						if !bytes.Equal(readFile(t, filepath.Join(out, SafetensorsIndexName)), readFile(t, filepath.Join(dir, idx))) {
							t.Errorf("index differs from %s", idx)
						}
					}
					var got []string
					for _, f := range res.Files {
						got = append(got, filepath.Base(f))
					}
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("Files (-want +got):\n%s", diff)
					}
					entries, _ := os.ReadDir(out)
					if len(entries) != len(want) {
						t.Errorf("%d files in the output folder, want %d", len(entries), len(want))
					}
				})
			}
		}
	}
}

// shardFiles lists the sharded_safetensors shard files of a manifest.
func shardFiles(m formatsManifest) []string {
	var out []string
	for f := range m.Files {
		if strings.HasPrefix(f, "sharded_safetensors/") {
			out = append(out, f)
		}
	}
	slices.Sort(out)
	return out
}

// TestConvertEdgeCases converts the pickle edge cases to one file: every
// tensor equals edge_cases_expected.safetensors, except shared_b, an exact
// alias of shared_a, which is dropped as a tied duplicate; views that only
// share a storage are written as copies.
func TestConvertEdgeCases(t *testing.T) {
	t.Parallel()
	for _, src := range []string{"edge_cases.bin", "edge_cases_legacy.bin"} {
		t.Run(src, func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(t.TempDir(), "edge.safetensors")
			res, err := Convert(context.Background(), filepath.Join(fixtures, "pickle_edge", src), out, nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"shared_b"}, res.Dropped); diff != "" {
				t.Errorf("Dropped (-want +got):\n%s", diff)
			}
			got := openST(t, out)
			want := openST(t, filepath.Join(fixtures, "pickle_edge", "edge_cases_expected.safetensors"))
			if diff := cmp.Diff(slices.DeleteFunc(want.Names(), func(n string) bool { return n == "shared_b" }), got.Names()); diff != "" {
				t.Errorf("names (-want +got):\n%s", diff)
			}
			for _, n := range got.Names() {
				g, _ := got.Bytes(n)
				w, _ := want.Bytes(n)
				gi, _ := got.Tensor(n)
				wi, _ := want.Tensor(n)
				if !bytes.Equal(g, w) || gi.DType != wi.DType || !slices.Equal(gi.Shape, wi.Shape) {
					t.Errorf("%s: %s %v differs from the expected %s %v", n, gi.DType, gi.Shape, wi.DType, wi.Shape)
				}
			}
		})
	}
}

// TestParseSize checks transformers' convert_file_size_to_int rules.
func TestParseSize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"5GB", 5_000_000_000, true},
		{"5gb", 5_000_000_000 / 8, true}, // lower-case b: bits
		{"5Gb", 5_000_000_000 / 8, true},
		{"46KB", 46_000, true},
		{"100MB", 100_000_000, true},
		{"2GiB", 2 << 30, true},
		{"3mib", 3 << 20, true},
		{"1KiB", 1024, true},
		{"12345", 12345, true},
		{"", 0, false},
		{"GB", 0, false},
		{"5TB", 0, false},
		{"-1GB", 0, false},
		{"1.5GB", 0, false},
		{"99999999999999999999GB", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// TestSplitShards checks the shard boundaries transformers would draw.
func TestSplitShards(t *testing.T) {
	t.Parallel()
	ts := func(sizes ...int64) []plannedTensor {
		var out []plannedTensor
		for i, s := range sizes {
			out = append(out, plannedTensor{name: string(rune('a' + i)), size: s})
		}
		return out
	}
	count := func(shards [][]plannedTensor) []int {
		var n []int
		for _, s := range shards {
			n = append(n, len(s))
		}
		return n
	}
	tests := []struct {
		sizes []int64
		max   int64
		want  []int
	}{
		{[]int64{10, 10, 10}, 100, []int{3}},
		{[]int64{10, 10, 10}, 20, []int{2, 1}},
		{[]int64{50, 10}, 20, []int{1, 1}}, // larger than the limit: alone
		{[]int64{10, 50, 5}, 20, []int{1, 1, 1}},
		{[]int64{0, 0, 20, 0}, 20, []int{4}},
	}
	for _, tt := range tests {
		if got := count(splitShards(ts(tt.sizes...), tt.max)); !slices.Equal(got, tt.want) {
			t.Errorf("splitShards(%v, %d) = %v, want %v", tt.sizes, tt.max, got, tt.want)
		}
	}
}

// TestConvertReplaces converts twice into one folder with different shard
// counts: the second run removes the first's stale shards and index.
func TestConvertReplaces(t *testing.T) {
	t.Parallel()
	src := filepath.Join(fixtures, "formats", "gpt2", "pytorch_model.bin")
	out := t.TempDir()
	if _, err := Convert(context.Background(), src, out, &Options{MaxShardSize: 40_000}); err != nil {
		t.Fatal(err)
	}
	res, err := Convert(context.Background(), src, out, nil)
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(out)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if diff := cmp.Diff([]string{SafetensorsName}, names); diff != "" || len(res.Files) != 1 {
		t.Errorf("folder after the second conversion (-want +got):\n%s", diff)
	}
}

// TestConvertCanceled checks that a canceled conversion leaves nothing.
func TestConvertCanceled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out := t.TempDir()
	_, err := Convert(ctx, filepath.Join(fixtures, "formats", "bert", "pytorch_model.bin"), out, &Options{MaxShardSize: 20_000})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("left %d files behind", len(entries))
	}
}

// TestEncodeIndex checks Python's json.dumps escaping of non-ASCII names.
func TestEncodeIndex(t *testing.T) {
	t.Parallel()
	x := &Index{TotalSize: 7, WeightMap: map[string]string{"b\"é😀\x01<": "f", "a": "g"}}
	want := "{\n  \"metadata\": {\n    \"total_size\": 7\n  },\n  \"weight_map\": {\n" +
		"    \"a\": \"g\",\n    \"b\\\"\\u00e9\\ud83d\\ude00\\u0001<\": \"f\"\n  }\n}\n"
	if got := string(encodeIndex(x)); got != want {
		t.Errorf("encodeIndex =\n%s\nwant\n%s", got, want)
	}
}
