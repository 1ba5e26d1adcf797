package tokenizer

import (
	"fmt"
	"unicode/utf8"
)

// tok is a token a model produced for a split: its id and the byte range of the split it covers.
type tok struct {
	id         int32
	start, end int32
	// text, when set, is the token's string (an added token matched with its stripped spaces).
	text string
}

// model turns one split into tokens.
type model interface {
	tokenize(w *workspace, s *split, out []tok) ([]tok, error)
	vocabSize() int
	tokenToID(token string) (int, bool)
	idToToken(id int) (string, bool)
}

// vocabulary maps tokens to ids and back.
type vocabulary struct {
	ids    map[string]int32
	tokens []string // by id; "" for an id no token has
}

func newVocabulary(ids map[string]int32) (vocabulary, error) {
	maxID := int32(-1)
	for _, id := range ids {
		if id < 0 {
			return vocabulary{}, fmt.Errorf("negative id %d", id)
		}
		maxID = max(maxID, id)
	}
	if int(maxID) >= 4*len(ids)+1024 {
		return vocabulary{}, fmt.Errorf("id %d far beyond the %d entries of the vocabulary", maxID, len(ids))
	}
	v := vocabulary{ids: ids, tokens: make([]string, maxID+1)}
	for tok, id := range ids {
		v.tokens[id] = tok
	}
	return v, nil
}

func (v *vocabulary) vocabSize() int { return len(v.ids) }

func (v *vocabulary) tokenToID(token string) (int, bool) {
	id, ok := v.ids[token]
	return int(id), ok
}

func (v *vocabulary) idToToken(id int) (string, bool) {
	if id < 0 || id >= len(v.tokens) {
		return "", false
	}
	t := v.tokens[id]
	if t == "" {
		if got, ok := v.ids[""]; !ok || int(got) != id {
			return "", false
		}
	}
	return t, true
}

// wordPiece is the greedy longest-match-first WordPiece model of BERT.
type wordPiece struct {
	vocabulary
	unk      string
	unkID    int32 // -1 when the vocabulary lacks the unknown token
	prefix   string
	maxChars int
	maxLen   int // longest token, in bytes
	cache    *wordCache
}

func newWordPiece(v vocabulary, unk, prefix string, maxChars int) *wordPiece {
	m := &wordPiece{vocabulary: v, unk: unk, unkID: -1, prefix: prefix, maxChars: maxChars, cache: newWordCache(cacheBits)}
	if id, ok := v.ids[unk]; ok {
		m.unkID = id
	}
	for t := range v.ids {
		m.maxLen = max(m.maxLen, len(t))
	}
	return m
}

func (m *wordPiece) tokenize(w *workspace, s *split, out []tok) ([]tok, error) {
	text := s.ns.text
	if s.byteLevel {
		bl := byteLevelString(w.blbuf[:0], text)
		w.blbuf = bl
		return m.tokenizeByteLevel(w, bl, out)
	}
	if s.whole {
		if id, ok := m.ids[string(text)]; ok {
			return append(out, tok{id: id, end: int32(len(text))}), nil
		}
		return m.unknown(len(text), out)
	}
	// Most words are in the vocabulary whole: one lookup, before the cache.
	if id, ok := m.ids[string(text)]; ok && len(text) <= m.maxLen && utf8.RuneCount(text) <= m.maxChars {
		return append(out, tok{id: id, end: int32(len(text))}), nil
	}
	if len(text) < cacheMaxWord {
		if v, ok := m.cache.get(text); ok {
			return emitCached(v, out), nil
		}
		n := len(out)
		out, err := m.greedy(w, text, out)
		if err == nil {
			m.cache.put(text, cacheValue(out[n:]))
		}
		return out, err
	}
	return m.greedy(w, text, out)
}

// greedy splits a word longest match first.
func (m *wordPiece) greedy(w *workspace, text []byte, out []tok) ([]tok, error) {
	n := len(out)
	if utf8.RuneCount(text) > m.maxChars {
		return m.unknown(len(text), out)
	}
	buf := append(w.scratch[:0], m.prefix...)
	for start := 0; start < len(text); {
		end := len(text)
		if lim := start + m.maxLen; lim < end {
			end = charStart(text, lim)
		}
		found := false
		for end > start {
			var id int32
			var ok bool
			if start == 0 {
				id, ok = m.ids[string(text[:end])]
			} else {
				buf = append(buf[:len(m.prefix)], text[start:end]...)
				id, ok = m.ids[string(buf)]
			}
			if ok {
				out = append(out, tok{id: id, start: int32(start), end: int32(end)})
				found = true
				break
			}
			end = charStart(text, end-1)
		}
		if !found {
			w.scratch = buf
			return m.unknown(len(text), out[:n])
		}
		start = end
	}
	w.scratch = buf
	return out, nil
}

// tokenizeByteLevel runs WordPiece over the byte-level form of a split and maps the pieces back
// to the split's bytes (one byte per byte-level character).
func (m *wordPiece) tokenizeByteLevel(w *workspace, bl []byte, out []tok) ([]tok, error) {
	plain := split{ns: normString{text: bl, ident: true}}
	n := len(out)
	out, err := m.tokenize(w, &plain, out)
	if err != nil {
		return out, err
	}
	for i := n; i < len(out); i++ {
		out[i].start = int32(utf8.RuneCount(bl[:out[i].start]))
		out[i].end = int32(utf8.RuneCount(bl[:out[i].end]))
	}
	return out, nil
}

func (m *wordPiece) unknown(n int, out []tok) ([]tok, error) {
	if m.unkID < 0 {
		return out, fmt.Errorf("%w: WordPiece unk_token %q is not in the vocabulary", ErrInvalid, m.unk)
	}
	return append(out, tok{id: m.unkID, end: int32(n), text: m.unk}), nil
}
