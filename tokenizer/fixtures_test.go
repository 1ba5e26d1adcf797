package tokenizer

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

const fixtures = "../testdata/fixtures"

type slowCase struct {
	Text              string   `json:"text"`
	Tokens            []string `json:"tokens"`
	IDs               []int    `json:"ids"`
	IDsWithSpecial    []int    `json:"ids_with_special"`
	TokensWithSpecial []string `json:"tokens_with_special"`
	Decode            string   `json:"decode"`
	DecodeWithSpecial string   `json:"decode_with_special"`
	DecodeCleanup     *string  `json:"decode_default_cleanup"`
	Roundtrip         *bool    `json:"roundtrip"`
}

type slowFixture struct {
	VocabSize  int            `json:"vocab_size"`
	SpecialIDs map[string]int `json:"special_ids"`
	Cases      []slowCase     `json:"cases"`
}

func readJSON(t testing.TB, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// loaded memoizes the fixture tokenizers: a Tokenizer is immutable and safe to share.
var loaded sync.Map // path -> *loadResult

type loadResult struct {
	once sync.Once
	tk   *Tokenizer
	err  error
}

func memoLoad(t testing.TB, path string, load func(string) (*Tokenizer, error)) *Tokenizer {
	t.Helper()
	v, _ := loaded.LoadOrStore(path, &loadResult{})
	r := v.(*loadResult)
	r.once.Do(func() { r.tk, r.err = load(path) })
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.tk
}

func loadDir(t testing.TB, dir string) *Tokenizer {
	t.Helper()
	return memoLoad(t, filepath.Join(fixtures, dir), Load)
}

var emptyAsNil = cmpopts.EquateEmpty()

func TestLegacyBERTFixture(t *testing.T) {
	t.Parallel()
	var fx slowFixture
	readJSON(t, filepath.Join(fixtures, "tokenizer_bert.json"), &fx)
	tk := loadDir(t, "bert")
	if got := tk.VocabSize(); got != fx.VocabSize {
		t.Errorf("VocabSize() = %d, want %d", got, fx.VocabSize)
	}
	for tok, id := range fx.SpecialIDs {
		if got, ok := tk.TokenToID(tok); !ok || got != id {
			t.Errorf("TokenToID(%q) = %d, %v, want %d", tok, got, ok, id)
		}
	}
	for _, c := range fx.Cases {
		enc, err := tk.Encode(c.Text, WithoutSpecialTokens())
		if err != nil {
			t.Fatalf("Encode(%q): %v", c.Text, err)
		}
		if diff := cmp.Diff(c.Tokens, enc.Tokens, emptyAsNil); diff != "" {
			t.Errorf("tokens of %q (-want +got):\n%s", c.Text, diff)
		}
		if diff := cmp.Diff(c.IDs, enc.IDs, emptyAsNil); diff != "" {
			t.Errorf("ids of %q (-want +got):\n%s", c.Text, diff)
		}
		full, err := tk.Encode(c.Text)
		if err != nil {
			t.Fatalf("Encode(%q): %v", c.Text, err)
		}
		if diff := cmp.Diff(c.IDsWithSpecial, full.IDs); diff != "" {
			t.Errorf("ids with special tokens of %q (-want +got):\n%s", c.Text, diff)
		}
		if diff := cmp.Diff(c.TokensWithSpecial, full.Tokens); diff != "" {
			t.Errorf("tokens with special tokens of %q (-want +got):\n%s", c.Text, diff)
		}
		if got := tk.Decode(c.IDs, false); got != c.Decode {
			t.Errorf("Decode(ids of %q) = %q, want %q", c.Text, got, c.Decode)
		}
		if got := tk.Decode(c.IDsWithSpecial, false); got != c.DecodeWithSpecial {
			t.Errorf("Decode(ids with special of %q) = %q, want %q", c.Text, got, c.DecodeWithSpecial)
		}
	}
}

func TestLegacyGPT2Fixture(t *testing.T) {
	t.Parallel()
	var fx slowFixture
	readJSON(t, filepath.Join(fixtures, "tokenizer_gpt2.json"), &fx)
	tk := loadDir(t, "gpt2")
	if got := tk.VocabSize(); got != fx.VocabSize {
		t.Errorf("VocabSize() = %d, want %d", got, fx.VocabSize)
	}
	for _, c := range fx.Cases {
		enc, err := tk.Encode(c.Text)
		if err != nil {
			t.Fatalf("Encode(%q): %v", c.Text, err)
		}
		if diff := cmp.Diff(c.Tokens, enc.Tokens, emptyAsNil); diff != "" {
			t.Errorf("tokens of %q (-want +got):\n%s", c.Text, diff)
		}
		if diff := cmp.Diff(c.IDs, enc.IDs, emptyAsNil); diff != "" {
			t.Errorf("ids of %q (-want +got):\n%s", c.Text, diff)
		}
		if got := tk.DecodeWith(c.IDs, DecodeOptions{Cleanup: CleanupOff}); got != c.Decode {
			t.Errorf("decode without clean-up of %q = %q, want %q", c.Text, got, c.Decode)
		}
		if got := tk.Decode(c.IDs, false); got != *c.DecodeCleanup {
			t.Errorf("Decode(ids of %q) = %q, want %q", c.Text, got, *c.DecodeCleanup)
		}
	}
}
