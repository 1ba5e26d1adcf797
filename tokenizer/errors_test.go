package tokenizer

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func TestBadFiles(t *testing.T) {
	t.Parallel()
	bertConfig, err := os.ReadFile(filepath.Join(fixtures, "bert", "tokenizer_config.json"))
	if err != nil {
		t.Fatal(err)
	}
	vocab := "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\n"
	gpt2Vocab := `{"a": 0, "b": 1, "ab": 2}`
	for _, tc := range []struct {
		name  string
		files fstest.MapFS
		kind  error
		want  []string // the message names these (file, field...)
	}{
		{"empty folder", fstest.MapFS{}, ErrNotFound, []string{"want tokenizer.json"}},
		{"vocab.json without merges", fstest.MapFS{"vocab.json": {Data: []byte(gpt2Vocab)}}, ErrNotFound, []string{"tokenizer.json"}},
		{"vocab.txt not UTF-8", fstest.MapFS{"vocab.txt": {Data: []byte("a\nb\n\xff\n")}}, ErrInvalid, []string{"vocab.txt", "line 3", "UTF-8"}},
		{"vocab.txt empty", fstest.MapFS{"vocab.txt": {Data: nil}}, ErrInvalid, []string{"vocab.txt", "empty"}},
		{"never_split of a wrong type", fstest.MapFS{"vocab.txt": {Data: []byte(vocab)}, "tokenizer_config.json": {Data: []byte(`{"never_split": "[X]"}`)}}, ErrInvalid, []string{"tokenizer_config.json", "never_split"}},
		{"config not JSON", fstest.MapFS{"vocab.txt": {Data: []byte(vocab)}, "tokenizer_config.json": {Data: []byte("{")}}, ErrInvalid, []string{"tokenizer_config.json"}},
		{"config field of a wrong type", fstest.MapFS{"vocab.txt": {Data: []byte(vocab)}, "tokenizer_config.json": {Data: []byte(`{"do_lower_case": "yes"}`)}}, ErrInvalid, []string{"tokenizer_config.json", "do_lower_case"}},
		{"bad special token", fstest.MapFS{"vocab.txt": {Data: []byte(vocab)}, "special_tokens_map.json": {Data: []byte(`{"cls_token": 3}`)}}, ErrInvalid, []string{"special_tokens_map.json", "cls_token"}},
		{"bad added_tokens_decoder", fstest.MapFS{"vocab.txt": {Data: []byte(vocab)}, "tokenizer_config.json": {Data: []byte(`{"added_tokens_decoder": {"x": {"content": "a"}}}`)}}, ErrInvalid, []string{"added_tokens_decoder.x"}},
		{"unsupported class", fstest.MapFS{"vocab.txt": {Data: []byte(vocab)}, "tokenizer_config.json": {Data: []byte(`{"tokenizer_class": "T5Tokenizer"}`)}}, ErrUnsupported, []string{"tokenizer_config.json", "tokenizer_class", "T5Tokenizer"}},
		{"vocab.json not an object", fstest.MapFS{"vocab.json": {Data: []byte(`[1]`)}, "merges.txt": {Data: []byte("#v\n")}}, ErrInvalid, []string{"vocab.json"}},
		{"vocab.json bad id", fstest.MapFS{"vocab.json": {Data: []byte(`{"a": -1}`)}, "merges.txt": {Data: []byte("#v\n")}}, ErrInvalid, []string{"vocab.json", `"a"`}},
		{"merges.txt not UTF-8", fstest.MapFS{"vocab.json": {Data: []byte(gpt2Vocab)}, "merges.txt": {Data: []byte("#v\na b\n\xfe b\n")}}, ErrInvalid, []string{"merges.txt", "line 3"}},
		{"bert config with bad added tokens", fstest.MapFS{"vocab.txt": {Data: []byte("x\n")}, "tokenizer_config.json": {Data: bertConfig}, "added_tokens.json": {Data: []byte(`{"y": -3}`)}}, ErrInvalid, []string{"added_tokens.json", "y"}},
		{"vocab.json with ids far beyond its size", fstest.MapFS{"vocab.json": {Data: []byte(`{"a": 0, "b": 99999999}`)}, "merges.txt": {Data: []byte("#v\n")}}, ErrInvalid, []string{"vocab.json"}},
		{"tokenizer.json not JSON", fstest.MapFS{"tokenizer.json": {Data: []byte("nope")}}, ErrInvalid, []string{"tokenizer.json"}},
	} {
		_, err := LoadFS(tc.files)
		checkError(t, tc.name, err, tc.kind, tc.want)
	}
}

func checkError(t *testing.T, name string, err error, kind error, want []string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error", name)
		return
	}
	if !errors.Is(err, kind) {
		t.Errorf("%s: error %q is not %v", name, err, kind)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%s: error %q does not say %q", name, err, w)
		}
	}
}

func TestBadTokenizerJSON(t *testing.T) {
	t.Parallel()
	const wp = `"model": {"type": "WordPiece", "unk_token": "[UNK]", "vocab": {"[UNK]": 0, "a": 1}}`
	const bpeModel = `"model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b"]}`
	for _, tc := range []struct {
		name, json string
		kind       error
		want       []string
	}{
		{"no model", `{}`, ErrInvalid, []string{"model", "missing"}},
		{"model of an unknown type", `{"model": {"type": "Unigram", "vocab": [["a", 0]]}}`, ErrUnsupported, []string{"model.type", "Unigram"}},
		{"empty vocabulary", `{"model": {"type": "WordPiece", "vocab": {}}}`, ErrInvalid, []string{"model.vocab"}},
		{"vocabulary of a wrong type", `{"model": {"type": "WordPiece", "vocab": [1]}}`, ErrInvalid, []string{"model.vocab"}},
		{"merge of an unknown token", `{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": ["a b"]}}`, ErrInvalid, []string{"model.merges[0]", `"b"`}},
		{"malformed merge", `{"model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b", "ab"]}}`, ErrInvalid, []string{"model.merges[1]"}},
		{"BPE dropout", `{"model": {"type": "BPE", "dropout": 0.1, "vocab": {"a": 0}, "merges": []}}`, ErrUnsupported, []string{"model.dropout"}},
		{"unknown BPE unk_token", `{"model": {"type": "BPE", "unk_token": "<unk>", "vocab": {"a": 0}, "merges": []}}`, ErrInvalid, []string{"model.unk_token"}},
		{"unsupported normalizer", `{"normalizer": {"type": "Precompiled"}, ` + wp + `}`, ErrUnsupported, []string{"normalizer.type", "Precompiled"}},
		{"normalizer in a sequence", `{"normalizer": {"type": "Sequence", "normalizers": [{"type": "NFC"}, {"type": "Nmt"}]}, ` + wp + `}`, ErrUnsupported, []string{"normalizer.normalizers[1].type", "Nmt"}},
		{"normalizer without type", `{"normalizer": {"lowercase": true}, ` + wp + `}`, ErrInvalid, []string{"normalizer.type"}},
		{"unsupported pre-tokenizer", `{"pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "WhitespaceSplit"}, {"type": "Metaspace"}]}, ` + wp + `}`, ErrUnsupported, []string{"pre_tokenizer.pretokenizers[1].type", "Metaspace"}},
		{"lookahead regex", `{"pre_tokenizer": {"type": "Split", "pattern": {"Regex": "a(?=b)"}, "behavior": "Isolated"}, ` + wp + `}`, ErrUnsupported, []string{"pre_tokenizer.pattern", "a(?=b)"}},
		{"Unicode \\w", `{"pre_tokenizer": {"type": "Split", "pattern": {"Regex": "\\w+"}, "behavior": "Isolated"}, ` + wp + `}`, ErrUnsupported, []string{"pre_tokenizer.pattern", `\\w`}},
		{"Unicode \\b", `{"normalizer": {"type": "Replace", "pattern": {"Regex": "\\ba"}, "content": ""}, ` + wp + `}`, ErrUnsupported, []string{"normalizer.pattern", `\\b`}},
		{"POSIX class", `{"pre_tokenizer": {"type": "Split", "pattern": {"Regex": "[[:alpha:]]"}, "behavior": "Isolated"}, ` + wp + `}`, ErrUnsupported, []string{"pre_tokenizer.pattern", "POSIX"}},
		{"class intersection", `{"pre_tokenizer": {"type": "Split", "pattern": {"Regex": "[a-z&&[^aeiou]]"}, "behavior": "Isolated"}, ` + wp + `}`, ErrUnsupported, []string{"pre_tokenizer.pattern"}},
		{"bad split behavior", `{"pre_tokenizer": {"type": "Split", "pattern": {"String": "a"}, "behavior": "Sideways"}, ` + wp + `}`, ErrInvalid, []string{"pre_tokenizer.behavior", "Sideways"}},
		{"ByteLevel first in a sequence", `{"pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "ByteLevel"}, {"type": "Digits"}]}, ` + bpeModel + `}`, ErrUnsupported, []string{"pre_tokenizer.pretokenizers[0]", "ByteLevel"}},
		{"unsupported post-processor", `{"post_processor": {"type": "Fancy"}, ` + wp + `}`, ErrUnsupported, []string{"post_processor.type", "Fancy"}},
		{"template with an unknown token", `{"post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "[X]", "type_id": 0}}], "special_tokens": {}}, ` + wp + `}`, ErrInvalid, []string{"post_processor.single[0].SpecialToken.id", "[X]"}},
		{"bad BertProcessing", `{"post_processor": {"type": "BertProcessing", "sep": ["[SEP]"], "cls": ["[CLS]", 1]}, ` + wp + `}`, ErrInvalid, []string{"post_processor.sep"}},
		{"unsupported decoder", `{"decoder": {"type": "CTC"}, ` + wp + `}`, ErrUnsupported, []string{"decoder.type", "CTC"}},
		{"added token without id", `{"added_tokens": [{"content": "x"}], ` + wp + `}`, ErrInvalid, []string{"added_tokens[0].id"}},
		{"truncation with a stride", `{"truncation": {"max_length": 8, "stride": 2}, ` + wp + `}`, ErrUnsupported, []string{"truncation.stride"}},
		{"bad truncation strategy", `{"truncation": {"max_length": 8, "strategy": "Random"}, ` + wp + `}`, ErrInvalid, []string{"truncation.strategy"}},
		{"bad padding strategy", `{"padding": {"strategy": "Huge"}, ` + wp + `}`, ErrInvalid, []string{"padding.strategy"}},
		{"padding too long", `{"padding": {"strategy": {"Fixed": 1000000000}}, ` + wp + `}`, ErrInvalid, []string{"padding.strategy"}},
	} {
		_, err := ParseJSON("dir/tokenizer.json", []byte(tc.json))
		checkError(t, tc.name, err, tc.kind, append([]string{"dir/tokenizer.json"}, tc.want...))
		var fe *FileError
		if err != nil && !errors.As(err, &fe) {
			t.Errorf("%s: %v is not a *FileError", tc.name, err)
		}
	}
}

func TestMissingFile(t *testing.T) {
	t.Parallel()
	_, err := LoadFile(filepath.Join(t.TempDir(), "tokenizer.json"))
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("LoadFile of a missing file: %v, want ErrNotFound", err)
	}
	_, err = Load(t.TempDir())
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("Load of an empty folder: %v, want ErrNotFound", err)
	}
}
