package tokenizer

import (
	"strings"
)

// decoder turns token strings back into text (the Rust decoders' decode_chain, joined).
type decoder interface {
	decodeChain(tokens []string) []string
}

// wordPieceDecoder glues "##" continuations and, with cleanup, applies the clean-up rules token
// by token, as the Rust WordPiece decoder does.
type wordPieceDecoder struct {
	prefix  string
	cleanup bool
}

func (d wordPieceDecoder) decodeChain(tokens []string) []string {
	out := make([]string, len(tokens))
	for i, tk := range tokens {
		if i != 0 {
			if strings.HasPrefix(tk, d.prefix) {
				tk = strings.Replace(tk, d.prefix, "", 1)
			} else {
				tk = " " + tk
			}
		}
		if d.cleanup {
			tk = cleanupRust(tk)
		}
		out[i] = tk
	}
	return out
}

// byteLevelDecoder maps byte-level characters back to bytes, the whole text at once, and
// replaces invalid UTF-8 with U+FFFD.
type byteLevelDecoder struct{}

func (byteLevelDecoder) decodeChain(tokens []string) []string {
	var raw []byte
	for _, tk := range tokens {
		raw = decodeByteLevel(raw, tk)
	}
	return []string{string(appendLossy(nil, raw))}
}

// bpeDecoder is the BPEDecoder: the end-of-word suffix becomes a space.
type bpeDecoder struct{ suffix string }

func (d bpeDecoder) decodeChain(tokens []string) []string {
	out := make([]string, len(tokens))
	for i, tk := range tokens {
		repl := " "
		if i == len(tokens)-1 {
			repl = ""
		}
		out[i] = strings.ReplaceAll(tk, d.suffix, repl)
	}
	return out
}

// fuseDecoder joins all tokens into one.
type fuseDecoder struct{}

func (fuseDecoder) decodeChain(tokens []string) []string {
	return []string{strings.Join(tokens, "")}
}

// stripDecoder removes a character a number of times from the start and end of every token.
type stripDecoder struct {
	content     string
	start, stop int
}

func (d stripDecoder) decodeChain(tokens []string) []string {
	out := make([]string, len(tokens))
	for i, tk := range tokens {
		for k := 0; k < d.start && strings.HasPrefix(tk, d.content); k++ {
			tk = tk[len(d.content):]
		}
		for k := 0; k < d.stop && strings.HasSuffix(tk, d.content); k++ {
			tk = tk[:len(tk)-len(d.content)]
		}
		out[i] = tk
	}
	return out
}

// replaceDecoder replaces a string in every token.
type replaceDecoder struct{ pattern, content string }

func (d replaceDecoder) decodeChain(tokens []string) []string {
	out := make([]string, len(tokens))
	for i, tk := range tokens {
		out[i] = strings.ReplaceAll(tk, d.pattern, d.content)
	}
	return out
}

// byteFallbackDecoder turns runs of <0xXX> tokens into the text their bytes spell.
type byteFallbackDecoder struct{}

func (byteFallbackDecoder) decodeChain(tokens []string) []string {
	var out []string
	var pending []byte
	flush := func() {
		if len(pending) > 0 {
			out = append(out, string(appendLossy(nil, pending)))
			pending = pending[:0]
		}
	}
	for _, tk := range tokens {
		if b, ok := parseByteToken(tk); ok {
			pending = append(pending, b)
			continue
		}
		flush()
		out = append(out, tk)
	}
	flush()
	return out
}

func parseByteToken(tk string) (byte, bool) {
	if len(tk) != 6 || !strings.HasPrefix(tk, "<0x") || tk[5] != '>' {
		return 0, false
	}
	v := 0
	for _, c := range tk[3:5] {
		switch {
		case c >= '0' && c <= '9':
			v = v*16 + int(c-'0')
		case c >= 'A' && c <= 'F':
			v = v*16 + int(c-'A'+10)
		default:
			return 0, false
		}
	}
	return byte(v), true
}

// sequenceDecoder chains decoders.
type sequenceDecoder []decoder

func (s sequenceDecoder) decodeChain(tokens []string) []string {
	for _, d := range s {
		tokens = d.decodeChain(tokens)
	}
	return tokens
}

// cleanupRust is the clean-up of the Rust WordPiece decoder.
func cleanupRust(s string) string {
	return rustCleanup.Replace(s)
}

// cleanupPython is transformers' clean_up_tokenization.
func cleanupPython(s string) string {
	for _, r := range pythonCleanupRules {
		s = strings.ReplaceAll(s, r[0], r[1])
	}
	return s
}

var pythonCleanupRules = [][2]string{
	{" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"},
	{" n't", "n't"}, {" 'm", "'m"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"},
}

// rustCleanup applies the Rust rules in sequence (the same as Python's, plus " do not").
var rustCleanup = sequentialReplacer{rules: [][2]string{
	{" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"},
	{" n't", "n't"}, {" 'm", "'m"}, {" do not", " don't"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"},
}}

type sequentialReplacer struct{ rules [][2]string }

// Replace applies the rules one after the other, each on the whole string.
func (r sequentialReplacer) Replace(s string) string {
	for _, rule := range r.rules {
		if strings.Contains(s, rule[0]) {
			s = strings.ReplaceAll(s, rule[0], rule[1])
		}
	}
	return s
}

// Cleanup says whether decoding cleans up tokenization spaces (" ." -> ".", " 's" -> "'s"...).
type Cleanup int

const (
	// CleanupDefault follows clean_up_tokenization_spaces of the tokenizer's configuration.
	CleanupDefault Cleanup = iota
	// CleanupOn always cleans up.
	CleanupOn
	// CleanupOff never cleans up.
	CleanupOff
)

// DecodeOptions configures DecodeWith.
type DecodeOptions struct {
	// SkipSpecialTokens leaves out special tokens ([CLS], [PAD], <|endoftext|>...).
	SkipSpecialTokens bool
	// Cleanup controls transformers' clean_up_tokenization.
	Cleanup Cleanup
}

// Decode turns ids back into text as transformers' tokenizer.decode does, with the clean-up of
// tokenization spaces the tokenizer's configuration asks for. Ids outside the vocabulary are
// left out (a legacy BERT tokenizer decodes them as its unknown token, as BertTokenizer does).
func (t *Tokenizer) Decode(ids []int, skipSpecialTokens bool) string {
	return t.DecodeWith(ids, DecodeOptions{SkipSpecialTokens: skipSpecialTokens})
}

// DecodeWith is Decode with options.
func (t *Tokenizer) DecodeWith(ids []int, o DecodeOptions) string {
	tokens := make([]string, 0, len(ids))
	var legacyAdded []bool
	for _, id := range ids {
		tk, ok := t.IDToToken(id)
		if !ok {
			if _, wp := t.model.(*wordPiece); !t.legacy || !wp {
				continue
			}
			if tk, ok = t.special["unk_token"]; !ok {
				continue
			}
		}
		at, isAdded := t.added.byID[id]
		if !isAdded {
			at = t.added.byContent[tk]
		}
		if o.SkipSpecialTokens && t.isSpecial(tk, at) {
			continue
		}
		tokens = append(tokens, tk)
		if t.legacy {
			legacyAdded = append(legacyAdded, at != nil && !t.isSpecial(tk, at))
		}
	}
	var text string
	if t.legacy {
		text = t.legacyDecode(tokens, legacyAdded)
	} else if t.decoder != nil {
		text = strings.Join(t.decoder.decodeChain(tokens), "")
	} else {
		text = strings.Join(tokens, " ")
	}
	if o.Cleanup == CleanupOn || (o.Cleanup == CleanupDefault && t.cleanup) {
		text = cleanupPython(text)
	}
	return text
}

// isSpecial reports whether a token is special: a special added token, or one of the special
// tokens of the configuration (all_special_tokens).
func (t *Tokenizer) isSpecial(tk string, at *AddedToken) bool {
	if at != nil && at.Special {
		return true
	}
	if t.legacy {
		for _, s := range t.special {
			if s == tk {
				return true
			}
		}
	}
	return false
}

// legacyDecode is the _decode of transformers' slow tokenizers: runs of ordinary tokens go through
// convert_tokens_to_string, non-special added tokens stay as they are, and the parts are joined
// with spaces.
func (t *Tokenizer) legacyDecode(tokens []string, added []bool) string {
	var parts []string
	start := 0
	flush := func(end int) {
		if end > start {
			if s := t.tokensToString(tokens[start:end]); s != "" {
				parts = append(parts, s)
			}
		}
	}
	for i := range tokens {
		if added[i] {
			flush(i)
			parts = append(parts, tokens[i])
			start = i + 1
		}
	}
	if start < len(tokens) {
		parts = append(parts, t.tokensToString(tokens[start:]))
	}
	return strings.Join(parts, " ")
}

// tokensToString is convert_tokens_to_string of BertTokenizer or GPT2Tokenizer.
func (t *Tokenizer) tokensToString(tokens []string) string {
	if _, ok := t.model.(*bpe); ok {
		var raw []byte
		for _, tk := range tokens {
			raw = decodeByteLevel(raw, tk)
		}
		return string(appendLossy(nil, raw))
	}
	s := strings.Join(tokens, " ")
	s = strings.ReplaceAll(s, " ##", "")
	return strings.TrimSpace(s)
}
