package tokenizer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
)

// specialNames are the special tokens of transformers' tokenizers, by attribute name.
var specialNames = []string{"bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"}

// tokenizerConfig is what this package reads of tokenizer_config.json and special_tokens_map.json.
type tokenizerConfig struct {
	path           string
	class          string
	doLowerCase    *bool
	stripAccents   *bool // nil: null (follows do_lower_case)
	chineseChars   *bool
	doBasic        *bool
	neverSplit     []string
	addPrefixSpace *bool
	addBOS         bool
	cleanup        *bool
	maxLength      int
	special        map[string]AddedToken // by name; ID unset
	additional     []AddedToken
	addedDecoder   []AddedToken // added_tokens_decoder, IDs set
}

// jsonAddedToken is an AddedToken as transformers and the Rust library write it.
type jsonAddedToken struct {
	ID         *int   `json:"id"`
	Content    string `json:"content"`
	SingleWord bool   `json:"single_word"`
	LStrip     bool   `json:"lstrip"`
	RStrip     bool   `json:"rstrip"`
	Normalized *bool  `json:"normalized"`
	Special    *bool  `json:"special"`
}

// parseTokenValue reads a special token written as a string or as an AddedToken object.
func parseTokenValue(raw json.RawMessage) (AddedToken, bool, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return AddedToken{}, false, nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return AddedToken{}, false, err
		}
		return AddedToken{Content: s}, true, nil
	}
	var t jsonAddedToken
	if err := json.Unmarshal(raw, &t); err != nil {
		return AddedToken{}, false, err
	}
	return t.added(0), true, nil
}

// added returns the AddedToken t describes, with id: normalized unless t says otherwise, special
// only if t says so.
func (t jsonAddedToken) added(id int) AddedToken {
	at := AddedToken{ID: id, Content: t.Content, SingleWord: t.SingleWord, LStrip: t.LStrip, RStrip: t.RStrip, Normalized: true}
	if t.Normalized != nil {
		at.Normalized = *t.Normalized
	}
	if t.Special != nil {
		at.Special = *t.Special
	}
	return at
}

// readConfig reads tokenizer_config.json and special_tokens_map.json of dir; both are optional.
func readConfig(f folder) (*tokenizerConfig, bool, error) {
	cfg := &tokenizerConfig{special: map[string]AddedToken{}}
	found := false
	for _, name := range []string{"tokenizer_config.json", "special_tokens_map.json"} {
		if !f.exists(name) {
			continue
		}
		path := f.path(name)
		data, err := f.read(name)
		if err != nil {
			return nil, false, err
		}
		found = true
		if name == "tokenizer_config.json" {
			cfg.path = path
		} else if cfg.path == "" {
			cfg.path = path
		}
		if err := cfg.parse(path, data); err != nil {
			return nil, false, err
		}
	}
	return cfg, found, nil
}

func (c *tokenizerConfig) parse(path string, data []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return fileErr(path, "", ErrInvalid, "not a JSON object: %v", err)
	}
	for _, step := range []func(string, map[string]json.RawMessage) error{c.parseFlags, c.parseSpecial, c.parseAddedDecoder} {
		if err := step(path, m); err != nil {
			return err
		}
	}
	return nil
}

// parseFlags reads the boolean options, the class, model_max_length and never_split.
func (c *tokenizerConfig) parseFlags(path string, m map[string]json.RawMessage) error {
	boolField := func(key string, dst **bool) error {
		raw, ok := m[key]
		if !ok || string(bytes.TrimSpace(raw)) == "null" {
			return nil
		}
		var b bool
		if err := json.Unmarshal(raw, &b); err != nil {
			return fileErr(path, key, ErrInvalid, "want true, false or null, got %s", truncateJSON(raw))
		}
		*dst = &b
		return nil
	}
	var addBOS *bool
	for _, f := range []struct {
		key string
		dst **bool
	}{
		{"do_lower_case", &c.doLowerCase}, {"strip_accents", &c.stripAccents},
		{"tokenize_chinese_chars", &c.chineseChars}, {"do_basic_tokenize", &c.doBasic},
		{"add_prefix_space", &c.addPrefixSpace}, {"clean_up_tokenization_spaces", &c.cleanup},
		{"add_bos_token", &addBOS},
	} {
		if err := boolField(f.key, f.dst); err != nil {
			return err
		}
	}
	if addBOS != nil {
		c.addBOS = *addBOS
	}
	if raw, ok := m["tokenizer_class"]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &c.class); err != nil {
			return fileErr(path, "tokenizer_class", ErrInvalid, "want a string, got %s", truncateJSON(raw))
		}
	}
	if raw, ok := m["model_max_length"]; ok {
		var f float64
		if err := json.Unmarshal(raw, &f); err == nil && f > 0 && f < 1<<31 {
			c.maxLength = int(f)
		}
	}
	if raw, ok := m["never_split"]; ok && string(bytes.TrimSpace(raw)) != "null" {
		if err := json.Unmarshal(raw, &c.neverSplit); err != nil {
			return fileErr(path, "never_split", ErrInvalid, "want a list of strings, got %s", truncateJSON(raw))
		}
	}
	return nil
}

// parseSpecial reads the special tokens (cls_token, ...) and additional_special_tokens.
func (c *tokenizerConfig) parseSpecial(path string, m map[string]json.RawMessage) error {
	for _, name := range specialNames {
		raw, ok := m[name]
		if !ok {
			continue
		}
		at, ok, err := parseTokenValue(raw)
		if err != nil {
			return fileErr(path, name, ErrInvalid, "want a string or an AddedToken, got %s", truncateJSON(raw))
		}
		if ok {
			c.special[name] = at
		} else {
			delete(c.special, name)
		}
	}
	raw, ok := m["additional_special_tokens"]
	if !ok || string(bytes.TrimSpace(raw)) == "null" {
		return nil
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return fileErr(path, "additional_special_tokens", ErrInvalid, "want a list, got %s", truncateJSON(raw))
	}
	c.additional = c.additional[:0]
	for i, item := range list {
		at, ok, err := parseTokenValue(item)
		if err != nil {
			return fileErr(path, fmt.Sprintf("additional_special_tokens[%d]", i), ErrInvalid, "want a string or an AddedToken")
		}
		if ok {
			c.additional = append(c.additional, at)
		}
	}
	return nil
}

// parseAddedDecoder reads added_tokens_decoder, in id order.
func (c *tokenizerConfig) parseAddedDecoder(path string, m map[string]json.RawMessage) error {
	raw, ok := m["added_tokens_decoder"]
	if !ok {
		return nil
	}
	var dec map[string]jsonAddedToken
	if err := json.Unmarshal(raw, &dec); err != nil {
		return fileErr(path, "added_tokens_decoder", ErrInvalid, "want an object of AddedTokens: %v", err)
	}
	for _, k := range slices.Sorted(maps.Keys(dec)) {
		id, err := strconv.Atoi(k)
		if err != nil || id < 0 {
			return fileErr(path, "added_tokens_decoder."+k, ErrInvalid, "the key is not a token id")
		}
		if dec[k].Content == "" {
			return fileErr(path, "added_tokens_decoder."+k+".content", ErrInvalid, "empty token")
		}
		c.addedDecoder = append(c.addedDecoder, dec[k].added(id))
	}
	return nil
}

// specialMap returns the special token names and strings of the configuration.
func (c *tokenizerConfig) specialMap() map[string]string {
	out := map[string]string{}
	for name, at := range c.special {
		out[name] = at.Content
	}
	return out
}

// truncateJSON shortens a JSON value for an error message.
func truncateJSON(raw json.RawMessage) string {
	s := string(bytes.TrimSpace(raw))
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return s
}

func boolOr(b *bool, def bool) bool {
	if b == nil {
		return def
	}
	return *b
}
