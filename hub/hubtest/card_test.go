package hubtest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseFrontMatter(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, readme string
		want         map[string]any
	}{
		{"none", "# Title\n", nil},
		{"unclosed", "---\nlicense: mit\n", nil},
		{"empty", "---\n---\n# x", map[string]any{}},
		{"card", "---\r\nlicense: mit\r\nlanguage:\r\n- en\r\n- fr\r\ntags: [bert, 'fill mask']\r\nlibrary_name: \"transformers\"\r\n" +
			"inference: false\r\nyear: 2020\r\nscore: 0.5\r\nbase_model: ~\r\nempty:\r\n# comment\r\nwidget:\r\n- text: Hello [MASK]\r\n  example_title: x\r\n" +
			"model-index:\r\n  - name: x\r\nnote: a # trailing comment\r\n---\r\n# Body\r\n",
			map[string]any{
				"license": "mit", "language": []any{"en", "fr"}, "tags": []any{"bert", "fill mask"}, "library_name": "transformers",
				"inference": false, "year": int64(2020), "score": 0.5, "base_model": nil, "empty": nil, "note": "a",
			}},
	} {
		got := parseFrontMatter([]byte(tc.readme))
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}

func TestDerivedMetaOfBundledRepo(t *testing.T) {
	t.Parallel()
	s := NewUnstartedServer()
	if err := s.LoadDir(filepath.Join("..", "..", "testdata", "hub")); err != nil {
		t.Fatal(err)
	}
	m := s.repos[repoKey{"model", "hfgo/tiny-bert"}].head().meta()
	if diff := cmp.Diff([]string{"bert", "safetensors", "transformers"}, m.tags); diff != "" || m.pipelineTag != "fill-mask" || m.libraryName != "transformers" {
		t.Errorf("tags (-want +got):\n%s pipeline %q library %q", diff, m.pipelineTag, m.libraryName)
	}
}

func FuzzParseFrontMatter(f *testing.F) {
	cards, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "hub", "*", "*", "README.md"))
	for _, p := range cards {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("---\na: [1, 'x', \"y\\n\"]\nb:\n- c\n  d: e\n---\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := json.Marshal(parseFrontMatter(data)); err != nil {
			t.Fatalf("cardData cannot be sent as JSON: %v", err)
		}
	})
}
