package tokenizer

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"unicode"
	"unicode/utf8"
)

// fuzzSet returns the four fixture tokenizers.
func fuzzSet(t testing.TB) map[string]*Tokenizer {
	return map[string]*Tokenizer{
		"bert legacy": loadDir(t, "bert"),
		"gpt2 legacy": loadDir(t, "gpt2"),
		"bert json":   loadJSONFixture(t, "bert-base-uncased.tokenizer.json"),
		"gpt2 json":   loadJSONFixture(t, "gpt2.tokenizer.json"),
	}
}

// fixtureTexts returns the strings of the tokenizer fixtures.
func fixtureTexts(t testing.TB) []string {
	var fx slowFixture
	readJSON(t, filepath.Join(fixtures, "tokenizer_bert.json"), &fx)
	var out []string
	for _, c := range fx.Cases {
		out = append(out, c.Text)
	}
	return out
}

// checkEncoding checks what holds for every encoding of text by tk.
func checkEncoding(t *testing.T, tk *Tokenizer, name, text string, e *Encoding) {
	t.Helper()
	n := len(e.IDs)
	for _, l := range []int{len(e.Tokens), len(e.Offsets), len(e.AttentionMask), len(e.TypeIDs), len(e.SpecialTokensMask), len(e.SequenceIDs)} {
		if l != n {
			t.Fatalf("%s: fields of different lengths for %q", name, text)
		}
	}
	for i, o := range e.Offsets {
		if e.SpecialTokensMask[i] == 1 {
			if o != [2]int{0, 0} {
				t.Fatalf("%s: special token %q has offsets %v in %q", name, e.Tokens[i], o, text)
			}
			continue
		}
		if o[0] < 0 || o[0] > o[1] || o[1] > len(text) {
			t.Fatalf("%s: token %d %q has offsets %v out of %q", name, i, e.Tokens[i], o, text)
		}
		b := []byte(text)
		if charStart(b, o[0]) != o[0] || charEnd(b, o[1]) != o[1] {
			// A byte-level post-processor moves a token's offsets by the spaces its string
			// starts or ends with, as the Rust library does: into a character when that string
			// is not the text the token covers, as with an id of several tokens.
			if trimmable(e.Tokens[i]) && tokensOf(tk, e.IDs[i]) > 1 {
				continue
			}
			t.Fatalf("%s: token %d %q has offsets %v inside a character of %q", name, i, e.Tokens[i], o, text)
		}
	}
}

// trimmable reports whether a token string starts or ends with a space, byte-level or not.
func trimmable(tok string) bool {
	r0, _ := utf8.DecodeRuneInString(tok)
	r1, _ := utf8.DecodeLastRuneInString(tok)
	return r0 == 'Ġ' || r1 == 'Ġ' || unicode.IsSpace(r0) || unicode.IsSpace(r1)
}

// tokensOf returns the number of tokens of tk's vocabulary that have the id.
func tokensOf(tk *Tokenizer, id int) int {
	n := 0
	for _, x := range tk.vocab.idOf {
		if int(x) == id {
			n++
		}
	}
	return n
}

func FuzzEncode(f *testing.F) {
	for _, s := range fixtureTexts(f) {
		f.Add(s)
	}
	for _, s := range []string{"\xff\xfe", "a\xc3", "\xe2\x82", "[CLS]\x80<|endoftext|>", "\xf0\x9f\x98", "é\u0301\u0323"} {
		f.Add(s)
	}
	set := fuzzSet(f)
	f.Fuzz(func(t *testing.T, text string) {
		for _, name := range sortedNames(set) {
			tk := set[name]
			e, err := tk.Encode(text)
			if err != nil {
				t.Fatalf("%s: Encode(%q): %v", name, text, err)
			}
			checkEncoding(t, tk, name, text, e)
			p, err := tk.EncodePair(text, text[:len(text)/2], WithTruncation(64), WithPadding(80, true), WithPadToken("[PAD]", 0))
			if err != nil {
				t.Fatalf("%s: EncodePair(%q): %v", name, text, err)
			}
			if p.Len() != 80 {
				t.Fatalf("%s: padded pair of %q has %d tokens", name, text, p.Len())
			}
			_ = tk.Decode(e.IDs, true)
			if !strings.HasPrefix(name, "gpt2") {
				continue
			}
			got := tk.DecodeWith(e.IDs, DecodeOptions{Cleanup: CleanupOff})
			if want := string(appendLossy(nil, []byte(text))); got != want {
				t.Fatalf("%s: decode(encode(%q)) = %q, want %q", name, text, got, want)
			}
			if utf8.ValidString(text) && got != text {
				t.Fatalf("%s: decode(encode(%q)) = %q", name, text, got)
			}
		}
	})
}

// smallJSONSeeds returns the tokenizer.json files of testdata.
func smallJSONSeeds(t testing.TB) map[string][]byte {
	paths, err := filepath.Glob(filepath.Join("testdata", "*.tokenizer.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no tokenizer.json in testdata: %v", err)
	}
	out := map[string][]byte{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(p)] = data
	}
	return out
}

// probeTexts are encoded with every tokenizer the parsers accept.
var probeTexts = []string{"", "Hello, world! It's 3.14", "naïve café 東京 🤗", "[CLS] <s> <|endoftext|> x", "\xff\x00 a"}

func probe(t *testing.T, name string, tk *Tokenizer) {
	for _, s := range probeTexts {
		e, err := tk.Encode(s)
		if err != nil {
			continue // a tokenizer without unknown token may refuse a text
		}
		checkEncoding(t, tk, name, s, e)
		_ = tk.Decode(e.IDs, false)
		_ = tk.Decode([]int{-1, 0, 1 << 30}, true)
	}
}

// checkLoadError checks that a load error is one of the package's kinds.
func checkLoadError(t *testing.T, err error) {
	if !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrUnsupported) && !errors.Is(err, ErrNotFound) {
		t.Fatalf("error of no known kind: %v", err)
	}
}

// shrinkSeed keeps the structure of a tokenizer.json but only the first tokens of its
// vocabulary and the merges among them, so that the fuzzer mutates a small input.
func shrinkSeed(t testing.TB, data []byte) []byte {
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	model := doc["model"].(map[string]any)
	vocab := model["vocab"].(map[string]any)
	keep := map[string]any{}
	for tok, id := range vocab {
		if id.(float64) < 300 || strings.HasPrefix(tok, "[") || strings.HasPrefix(tok, "<") {
			keep[tok] = id
		}
	}
	model["vocab"] = keep
	if merges, ok := model["merges"].([]any); ok {
		var kept []any
		for _, m := range merges {
			var a, b string
			switch m := m.(type) {
			case string:
				a, b, _ = strings.Cut(m, " ")
			case []any:
				a, b = m[0].(string), m[1].(string)
			}
			_, okA := keep[a]
			_, okB := keep[b]
			_, okAB := keep[a+b]
			if okA && okB && okAB {
				kept = append(kept, m)
			}
		}
		model["merges"] = kept
	}
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func FuzzParseJSON(f *testing.F) {
	for _, data := range smallJSONSeeds(f) {
		f.Add(shrinkSeed(f, data))
	}
	f.Add([]byte(`{"model":{"type":"BPE","vocab":{"a":0,"b":1,"ab":2},"merges":["a b"]},"pre_tokenizer":{"type":"ByteLevel"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tk, err := ParseJSON("tokenizer.json", data)
		if err != nil {
			checkLoadError(t, err)
			return
		}
		probe(t, "parsed", tk)
	})
}

// legacySeeds builds vocab.txt, vocab.json and merges.txt from the small tokenizers of testdata.
func legacySeeds(t testing.TB) (vocabTxt, vocabJSON, merges []byte) {
	seeds := smallJSONSeeds(t)
	var wp, bl struct {
		Model struct {
			Vocab  map[string]int  `json:"vocab"`
			Merges [][2]string     `json:"merges"`
			Raw    json.RawMessage `json:"-"`
		} `json:"model"`
	}
	if err := json.Unmarshal(seeds["wordpiece_seq.tokenizer.json"], &wp); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(seeds["bytelevel_template.tokenizer.json"], &bl); err != nil {
		t.Fatal(err)
	}
	// Keep the seeds small: the first 400 WordPiece tokens, the first 300 merges.
	toks := make([]string, len(wp.Model.Vocab))
	for tok, id := range wp.Model.Vocab {
		toks[id] = tok
	}
	vocabTxt = []byte(strings.Join(toks[:400], "\n") + "\n")
	small := map[string]int{}
	var sb strings.Builder
	sb.WriteString("#version: 0.2\n")
	for _, m := range bl.Model.Merges[:300] {
		sb.WriteString(m[0] + " " + m[1] + "\n")
		for _, tok := range []string{m[0], m[1], m[0] + m[1]} {
			small[tok] = bl.Model.Vocab[tok]
		}
	}
	for tok, id := range bl.Model.Vocab {
		if id < 256 {
			small[tok] = id
		}
	}
	vocabJSON, _ = json.Marshal(small)
	return vocabTxt, vocabJSON, []byte(sb.String())
}

func FuzzLegacyBERT(f *testing.F) {
	vocab, _, _ := legacySeeds(f)
	config, err := os.ReadFile(filepath.Join(fixtures, "bert", "tokenizer_config.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(vocab, config)
	f.Add(vocab, []byte(`{"do_lower_case": false, "never_split": ["[x]"], "tokenize_chinese_chars": false}`))
	f.Add([]byte("a\r\nb\rc\n\n"), []byte(`{"unk_token": {"content": "a"}, "added_tokens_decoder": {"5": {"content": "zz"}}}`))
	f.Fuzz(func(t *testing.T, vocab, config []byte) {
		tk, err := LoadFS(fstest.MapFS{
			"vocab.txt":             {Data: vocab},
			"tokenizer_config.json": {Data: config},
		})
		if err != nil {
			checkLoadError(t, err)
			return
		}
		probe(t, "bert", tk)
	})
}

func FuzzLegacyGPT2(f *testing.F) {
	_, vocab, merges := legacySeeds(f)
	config, err := os.ReadFile(filepath.Join(fixtures, "gpt2", "tokenizer_config.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(vocab, merges, config)
	f.Add([]byte(`{"a":0,"b":1,"ab":2}`), []byte("#v\na b\nab ab\nx\n"), []byte(`{"add_prefix_space": true, "add_bos_token": true, "bos_token": "a"}`))
	f.Fuzz(func(t *testing.T, vocab, merges, config []byte) {
		tk, err := LoadFS(fstest.MapFS{
			"vocab.json":            {Data: vocab},
			"merges.txt":            {Data: merges},
			"tokenizer_config.json": {Data: config},
		})
		if err != nil {
			checkLoadError(t, err)
			return
		}
		probe(t, "gpt2", tk)
	})
}

// sortedNames returns the names of a tokenizer set in order, for stable test output.
func sortedNames(m map[string]*Tokenizer) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
