package tokenizer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"strings"
	"unicode/utf8"
)

// LoadFile reads a tokenizer.json (the format of the Rust `tokenizers` library) and follows its
// semantics.
func LoadFile(path string) (*Tokenizer, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s is missing", ErrNotFound, path)
	}
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	return parseTokenizerJSON(path, data)
}

// ParseJSON reads a tokenizer.json from memory; name is used in error messages.
func ParseJSON(name string, data []byte) (*Tokenizer, error) {
	return parseTokenizerJSON(name, data)
}

// jparser decodes the components of one file, naming the file and field in errors. The file's
// large values are scanned (vocabscan.go) when it is valid UTF-8.
type jparser struct {
	path string
	utf8 bool
}

func (p jparser) errf(field, format string, args ...any) error {
	return fileErr(p.path, field, ErrInvalid, format, args...)
}

func (p jparser) unsupported(field, format string, args ...any) error {
	return fileErr(p.path, field, ErrUnsupported, format, args...)
}

func isNull(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}

// object decodes raw into an object of raw fields, and returns its "type".
func (p jparser) object(field string, raw json.RawMessage) (map[string]json.RawMessage, string, error) {
	m, ok := p.scanObject(raw)
	if !ok {
		if err := json.Unmarshal(raw, &m); err != nil || m == nil {
			return nil, "", p.errf(field, "want a JSON object, got %s", truncateJSON(raw))
		}
	}
	var typ string
	if t, ok := m["type"]; ok {
		if err := json.Unmarshal(t, &typ); err != nil {
			return nil, "", p.errf(field+".type", "want a string, got %s", truncateJSON(t))
		}
	}
	return m, typ, nil
}

// scanObject is scanObject of a part of the file.
func (p jparser) scanObject(raw []byte) (map[string]json.RawMessage, bool) {
	if !p.utf8 {
		return nil, false
	}
	return scanObject(raw)
}

// get decodes the field key of m (the object named field, "" at the top) into dst; a missing or
// null field leaves dst as it is.
func (p jparser) get(m map[string]json.RawMessage, field, key string, dst any) error {
	raw, ok := m[key]
	if !ok || isNull(raw) {
		return nil
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		if field != "" {
			key = field + "." + key
		}
		return p.errf(key, "cannot read %s: %v", truncateJSON(raw), err)
	}
	return nil
}

func parseTokenizerJSON(path string, data []byte) (*Tokenizer, error) {
	p := jparser{path, utf8.Valid(data)}
	// The fields, matched exactly as serde matches them in Rust.
	f, ok := p.scanObject(data)
	if !ok {
		if err := json.Unmarshal(data, &f); err != nil {
			return nil, p.errf("", "not a tokenizer.json: %v", err)
		}
	}
	var tokens []jsonAddedToken
	if err := p.get(f, "", "added_tokens", &tokens); err != nil {
		return nil, err
	}
	if isNull(f["model"]) {
		return nil, p.errf("model", "missing")
	}
	t := &Tokenizer{source: path, special: map[string]string{}}
	var err error
	if t.model, err = p.model(f["model"]); err != nil {
		return nil, err
	}
	t.vocab = t.model.vocab()
	if !isNull(f["normalizer"]) {
		if t.normalizer, err = p.normalizer("normalizer", f["normalizer"]); err != nil {
			return nil, err
		}
	}
	if !isNull(f["pre_tokenizer"]) {
		if t.pre, err = p.preTokenizer("pre_tokenizer", f["pre_tokenizer"]); err != nil {
			return nil, err
		}
	}
	if !isNull(f["post_processor"]) {
		if t.post, err = p.postProcessor("post_processor", f["post_processor"]); err != nil {
			return nil, err
		}
	}
	if !isNull(f["decoder"]) {
		if t.decoder, err = p.decoder("decoder", f["decoder"]); err != nil {
			return nil, err
		}
	}
	if t.truncation, err = p.truncation(f["truncation"]); err != nil {
		return nil, err
	}
	if t.padding, err = p.padding(f["padding"]); err != nil {
		return nil, err
	}
	added := make([]AddedToken, 0, len(tokens))
	for i, a := range tokens {
		field := fmt.Sprintf("added_tokens[%d]", i)
		if a.ID == nil || *a.ID < 0 {
			return nil, p.errf(field+".id", "missing or negative")
		}
		if a.Content == "" {
			return nil, p.errf(field+".content", "empty token")
		}
		added = append(added, a.added(*a.ID))
	}
	t.setAdded(added)
	t.special = guessSpecial(t)
	return t, nil
}

// setAdded indexes the added tokens with the Rust rules: normalized tokens are matched in their
// normalized form on the normalized text.
func (t *Tokenizer) setAdded(added []AddedToken) {
	var normalize func(string) string
	if t.normalizer != nil {
		n := t.normalizer
		normalize = func(s string) string {
			w := getWorkspace()
			defer putWorkspace(w)
			out := n.normalize(w, identString([]byte(s), 0))
			return string(out.text)
		}
	}
	t.added = newAddedVocab(added, func(at *AddedToken) (bool, bool) {
		return !at.Normalized, at.Normalized
	}, normalize)
}

// guessSpecial names the special tokens of a tokenizer.json read without its configuration, from
// the usual contents.
func guessSpecial(t *Tokenizer) map[string]string {
	out := map[string]string{}
	names := map[string][]string{
		"[CLS]": {"cls_token"}, "[SEP]": {"sep_token"}, "[PAD]": {"pad_token"}, "[MASK]": {"mask_token"},
		"[UNK]": {"unk_token"}, "<|endoftext|>": {"bos_token", "eos_token", "unk_token"},
		"<s>": {"bos_token", "cls_token"}, "</s>": {"eos_token", "sep_token"}, "<pad>": {"pad_token"},
		"<mask>": {"mask_token"}, "<unk>": {"unk_token"},
	}
	for _, at := range t.added.tokens {
		for _, n := range names[at.Content] {
			out[n] = at.Content
		}
	}
	switch m := t.model.(type) {
	case *wordPiece:
		out["unk_token"] = m.unk
	case *bpe:
		if m.unk != "" {
			out["unk_token"] = m.unk
		}
	}
	return out
}

// applyConfig adds what transformers takes from tokenizer_config.json to a tokenizer.json.
func (t *Tokenizer) applyConfig(cfg *tokenizerConfig) error {
	// The special tokens are those of the configuration, with the defaults of the class.
	defaults := map[string]string{}
	switch cfg.class {
	case "BertTokenizer", "BertTokenizerFast", "DistilBertTokenizer", "DistilBertTokenizerFast":
		defaults = bertSpecialDefaults
	case "GPT2Tokenizer", "GPT2TokenizerFast":
		defaults = gpt2SpecialDefaults
	}
	for name, tok := range defaults {
		if _, ok := cfg.special[name]; !ok {
			cfg.special[name] = AddedToken{Content: tok}
		}
	}
	t.special = cfg.specialMap()
	t.cleanup = boolOr(cfg.cleanup, true)
	t.maxLength = cfg.maxLength
	// transformers turns off the truncation and padding of tokenizer.json unless a call asks.
	t.truncation, t.padding = nil, nil
	switch cfg.class {
	case "BertTokenizer", "BertTokenizerFast", "DistilBertTokenizer", "DistilBertTokenizerFast":
		// BertTokenizerFast rebuilds the BertNormalizer from the configuration.
		if bn, ok := t.normalizer.(*bertNormalizer); ok {
			n := bertNormalizer{clean: bn.clean, python: bn.python}
			n.lowercase = boolOr(cfg.doLowerCase, true)
			n.stripAccents = n.lowercase
			if cfg.stripAccents != nil {
				n.stripAccents = *cfg.stripAccents
			}
			n.chinese = boolOr(cfg.chineseChars, true)
			t.normalizer = &n
			t.setAdded(t.AddedTokens())
		}
	case "GPT2Tokenizer", "GPT2TokenizerFast":
		if bl, ok := t.pre.(byteLevelPreTokenizer); ok && cfg.addPrefixSpace != nil {
			bl.addPrefixSpace = *cfg.addPrefixSpace
			t.pre = bl
		}
	}
	return nil
}

func (p jparser) model(raw json.RawMessage) (model, error) {
	m, typ, err := p.object("model", raw)
	if err != nil {
		return nil, err
	}
	if typ == "" {
		switch {
		case m["merges"] != nil:
			typ = "BPE"
		case m["max_input_chars_per_word"] != nil:
			typ = "WordPiece"
		}
	}
	switch typ {
	case "WordPiece", "BPE":
	case "":
		return nil, p.errf("model.type", "missing")
	default:
		return nil, p.unsupported("model.type", "model %s (supported: WordPiece, BPE)", typ)
	}
	vocab, err := p.vocab(m)
	if err != nil {
		return nil, err
	}
	if len(vocab) == 0 {
		return nil, p.errf("model.vocab", "missing or empty")
	}
	switch typ {
	case "WordPiece":
		unk, prefix, maxChars := "[UNK]", "##", 100
		if err := p.get(m, "model", "unk_token", &unk); err != nil {
			return nil, err
		}
		if err := p.get(m, "model", "continuing_subword_prefix", &prefix); err != nil {
			return nil, err
		}
		if err := p.get(m, "model", "max_input_chars_per_word", &maxChars); err != nil {
			return nil, err
		}
		v, err := newVocabulary(vocab)
		if err != nil {
			return nil, p.errf("model.vocab", "%v", err)
		}
		return newWordPiece(v, unk, prefix, maxChars), nil
	default:
		return p.bpeModel(m, vocab)
	}
}

// vocab decodes the model's vocabulary.
func (p jparser) vocab(m map[string]json.RawMessage) ([]vocabEntry, error) {
	if p.utf8 {
		if entries, ok := scanIDs(m["vocab"]); ok {
			return entries, nil
		}
	}
	return p.decodeVocab(m)
}

// decodeVocab is vocab with encoding/json.
func (p jparser) decodeVocab(m map[string]json.RawMessage) ([]vocabEntry, error) {
	var ids map[string]int32
	if err := p.get(m, "model", "vocab", &ids); err != nil {
		return nil, err
	}
	entries := make([]vocabEntry, 0, len(ids))
	for tok, id := range ids {
		entries = append(entries, vocabEntry{tok, id})
	}
	return entries, nil
}

// merges decodes the model's merges.
func (p jparser) merges(m map[string]json.RawMessage) ([][2]string, error) {
	if p.utf8 {
		if merges, ok := scanMerges(m["merges"]); ok {
			return merges, nil
		}
	}
	return p.decodeMerges(m)
}

// decodeMerges is merges with encoding/json.
func (p jparser) decodeMerges(m map[string]json.RawMessage) ([][2]string, error) {
	var rawMerges []json.RawMessage
	if err := p.get(m, "model", "merges", &rawMerges); err != nil {
		return nil, err
	}
	merges := make([][2]string, len(rawMerges))
	for i, rm := range rawMerges {
		field := fmt.Sprintf("model.merges[%d]", i)
		var s string
		if err := json.Unmarshal(rm, &s); err == nil {
			a, b, ok := splitMerge(s)
			if !ok {
				return nil, p.errf(field, "want two tokens separated by one space, got %q", s)
			}
			merges[i] = [2]string{a, b}
			continue
		}
		var pair []string
		if err := json.Unmarshal(rm, &pair); err != nil || len(pair) != 2 || pair[0] == "" || pair[1] == "" {
			return nil, p.errf(field, "want \"a b\" or [\"a\", \"b\"], got %s", truncateJSON(rm))
		}
		merges[i] = [2]string{pair[0], pair[1]}
	}
	return merges, nil
}

func (p jparser) bpeModel(m map[string]json.RawMessage, vocab []vocabEntry) (model, error) {
	var o bpeOptions
	var dropout *float64
	fields := []struct {
		key string
		dst any
	}{
		{"unk_token", &o.unk}, {"continuing_subword_prefix", &o.prefix}, {"end_of_word_suffix", &o.suffix},
		{"fuse_unk", &o.fuseUnk}, {"byte_fallback", &o.byteFallback}, {"ignore_merges", &o.ignoreMerges},
		{"dropout", &dropout},
	}
	for _, f := range fields {
		if err := p.get(m, "model", f.key, f.dst); err != nil {
			return nil, err
		}
	}
	if dropout != nil && *dropout != 0 {
		return nil, p.unsupported("model.dropout", "BPE dropout %v (random tokenization)", *dropout)
	}
	merges, err := p.merges(m)
	if err != nil {
		return nil, err
	}
	o.vocabField = "model.vocab"
	o.mergeField = func(i int) string { return fmt.Sprintf("model.merges[%d]", i) }
	bm, err := newBPE(p.path, vocab, merges, o)
	if err != nil {
		return nil, err
	}
	if o.unk != "" && bm.unkID < 0 {
		return nil, p.errf("model.unk_token", "%q is not in the vocabulary", o.unk)
	}
	return bm, nil
}

func splitMerge(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' {
			a, b := s[:i], s[i+1:]
			if a == "" || b == "" || strings.IndexByte(b, ' ') >= 0 {
				return "", "", false
			}
			return a, b, true
		}
	}
	return "", "", false
}

// parseList decodes the array m[key] of a Sequence, each element with parse, which gets the
// element's field name ("normalizer.normalizers[2]").
func parseList[T any](p jparser, m map[string]json.RawMessage, field, key string, parse func(string, json.RawMessage) (T, error)) ([]T, error) {
	var raws []json.RawMessage
	if err := p.get(m, field, key, &raws); err != nil {
		return nil, err
	}
	out := make([]T, len(raws))
	for i, raw := range raws {
		v, err := parse(fmt.Sprintf("%s.%s[%d]", field, key, i), raw)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// patternField reads the required pattern of a Split or Replace component.
func (p jparser) patternField(field string, m map[string]json.RawMessage) (literal string, re *regexp.Regexp, gpt2 bool, err error) {
	raw, ok := m["pattern"]
	if !ok {
		return "", nil, false, p.errf(field+".pattern", "missing")
	}
	return p.pattern(field+".pattern", raw)
}

// pattern reads a {"String": s} or {"Regex": r} pattern.
func (p jparser) pattern(field string, raw json.RawMessage) (literal string, re *regexp.Regexp, gpt2 bool, err error) {
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err != nil || len(m) != 1 {
		return "", nil, false, p.errf(field, "want {\"String\": ...} or {\"Regex\": ...}, got %s", truncateJSON(raw))
	}
	if s, ok := m["String"]; ok {
		return s, nil, false, nil
	}
	r, ok := m["Regex"]
	if !ok {
		return "", nil, false, p.errf(field, "want {\"String\": ...} or {\"Regex\": ...}, got %s", truncateJSON(raw))
	}
	if r == gpt2Pattern {
		return "", nil, true, nil
	}
	re, cerr := compileOnig(r)
	if cerr != nil {
		return "", nil, false, p.unsupported(field, "regular expression %q: %v", r, cerr)
	}
	return "", re, false, nil
}

// gpt2Pattern is the pre-tokenization pattern of GPT-2, run by gpt2Next.
const gpt2Pattern = `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`

func (p jparser) behavior(field string, m map[string]json.RawMessage, def splitBehavior) (splitBehavior, error) {
	var s string
	if err := p.get(m, field, "behavior", &s); err != nil {
		return 0, err
	}
	switch s {
	case "":
		return def, nil
	case "Removed":
		return behaviorRemoved, nil
	case "Isolated":
		return behaviorIsolated, nil
	case "MergedWithPrevious":
		return behaviorMergedWithPrevious, nil
	case "MergedWithNext":
		return behaviorMergedWithNext, nil
	case "Contiguous":
		return behaviorContiguous, nil
	}
	return 0, p.errf(field+".behavior", "unknown behavior %q", s)
}
