package tokenizer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"
)

// Load reads the tokenizer of a model folder: tokenizer.json when present (with
// tokenizer_config.json for the special token names and decoding defaults), otherwise the legacy
// files of the slow Python tokenizers: vocab.txt (BertTokenizer) or vocab.json and merges.txt
// (GPT2Tokenizer), with tokenizer_config.json and special_tokens_map.json when present.
func Load(dir string) (*Tokenizer, error) {
	return loadFolder(folder{fsys: os.DirFS(dir), dir: dir})
}

// LoadFS is Load for the files at the root of fsys (use fs.Sub for a subfolder).
func LoadFS(fsys fs.FS) (*Tokenizer, error) {
	return loadFolder(folder{fsys: fsys})
}

// folder is a model folder; dir only names it in error messages.
type folder struct {
	fsys fs.FS
	dir  string
}

func (f folder) path(name string) string {
	if f.dir == "" {
		return name
	}
	return filepath.Join(f.dir, name)
}

func (f folder) exists(name string) bool {
	st, err := fs.Stat(f.fsys, name)
	return err == nil && !st.IsDir()
}

// read returns the content of a file; a missing file is ErrNotFound.
func (f folder) read(name string) ([]byte, error) {
	data, err := fs.ReadFile(f.fsys, name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s is missing", ErrNotFound, f.path(name))
	}
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	return data, nil
}

func loadFolder(f folder) (*Tokenizer, error) {
	cfg, hasCfg, err := readConfig(f)
	if err != nil {
		return nil, err
	}
	if f.exists("tokenizer.json") {
		data, err := f.read("tokenizer.json")
		if err != nil {
			return nil, err
		}
		t, err := parseTokenizerJSON(f.path("tokenizer.json"), data)
		if err != nil {
			return nil, err
		}
		if hasCfg {
			if err := t.applyConfig(cfg); err != nil {
				return nil, err
			}
		}
		return t, nil
	}
	switch {
	case f.exists("vocab.txt"):
		if err := checkClass(cfg, "BertTokenizer", "BertTokenizerFast", "DistilBertTokenizer", "DistilBertTokenizerFast", "ElectraTokenizer", "ElectraTokenizerFast"); err != nil {
			return nil, err
		}
		return loadBERT(f, cfg)
	case f.exists("vocab.json") && f.exists("merges.txt"):
		if err := checkClass(cfg, "GPT2Tokenizer", "GPT2TokenizerFast"); err != nil {
			return nil, err
		}
		return loadGPT2(f, cfg)
	}
	where := f.dir
	if where == "" {
		where = "the file system"
	}
	return nil, fmt.Errorf("%w in %s: want tokenizer.json, vocab.txt, or vocab.json and merges.txt", ErrNotFound, where)
}

func checkClass(cfg *tokenizerConfig, classes ...string) error {
	if cfg.class == "" {
		return nil
	}
	for _, c := range classes {
		if cfg.class == c {
			return nil
		}
	}
	return fileErr(cfg.path, "tokenizer_class", ErrUnsupported, "%s without tokenizer.json (supported: %s)", cfg.class, strings.Join(classes, ", "))
}

// parseVocabTxt reads a BERT vocab.txt: one token per line, the id is the line number (Python's
// load_vocab, universal newlines).
func parseVocabTxt(path string, data []byte) ([]vocabEntry, error) {
	if !utf8.Valid(data) {
		line := 1 + bytes.Count(data[:firstInvalid(data)], []byte("\n"))
		return nil, fileErr(path, fmt.Sprintf("line %d", line), ErrInvalid, "not UTF-8")
	}
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	text = strings.TrimSuffix(text, "\n")
	if text == "" {
		return nil, fileErr(path, "", ErrInvalid, "empty vocabulary")
	}
	lines := strings.Split(text, "\n")
	entries := make([]vocabEntry, len(lines))
	for i, tok := range lines {
		entries[i] = vocabEntry{tok, int32(i)}
	}
	return entries, nil
}

func firstInvalid(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(b)
}

// legacyAdded builds the added tokens of a slow tokenizer: added_tokens_decoder, added_tokens.json,
// and every special token of the configuration (with its vocabulary id, or a new one).
func legacyAdded(f folder, cfg *tokenizerConfig, vocabID func(string) (int, bool), size int) ([]AddedToken, error) {
	var out []AddedToken
	seen := map[string]bool{}
	used := map[int]bool{}
	for _, at := range cfg.addedDecoder {
		if !seen[at.Content] && !used[at.ID] {
			out = append(out, at)
			seen[at.Content], used[at.ID] = true, true
		}
	}
	path := f.path("added_tokens.json")
	if data, err := f.read("added_tokens.json"); err == nil {
		var m map[string]int
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, fileErr(path, "", ErrInvalid, "want an object of token ids: %v", err)
		}
		for _, tok := range sortedKeys(m) {
			if m[tok] < 0 {
				return nil, fileErr(path, tok, ErrInvalid, "negative id")
			}
			if !seen[tok] {
				out = append(out, AddedToken{ID: m[tok], Content: tok, Normalized: true})
				seen[tok], used[m[tok]] = true, true
			}
		}
	}
	next := size
	for _, at := range out {
		next = max(next, at.ID+1)
	}
	var specials []AddedToken
	for _, name := range specialNames {
		if at, ok := cfg.special[name]; ok {
			specials = append(specials, at)
		}
	}
	specials = append(specials, cfg.additional...)
	for _, at := range specials {
		if at.Content == "" || seen[at.Content] {
			continue
		}
		at.Special, at.Normalized = true, false
		if id, ok := vocabID(at.Content); ok {
			at.ID = id
		} else {
			at.ID = next
			next++
		}
		out = append(out, at)
		seen[at.Content] = true
	}
	// A special token named in the configuration is special whatever added_tokens_decoder says.
	names := map[string]bool{}
	for _, at := range specials {
		names[at.Content] = true
	}
	for i := range out {
		if names[out[i].Content] {
			out[i].Special = true
		}
	}
	return out, nil
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// loadBERT builds a BertTokenizer from vocab.txt and its configuration.
func loadBERT(f folder, cfg *tokenizerConfig) (*Tokenizer, error) {
	path := f.path("vocab.txt")
	data, err := f.read("vocab.txt")
	if err != nil {
		return nil, err
	}
	entries, err := parseVocabTxt(path, data)
	if err != nil {
		return nil, err
	}
	v, err := newVocabulary(entries)
	if err != nil {
		return nil, fileErr(path, "", ErrInvalid, "%v", err)
	}
	for name, def := range bertSpecialDefaults {
		if _, ok := cfg.special[name]; !ok {
			cfg.special[name] = AddedToken{Content: def}
		}
	}
	lower := boolOr(cfg.doLowerCase, true)
	strip := lower
	if cfg.stripAccents != nil {
		strip = *cfg.stripAccents
	}
	wp := newWordPiece(v, cfg.special["unk_token"].Content, "##", 100)
	added, err := legacyAdded(f, cfg, func(s string) (int, bool) { return wp.tokenToID(s) }, v.vocabSize())
	if err != nil {
		return nil, err
	}
	// An unknown token missing from vocab.txt is an added token, as BertTokenizer makes it.
	for _, at := range added {
		if at.Content == wp.unk && wp.unkID < 0 {
			wp.unkID = int32(at.ID)
		}
	}
	t := &Tokenizer{
		model:     wp,
		vocab:     wp.vocab(),
		legacy:    true,
		cleanup:   boolOr(cfg.cleanup, true),
		special:   cfg.specialMap(),
		maxLength: cfg.maxLength,
		source:    path,
	}
	// transformers lowercases the text, special tokens (and normalized added tokens) excepted,
	// before it looks for added tokens; the added tokens are then found in the lowercased text.
	t.added = newAddedVocab(added, func(at *AddedToken) (bool, bool) {
		if !lower {
			return true, false
		}
		return at.Special || at.Normalized, true
	}, nil)
	if lower {
		t.normalizer = lowercaseNormalizer{}
	}
	never := map[string]bool{}
	for _, s := range cfg.neverSplit {
		never[s] = true
	}
	if boolOr(cfg.doBasic, true) {
		t.pieceNormalizer = &bertNormalizer{clean: true, chinese: boolOr(cfg.chineseChars, true), stripAccents: strip, lowercase: lower, python: true}
		t.pre = &bertPreTokenizer{neverSplit: never}
	} else {
		t.pre = whitespaceSplitPreTokenizer{}
	}
	cls, sep := cfg.special["cls_token"].Content, cfg.special["sep_token"].Content
	clsID, ok1 := t.TokenToID(cls)
	sepID, ok2 := t.TokenToID(sep)
	if !ok1 || !ok2 {
		return nil, fileErr(path, "", ErrInvalid, "the vocabulary lacks %q or %q", cls, sep)
	}
	t.post = bertTemplate(cls, clsID, sep, sepID, true)
	return t, nil
}

// The special tokens of BertTokenizer and GPT2Tokenizer when their configuration does not name
// them.
var (
	bertSpecialDefaults = map[string]string{"unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]", "cls_token": "[CLS]", "mask_token": "[MASK]"}
	gpt2SpecialDefaults = map[string]string{"unk_token": "<|endoftext|>", "bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>"}
)

// bertTemplate is [CLS] $A [SEP] and [CLS] $A [SEP] $B:1 [SEP]:1.
func bertTemplate(cls string, clsID int, sep string, sepID int, python bool) *templateProcessor {
	return &templateProcessor{
		single: []templatePiece{{seq: -1, token: cls}, {seq: 0}, {seq: -1, token: sep}},
		pair:   []templatePiece{{seq: -1, token: cls}, {seq: 0}, {seq: -1, token: sep}, {seq: 1, typeID: 1}, {seq: -1, token: sep, typeID: 1}},
		special: map[string]specialTokenIDs{
			cls: {ids: []int{clsID}, tokens: []string{cls}},
			sep: {ids: []int{sepID}, tokens: []string{sep}},
		},
		zeroTypesPlain: python,
	}
}

// loadGPT2 builds a GPT2Tokenizer from vocab.json, merges.txt and its configuration.
func loadGPT2(f folder, cfg *tokenizerConfig) (*Tokenizer, error) {
	vpath := f.path("vocab.json")
	vdata, err := f.read("vocab.json")
	if err != nil {
		return nil, err
	}
	mpath := f.path("merges.txt")
	mdata, err := f.read("merges.txt")
	if err != nil {
		return nil, err
	}
	entries, err := parseVocabJSON(vpath, vdata)
	if err != nil {
		return nil, err
	}
	merges, err := parseMergesTxt(mpath, mdata)
	if err != nil {
		return nil, err
	}
	for name, def := range gpt2SpecialDefaults {
		if _, ok := cfg.special[name]; !ok {
			cfg.special[name] = AddedToken{Content: def}
		}
	}
	m, err := newBPE(vpath, entries, merges, bpeOptions{
		unk: cfg.special["unk_token"].Content, legacy: true,
		mergeField: func(i int) string { return fmt.Sprintf("merges.txt line %d", i+2) },
	})
	if err != nil {
		return nil, err
	}
	added, err := legacyAdded(f, cfg, m.tokenToID, m.vocabSize())
	if err != nil {
		return nil, err
	}
	t := &Tokenizer{
		model:       m,
		vocab:       m.vocab(),
		legacy:      true,
		prefixSpace: boolOr(cfg.addPrefixSpace, false),
		cleanup:     boolOr(cfg.cleanup, true),
		special:     cfg.specialMap(),
		maxLength:   cfg.maxLength,
		source:      vpath,
		pre:         byteLevelPreTokenizer{useRegex: true},
	}
	t.added = newAddedVocab(added, func(*AddedToken) (bool, bool) { return true, false }, nil)
	if cfg.addBOS {
		bos := cfg.special["bos_token"].Content
		bosID, ok := t.TokenToID(bos)
		if !ok {
			return nil, fileErr(vpath, "", ErrInvalid, "the vocabulary lacks the bos_token %q", bos)
		}
		st := map[string]specialTokenIDs{bos: {ids: []int{bosID}, tokens: []string{bos}}}
		t.post = &templateProcessor{
			single:         []templatePiece{{seq: -1, token: bos}, {seq: 0}},
			pair:           []templatePiece{{seq: -1, token: bos}, {seq: 0}, {seq: -1, token: bos, typeID: 1}, {seq: 1, typeID: 1}},
			special:        st,
			zeroTypesPlain: true,
		}
	}
	return t, nil
}

// parseVocabJSON reads a vocab.json: an object of token ids.
func parseVocabJSON(path string, data []byte) ([]vocabEntry, error) {
	var entries []vocabEntry
	ok := utf8.Valid(data)
	if ok {
		entries, ok = scanIDs(data)
	}
	if !ok {
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(data, &raw); err != nil {
			return nil, fileErr(path, "", ErrInvalid, "want a JSON object of token ids: %v", err)
		}
		entries = make([]vocabEntry, 0, len(raw))
		for tok, v := range raw {
			var id int64
			if err := json.Unmarshal(v, &id); err != nil || id < 0 || id > maxTokenID {
				return nil, fileErr(path, fmt.Sprintf("%q", tok), ErrInvalid, "want a token id, got %s", truncateJSON(v))
			}
			entries = append(entries, vocabEntry{tok, int32(id)})
		}
	}
	if len(entries) == 0 {
		return nil, fileErr(path, "", ErrInvalid, "empty vocabulary")
	}
	return entries, nil
}

// parseMergesTxt reads a merges.txt as GPT2Tokenizer does: the first line (#version) and the last
// (empty after the final newline) are dropped; a line that is not two tokens is never matched.
func parseMergesTxt(path string, data []byte) ([][2]string, error) {
	if !utf8.Valid(data) {
		line := 1 + bytes.Count(data[:firstInvalid(data)], []byte("\n"))
		return nil, fileErr(path, fmt.Sprintf("line %d", line), ErrInvalid, "not UTF-8")
	}
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	lines := strings.Split(text, "\n")
	if len(lines) < 2 {
		return nil, nil
	}
	lines = lines[1 : len(lines)-1]
	out := make([][2]string, len(lines))
	for i, l := range lines {
		n := 0
		for f := range strings.FieldsSeq(l) {
			if n < 2 {
				out[i][n] = f
			}
			n++
		}
		if n != 2 {
			out[i] = [2]string{}
		}
	}
	return out, nil
}
