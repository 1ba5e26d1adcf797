package tokenizer

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

// fixtureFS returns a folder with the given files, read from the fixtures (name: fixture path).
func fixtureFS(t *testing.T, files map[string]string) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, path := range files {
		data, err := os.ReadFile(filepath.Join(fixtures, path))
		if err != nil {
			t.Fatal(err)
		}
		fsys[name] = &fstest.MapFile{Data: data}
	}
	return fsys
}

func TestPairTruncation(t *testing.T) {
	t.Parallel()
	// Two texts of 5 tokens each, 10 with the 3 special tokens, truncated to 10 - 3 = 7 tokens.
	a, b := "one two three four five", "six seven eight nine ten"
	for _, tc := range []struct {
		name   string
		tk     *Tokenizer
		na, nb int
	}{
		// transformers' truncate_sequences: of 3 to remove, 3//2 = 1 from the first, 2 from the
		// second when they are as long.
		{"legacy", loadDir(t, "bert"), 4, 3},
		// The Rust library: 7/2 = 3 for the first, 3 + 7%2 = 4 for the second.
		{"tokenizer.json", loadJSONFixture(t, "bert-base-uncased.tokenizer.json"), 3, 4},
	} {
		e, err := tc.tk.EncodePair(a, b, WithTruncation(10))
		if err != nil {
			t.Fatal(err)
		}
		words := strings.Fields(a + " " + b)
		want := append(append(append([]string{"[CLS]"}, words[:tc.na]...), "[SEP]"), append(words[5:5+tc.nb], "[SEP]")...)
		if diff := cmp.Diff(want, e.Tokens); diff != "" {
			t.Errorf("%s: (-want +got):\n%s", tc.name, diff)
		}
		wantTypes := append(make([]int, tc.na+2), 1, 1, 1, 1, 1)[:tc.na+tc.nb+3]
		for i := tc.na + 2; i < len(wantTypes); i++ {
			wantTypes[i] = 1
		}
		if diff := cmp.Diff(wantTypes, e.TypeIDs); diff != "" {
			t.Errorf("%s: type ids (-want +got):\n%s", tc.name, diff)
		}
		left, err := tc.tk.EncodePair(a, b, WithTruncation(10), WithTruncationLeft())
		if err != nil {
			t.Fatal(err)
		}
		if got, want := left.Tokens[1], words[5-tc.na]; got != want {
			t.Errorf("%s: truncated on the left, the first token is %q, want %q", tc.name, got, want)
		}
	}
}

func TestPairWithoutSpecialTokens(t *testing.T) {
	t.Parallel()
	// Without special tokens the slow tokenizers give every token type id 0, the Rust library
	// gives the second text 1.
	for _, tc := range []struct {
		tk   *Tokenizer
		want []int
	}{
		{loadDir(t, "bert"), []int{0, 0, 0}},
		{loadJSONFixture(t, "bert-base-uncased.tokenizer.json"), []int{0, 0, 1}},
		{loadDir(t, "gpt2"), []int{0, 0, 0}},
		{loadJSONFixture(t, "gpt2.tokenizer.json"), []int{0, 0, 1}},
	} {
		e, err := tc.tk.EncodePair("hello world", "again", WithoutSpecialTokens())
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.want, e.TypeIDs); diff != "" {
			t.Errorf("%s: (-want +got):\n%s", tc.tk.source, diff)
		}
		if diff := cmp.Diff([]int{0, 0, 1}, e.SequenceIDs); diff != "" {
			t.Errorf("%s: sequence ids (-want +got):\n%s", tc.tk.source, diff)
		}
	}
}

func TestPadding(t *testing.T) {
	t.Parallel()
	tk := loadDir(t, "bert")
	e, err := tk.Encode("hello world", WithPadding(6, false))
	if err != nil {
		t.Fatal(err)
	}
	want := &Encoding{
		IDs:               []int{101, 7592, 2088, 102, 0, 0},
		Tokens:            []string{"[CLS]", "hello", "world", "[SEP]", "[PAD]", "[PAD]"},
		Offsets:           [][2]int{{0, 0}, {0, 5}, {6, 11}, {0, 0}, {0, 0}, {0, 0}},
		AttentionMask:     []int{1, 1, 1, 1, 0, 0},
		TypeIDs:           []int{0, 0, 0, 0, 0, 0},
		SpecialTokensMask: []int{1, 0, 0, 1, 1, 1},
		SequenceIDs:       []int{-1, 0, 0, -1, -1, -1},
	}
	if diff := cmp.Diff(want, e); diff != "" {
		t.Errorf("right padding (-want +got):\n%s", diff)
	}
	encs, err := tk.EncodeBatch(context.Background(), []string{"hello", "hello world again"}, WithPadding(0, true), WithPadToMultipleOf(4))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{0, 0, 0, 0, 0, 101, 7592, 102}, encs[0].IDs); diff != "" {
		t.Errorf("left padding to the longest, a multiple of 4 (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{0, 0, 0, 1, 1, 1, 1, 1}, encs[1].AttentionMask); diff != "" {
		t.Errorf("attention mask (-want +got):\n%s", diff)
	}
	if _, err := loadDir(t, "gpt2").Encode("hello", WithPadding(4, false)); !errors.Is(err, ErrPadding) {
		t.Errorf("padding GPT-2, which has no pad token: %v, want ErrPadding", err)
	}
	e, err = loadDir(t, "gpt2").Encode("hello", WithPadding(3, false), WithPadToken("<|endoftext|>", 50256))
	if err != nil || !cmp.Equal(e.IDs, []int{31373, 50256, 50256}) {
		t.Errorf("padding GPT-2 with <|endoftext|>: %v, %v", e, err)
	}
}

func TestTruncationErrors(t *testing.T) {
	t.Parallel()
	tk := loadDir(t, "bert")
	if _, err := tk.Encode("hello", WithTruncation(1)); !errors.Is(err, ErrTruncation) {
		t.Errorf("max length under the number of special tokens: %v", err)
	}
	if _, err := tk.Encode("hello world", WithTruncation(3), WithTruncationStrategy(OnlySecond)); !errors.Is(err, ErrTruncation) {
		t.Errorf("OnlySecond on one text: %v", err)
	}
	if _, err := tk.EncodePair("a", "b c d e", WithTruncation(5), WithTruncationStrategy(OnlyFirst)); !errors.Is(err, ErrTruncation) {
		t.Errorf("OnlyFirst with a first text too short: %v", err)
	}
	e, err := tk.Encode("hello world again", WithTruncation(4))
	if err != nil || !cmp.Equal(e.Tokens, []string{"[CLS]", "hello", "world", "[SEP]"}) {
		t.Errorf("truncation to 4: %v, %v", e, err)
	}
}

func TestEncodeBatch(t *testing.T) {
	t.Parallel()
	tk := loadJSONFixture(t, "gpt2.tokenizer.json")
	texts := make([]string, 50)
	for i := range texts {
		texts[i] = strings.Repeat("word ", i)
	}
	encs, err := tk.EncodeBatch(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range encs {
		one, err := tk.Encode(texts[i])
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(one, e); diff != "" {
			t.Errorf("text %d: batch and single encodings differ (-single +batch):\n%s", i, diff)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := tk.EncodeBatch(ctx, texts); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled batch: %v", err)
	}
	if encs, err := tk.EncodeBatch(context.Background(), nil); err != nil || len(encs) != 0 {
		t.Errorf("empty batch: %v, %v", encs, err)
	}
}

func TestSpecialTokens(t *testing.T) {
	t.Parallel()
	for _, tk := range []*Tokenizer{loadDir(t, "bert"), loadJSONFixture(t, "bert-base-uncased.tokenizer.json")} {
		for name, want := range map[string]int{"cls_token": 101, "sep_token": 102, "pad_token": 0, "mask_token": 103, "unk_token": 100} {
			if _, id, ok := tk.SpecialToken(name); !ok || id != want {
				t.Errorf("%s: SpecialToken(%q) = %d, %v, want %d", tk.source, name, id, ok, want)
			}
		}
	}
	for _, tk := range []*Tokenizer{loadDir(t, "gpt2"), loadJSONFixture(t, "gpt2.tokenizer.json")} {
		for _, name := range []string{"bos_token", "eos_token", "unk_token"} {
			if tok, id, ok := tk.SpecialToken(name); !ok || id != 50256 || tok != "<|endoftext|>" {
				t.Errorf("%s: SpecialToken(%q) = %q, %d, %v", tk.source, name, tok, id, ok)
			}
		}
		if _, _, ok := tk.SpecialToken("pad_token"); ok {
			t.Errorf("%s: GPT-2 has a pad token", tk.source)
		}
	}
}

func TestSplitSpecialTokens(t *testing.T) {
	t.Parallel()
	for _, tk := range []*Tokenizer{loadDir(t, "bert"), loadJSONFixture(t, "bert-base-uncased.tokenizer.json")} {
		e, err := tk.Encode("[CLS] [MASK]", WithSplitSpecialTokens(), WithoutSpecialTokens())
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"[", "cl", "##s", "]", "[", "mask", "]"}, e.Tokens); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tk.source, diff)
		}
	}
}

func TestDecode(t *testing.T) {
	t.Parallel()
	legacy := loadDir(t, "bert")
	rust := loadJSONFixture(t, "bert-base-uncased.tokenizer.json")
	ids := []int{101, 2123, 1005, 1056, 999999, 102}
	for _, tc := range []struct {
		tk   *Tokenizer
		o    DecodeOptions
		want string
	}{
		// BertTokenizer decodes an unknown id as [UNK]; the Rust library leaves it out.
		{legacy, DecodeOptions{}, "[CLS] don't [UNK] [SEP]"},
		{legacy, DecodeOptions{SkipSpecialTokens: true}, "don't"},
		{legacy, DecodeOptions{Cleanup: CleanupOff}, "[CLS] don ' t [UNK] [SEP]"},
		{rust, DecodeOptions{}, "[CLS] don ' t [SEP]"},
		{rust, DecodeOptions{SkipSpecialTokens: true, Cleanup: CleanupOn}, "don't"},
	} {
		if got := tc.tk.DecodeWith(ids, tc.o); got != tc.want {
			t.Errorf("%s, %+v: %q, want %q", tc.tk.source, tc.o, got, tc.want)
		}
	}
}

func TestLoadWithConfig(t *testing.T) {
	t.Parallel()
	// tokenizer.json with the configuration transformers reads next to it: special token names
	// and the clean-up of decoding come from tokenizer_config.json.
	tk, err := LoadFS(fixtureFS(t, map[string]string{
		"tokenizer.json":          "tokenizer_json/bert-base-uncased.tokenizer.json",
		"tokenizer_config.json":   "bert/tokenizer_config.json",
		"special_tokens_map.json": "bert/special_tokens_map.json",
	}))
	if err != nil {
		t.Fatal(err)
	}
	e, err := tk.Encode("Don't!")
	if err != nil {
		t.Fatal(err)
	}
	if got := tk.Decode(e.IDs, true); got != "don't!" {
		t.Errorf("decode with the configuration's clean-up: %q", got)
	}
	if tok, id, ok := tk.SpecialToken("mask_token"); !ok || tok != "[MASK]" || id != 103 {
		t.Errorf("mask_token = %q, %d, %v", tok, id, ok)
	}
	if tk.ModelMaxLength() != 64 {
		t.Errorf("ModelMaxLength() = %d, want 64", tk.ModelMaxLength())
	}
}

func TestLegacyGPT2Options(t *testing.T) {
	t.Parallel()
	fsys := fixtureFS(t, map[string]string{"vocab.json": "gpt2/vocab.json", "merges.txt": "gpt2/merges.txt"})
	fsys["tokenizer_config.json"] = &fstest.MapFile{Data: []byte(`{"add_prefix_space": true, "add_bos_token": true}`)}
	tk, err := LoadFS(fsys)
	if err != nil {
		t.Fatal(err)
	}
	e, err := tk.Encode("hello world")
	if err != nil {
		t.Fatal(err)
	}
	want := &Encoding{
		IDs:               []int{50256, 23748, 995},
		Tokens:            []string{"<|endoftext|>", "Ġhello", "Ġworld"},
		Offsets:           [][2]int{{0, 0}, {0, 5}, {5, 11}},
		AttentionMask:     []int{1, 1, 1},
		TypeIDs:           []int{0, 0, 0},
		SpecialTokensMask: []int{1, 0, 0},
		SequenceIDs:       []int{-1, 0, 0},
	}
	if diff := cmp.Diff(want, e); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestCharOffsets(t *testing.T) {
	t.Parallel()
	text := "a é 😀\xffz"
	got := CharOffsets(text, [][2]int{{0, 1}, {2, 4}, {5, 9}, {9, 10}, {10, 11}, {0, 0}, {-3, 99}})
	want := [][2]int{{0, 1}, {2, 3}, {4, 5}, {5, 6}, {6, 7}, {0, 0}, {0, 7}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestLossyUTF8(t *testing.T) {
	t.Parallel()
	// Python's bytes.decode("utf-8", errors="replace") gives these.
	for in, want := range map[string]string{
		"\xf0\x9f\x98":         "\uFFFD",
		"\xed\xa0\x80":         "\uFFFD\uFFFD\uFFFD",
		"\xc0\xaf":             "\uFFFD\uFFFD",
		"a\xffb":               "a\uFFFDb",
		"\xe2\x82\xac\xe2\x82": "€\uFFFD",
		"\xf4\x90\x80\x80":     "\uFFFD\uFFFD\uFFFD\uFFFD",
		"\xf0\x9f\x98\x80\x80": "😀\uFFFD",
		"plain ascii and é 東":  "plain ascii and é 東",
	} {
		if got := string(appendLossy(nil, []byte(in))); got != want {
			t.Errorf("appendLossy(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestJSONTruncationAndPaddingDefaults(t *testing.T) {
	t.Parallel()
	// The truncation and padding of a tokenizer.json apply as the Rust library applies them;
	// transformers, which reads tokenizer_config.json too, turns them off.
	fsys := fixtureFS(t, map[string]string{
		"tokenizer.json":        "tokenizer_json/bert-base-uncased.tokenizer.json",
		"tokenizer_config.json": "bert/tokenizer_config.json",
	})
	data := string(fsys["tokenizer.json"].Data)
	data = strings.Replace(data, `"truncation":null`, `"truncation": {"direction": "Right", "max_length": 4, "strategy": "LongestFirst", "stride": 0}`, 1)
	data = strings.Replace(data, `"padding":null`, `"padding": {"strategy": {"Fixed": 6}, "direction": "Right", "pad_to_multiple_of": null, "pad_id": 0, "pad_type_id": 0, "pad_token": "[PAD]"}`, 1)
	fsys["tokenizer.json"] = &fstest.MapFile{Data: []byte(data)}
	rust, err := ParseJSON("tokenizer.json", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	e, err := rust.Encode("hello big wide world")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{101, 7592, 2502, 102, 0, 0}, e.IDs); diff != "" {
		t.Errorf("tokenizer.json alone (-want +got):\n%s", diff)
	}
	withConfig, err := LoadFS(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if e, err = withConfig.Encode("hello big wide world"); err != nil || e.Len() != 6 {
		t.Errorf("with tokenizer_config.json: %v tokens, %v; want 6, untruncated and unpadded", e.Len(), err)
	}
}

func TestFlavourDifferences(t *testing.T) {
	t.Parallel()
	// Where BertTokenizer and the Rust BertNormalizer differ (models-and-tokenizers.md): the
	// Python tokenizer counts U+2B820..U+2B91F as CJK ideographs and spaces them out, the Rust
	// one does not. The Rust outputs were checked with tokenizers 0.23.2.
	legacy, rust := loadDir(t, "bert"), loadJSONFixture(t, "bert-base-uncased.tokenizer.json")
	for _, tc := range []struct {
		text           string
		legacyT, rustT []string
		legacyO, rustO [][2]int
	}{
		{"a\U0002B820b", []string{"a", "[UNK]", "b"}, []string{"[UNK]"}, [][2]int{{0, 1}, {1, 5}, {5, 6}}, [][2]int{{0, 6}}},
		{"x\u2028y", []string{"x", "y"}, []string{"x", "y"}, [][2]int{{0, 1}, {4, 5}}, [][2]int{{0, 1}, {4, 5}}},
		{"İ ΣΑΣ", []string{"i", "σ", "##α", "##σ"}, []string{"i", "σ", "##α", "##σ"}, nil, nil},
	} {
		for _, side := range []struct {
			tk     *Tokenizer
			tokens []string
			offs   [][2]int
		}{{legacy, tc.legacyT, tc.legacyO}, {rust, tc.rustT, tc.rustO}} {
			e, err := side.tk.Encode(tc.text, WithoutSpecialTokens())
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(side.tokens, e.Tokens); diff != "" {
				t.Errorf("%s: %+q (-want +got):\n%s", side.tk.source, tc.text, diff)
			}
			if side.offs != nil {
				if diff := cmp.Diff(side.offs, e.Offsets); diff != "" {
					t.Errorf("%s: offsets of %+q (-want +got):\n%s", side.tk.source, tc.text, diff)
				}
			}
		}
	}
}
