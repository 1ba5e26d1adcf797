package bert

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// The layout of sentence-transformers/all-MiniLM-L6-v2.
const miniLMModules = `[
  {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
  {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
  {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}
]`

const miniLMPooling = `{
  "word_embedding_dimension": 384,
  "pooling_mode_cls_token": false,
  "pooling_mode_mean_tokens": true,
  "pooling_mode_max_tokens": false,
  "pooling_mode_mean_sqrt_len_tokens": false
}`

func TestReadPooling(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"modules.json":              miniLMModules,
		"1_Pooling/config.json":     miniLMPooling,
		"sentence_bert_config.json": `{"max_seq_length": 256, "do_lower_case": false}`,
	})
	p, err := ReadPooling(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := &Pooling{Mean: true, Dimension: 384, Normalize: true, MaxSeqLength: 256}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	if p, err := ReadPooling(t.TempDir()); p != nil || err != nil {
		t.Errorf("folder without modules.json: %v, %v", p, err)
	}
	bad := []map[string]string{
		{"modules.json": `[{"path": "2_Dense", "type": "sentence_transformers.models.Dense"}]`},
		{"modules.json": `[{"path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]`},
		{"modules.json": `{`},
		{"modules.json": `[{"path": "", "type": "sentence_transformers.models.Transformer"}]`},
		{"modules.json": `[{"path": "p", "type": "sentence_transformers.models.Pooling"}]`, "p/config.json": `{}`},
		{"modules.json": `[{"path": "../p", "type": "sentence_transformers.models.Pooling"}]`, "../p/config.json": miniLMPooling},
	}
	for i, files := range bad {
		if _, err := ReadPooling(writeFiles(t, files)); !errors.Is(err, ErrSentenceTransformers) {
			t.Errorf("case %d: error %v, want ErrSentenceTransformers", i, err)
		}
	}
}

func TestPool(t *testing.T) {
	t.Parallel()
	// Two sequences of three tokens, hidden size 2; the second has one pad.
	x := []float32{1, 2, 3, 4, 5, -6, 1, 1, 3, -1, 100, 100}
	out := &Output{Batch: 2, SeqLen: 3, LastHiddenState: dense(x, 6, 2)}
	mask := [][]int{{1, 1, 1}, {1, 1, 0}}
	tests := []struct {
		name string
		p    Pooling
		want [][]float32
	}{
		{"cls", Pooling{CLS: true}, [][]float32{{1, 2}, {1, 1}}},
		{"mean", Pooling{Mean: true}, [][]float32{{3, 0}, {2, 0}}},
		{"max", Pooling{Max: true}, [][]float32{{5, 4}, {3, 1}}},
		{"sqrt", Pooling{MeanSqrtLen: true}, [][]float32{{9 / float32(math.Sqrt(3)), 0}, {4 / float32(math.Sqrt(2)), 0}}},
		{"weighted", Pooling{WeightedMean: true}, [][]float32{{22.0 / 6, -8.0 / 6}, {7.0 / 3, -1.0 / 3}}},
		{"last", Pooling{LastToken: true}, [][]float32{{5, -6}, {3, -1}}},
		{"cls+mean", Pooling{CLS: true, Mean: true}, [][]float32{{1, 2, 3, 0}, {1, 1, 2, 0}}},
		{"normalized", Pooling{CLS: true, Normalize: true}, [][]float32{{1 / float32(math.Sqrt(5)), 2 / float32(math.Sqrt(5))}, {float32(math.Sqrt(0.5)), float32(math.Sqrt(0.5))}}},
	}
	for _, tc := range tests {
		got := tc.p.Pool(out, mask)
		if diff := cmp.Diff(tc.want, got, cmpopts.EquateApprox(0, 1e-6)); diff != "" {
			t.Errorf("%s: (-want +got)\n%s", tc.name, diff)
		}
		if n := tc.p.Size(2); n != len(got[0]) {
			t.Errorf("%s: Size %d, embeddings of %d", tc.name, n, len(got[0]))
		}
	}
	// A sequence with every token masked: sentence-transformers clamps the
	// token count to 1e-9, so the means are 0, and max pooling gives the
	// value it writes into masked tokens.
	none := [][]int{{0, 0, 0}, {1, 1, 0}}
	p := Pooling{Mean: true, MeanSqrtLen: true, WeightedMean: true, Max: true}
	want := []float32{-1e9, -1e9, 0, 0, 0, 0, 0, 0}
	if diff := cmp.Diff(want, p.Pool(out, none)[0]); diff != "" {
		t.Errorf("all tokens masked: (-want +got)\n%s", diff)
	}
}

var cmpApprox = cmpopts.EquateApprox(1e-4, 1e-5)

// FuzzReadPooling reads arbitrary sentence-transformers files from memory
// (the fuzzing engine runs file-writing targets very slowly).
func FuzzReadPooling(f *testing.F) {
	f.Add([]byte(miniLMModules), []byte(miniLMPooling), []byte(`{"max_seq_length": 256}`))
	f.Add([]byte(`[{"path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]`), []byte(`{"pooling_mode_cls_token": true}`), []byte(`{}`))
	f.Fuzz(func(t *testing.T, modules, pooling, sbert []byte) {
		fsys := fstest.MapFS{
			"modules.json":              {Data: modules},
			"1_Pooling/config.json":     {Data: pooling},
			"sentence_bert_config.json": {Data: sbert},
		}
		p, err := readPooling(stFiles{fsys, "model"})
		if err != nil {
			return
		}
		if p == nil || p.Size(4) == 0 || p.MaxSeqLength < 0 {
			t.Errorf("accepted pooling %+v", p)
		}
	})
}
