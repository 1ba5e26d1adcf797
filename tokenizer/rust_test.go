package tokenizer

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type rustCase struct {
	Text               string   `json:"text"`
	IDs                []int    `json:"ids"`
	IDsWithSpecial     []int    `json:"ids_with_special"`
	Tokens             []string `json:"tokens"`
	Offsets            [][2]int `json:"offsets"`
	TokensWithSpecial  []string `json:"tokens_with_special"`
	OffsetsWithSpecial [][2]int `json:"offsets_with_special"`
	Decode             string   `json:"decode"`
}

type rustFixture struct {
	BERT struct {
		Cases []rustCase `json:"cases"`
	} `json:"bert"`
	GPT2 struct {
		Cases []rustCase `json:"cases"`
	} `json:"gpt2"`
}

func loadJSONFixture(t testing.TB, name string) *Tokenizer {
	t.Helper()
	return memoLoad(t, filepath.Join(fixtures, "tokenizer_json", name), LoadFile)
}

func TestTokenizerJSONMatchesRust(t *testing.T) {
	t.Parallel()
	var fx rustFixture
	readJSON(t, filepath.Join(fixtures, "tokenizer_json", "rust_cases.json"), &fx)
	for _, tc := range []struct {
		file  string
		cases []rustCase
	}{
		{"bert-base-uncased.tokenizer.json", fx.BERT.Cases},
		{"gpt2.tokenizer.json", fx.GPT2.Cases},
	} {
		tk := loadJSONFixture(t, tc.file)
		for _, c := range tc.cases {
			enc, err := tk.Encode(c.Text, WithoutSpecialTokens())
			if err != nil {
				t.Fatalf("%s: Encode(%q): %v", tc.file, c.Text, err)
			}
			if diff := cmp.Diff(c.IDs, enc.IDs, emptyAsNil); diff != "" {
				t.Errorf("%s: ids of %q (-want +got):\n%s", tc.file, c.Text, diff)
			}
			if diff := cmp.Diff(c.Tokens, enc.Tokens, emptyAsNil); diff != "" {
				t.Errorf("%s: tokens of %q (-want +got):\n%s", tc.file, c.Text, diff)
			}
			if diff := cmp.Diff(c.Offsets, enc.CharOffsets(c.Text), emptyAsNil); diff != "" {
				t.Errorf("%s: offsets of %q (-want +got):\n%s", tc.file, c.Text, diff)
			}
			full, err := tk.Encode(c.Text)
			if err != nil {
				t.Fatalf("%s: Encode(%q): %v", tc.file, c.Text, err)
			}
			if diff := cmp.Diff(c.IDsWithSpecial, full.IDs, emptyAsNil); diff != "" {
				t.Errorf("%s: ids with special tokens of %q (-want +got):\n%s", tc.file, c.Text, diff)
			}
			if diff := cmp.Diff(c.TokensWithSpecial, full.Tokens, emptyAsNil); diff != "" {
				t.Errorf("%s: tokens with special tokens of %q (-want +got):\n%s", tc.file, c.Text, diff)
			}
			if diff := cmp.Diff(c.OffsetsWithSpecial, full.CharOffsets(c.Text), emptyAsNil); diff != "" {
				t.Errorf("%s: offsets with special tokens of %q (-want +got):\n%s", tc.file, c.Text, diff)
			}
			if got := tk.Decode(full.IDs, true); got != c.Decode {
				t.Errorf("%s: Decode(%q) = %q, want %q", tc.file, c.Text, got, c.Decode)
			}
		}
	}
}
