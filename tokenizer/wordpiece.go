package tokenizer

import (
	"fmt"
	"unicode/utf8"
)

// tok is a token a model produced for a split: its id and the byte range of the split it covers.
type tok struct {
	id         int32
	start, end int32
	ref        uint64 // the token's string in the vocabulary (vocabulary.ref), 0 if none
}

// model turns one split into tokens.
type model interface {
	// tokenize appends the tokens of text; byteLevel: text is read through the byte-level
	// alphabet; whole: text is one token or the unknown token.
	tokenize(w *workspace, text []byte, byteLevel, whole bool, out []tok) ([]tok, error)
	vocabSize() int
	tokenToID(token string) (int, bool)
	idToToken(id int) (string, bool)
	tokenText(id int32) string
	vocab() *vocabulary
}

// wordPiece is the greedy longest-match-first WordPiece model of BERT.
type wordPiece struct {
	vocabulary
	unk      string
	unkID    int32 // -1 when the vocabulary lacks the unknown token
	prefix   string
	maxChars int
	maxLen   int // longest token, in bytes
	cache    wordCache
}

func newWordPiece(v vocabulary, unk, prefix string, maxChars int) *wordPiece {
	m := &wordPiece{vocabulary: v, unk: unk, unkID: -1, prefix: prefix, maxChars: maxChars}
	if id, ok := v.lookupString(unk); ok {
		m.unkID = id
	}
	m.maxLen = v.maxLen
	return m
}

func (m *wordPiece) tokenize(w *workspace, text []byte, byteLevel, whole bool, out []tok) ([]tok, error) {
	if byteLevel {
		bl := byteLevelString(w.blbuf[:0], text)
		w.blbuf = bl
		return m.tokenizeByteLevel(w, bl, out)
	}
	if whole {
		if id, ok := m.lookup(text); ok {
			return append(out, tok{id: id, end: int32(len(text)), ref: m.ref(id)}), nil
		}
		return m.unknown(len(text), out)
	}
	// Most words are in the vocabulary whole: one lookup, before the cache.
	if id, ok := m.lookup(text); ok && utf8.RuneCount(text) <= m.maxChars {
		return append(out, tok{id: id, end: int32(len(text)), ref: m.ref(id)}), nil
	}
	if len(text) < cacheMaxWord {
		if v, ok := m.cache.get(text); ok {
			return emitCached(v, out), nil
		}
		n := len(out)
		out, err := m.greedy(w, text, out)
		if err == nil {
			m.cache.put(text, out[n:])
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
				id, ok = m.lookup(text[:end])
			} else {
				buf = append(buf[:len(m.prefix)], text[start:end]...)
				id, ok = m.lookup(buf)
			}
			if ok {
				out = append(out, tok{id: id, start: int32(start), end: int32(end), ref: m.ref(id)})
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
	n := len(out)
	out, err := m.tokenize(w, bl, false, false, out)
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
	return append(out, tok{id: m.unkID, end: int32(n), ref: m.ref(m.unkID)}), nil
}
