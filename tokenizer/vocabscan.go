package tokenizer

import (
	"encoding/json"
	"unicode/utf8"
)

// A vocabulary (tens of thousands of token ids) and a merge list (as many pairs) make up nearly
// all of a tokenizer file. scanIDs and scanMerges read them directly, without reflection or a
// value per element; they take a subset of JSON, decode it as encoding/json does, and report
// false for anything outside it (a number that is not a small id, an escape the Go decoder
// rejects, any other shape), which the callers then decode with encoding/json, errors included.

// vocabEntry is a token and its id, in the order a file lists them.
type vocabEntry struct {
	tok string
	id  int32
}

// maxTokenID is the largest id a vocabulary file may give.
const maxTokenID = 1 << 30

// scanIDs reads a JSON object of token ids: {"token": id, ...}.
func scanIDs(b []byte) ([]vocabEntry, bool) {
	s := jscan{b: string(b)}
	if !s.eat('{') {
		return nil, false
	}
	out := make([]vocabEntry, 0, len(b)/16)
	if s.eat('}') {
		return out, s.end()
	}
	for {
		tok, ok := s.str()
		if !ok || !s.eat(':') {
			return nil, false
		}
		id, ok := s.id()
		if !ok {
			return nil, false
		}
		out = append(out, vocabEntry{tok, id})
		if !s.eat(',') {
			return out, s.eat('}') && s.end()
		}
	}
}

// scanMerges reads a JSON array of merges, each "a b" or ["a", "b"].
func scanMerges(b []byte) ([][2]string, bool) {
	s := jscan{b: string(b)}
	if !s.eat('[') {
		return nil, false
	}
	out := make([][2]string, 0, len(b)/12)
	if s.eat(']') {
		return out, s.end()
	}
	for {
		pair, ok := s.merge()
		if !ok {
			return nil, false
		}
		out = append(out, pair)
		if !s.eat(',') {
			return out, s.eat(']') && s.end()
		}
	}
}

// jscan is a cursor over JSON text. The text is one string, so that the tokens read from it
// are substrings, not a copy each.
type jscan struct {
	b string
	i int
}

func (s *jscan) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// eat skips white space, then c if it is next, and reports whether it was.
func (s *jscan) eat(c byte) bool {
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// end reports whether only white space is left.
func (s *jscan) end() bool {
	s.ws()
	return s.i == len(s.b)
}

// str reads a string.
func (s *jscan) str() (string, bool) {
	if !s.eat('"') {
		return "", false
	}
	start, plain := s.i-1, true
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			lit := s.b[start+1 : s.i-1]
			if plain && utf8.ValidString(lit) {
				return lit, true
			}
			// Escapes, or bytes that are not UTF-8 (which encoding/json replaces).
			var out string
			if json.Unmarshal([]byte(s.b[start:s.i]), &out) != nil {
				return "", false
			}
			return out, true
		case c == '\\':
			plain = false
			s.i += 2
		case c < 0x20:
			return "", false
		default:
			s.i++
		}
	}
	return "", false
}

// id reads a token id: digits without a leading zero, at most maxTokenID.
func (s *jscan) id() (int32, bool) {
	s.ws()
	start, v := s.i, 0
	for ; s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9'; s.i++ {
		if v = v*10 + int(s.b[s.i]-'0'); v > maxTokenID {
			return 0, false
		}
	}
	n := s.i - start
	return int32(v), n == 1 || (n > 1 && s.b[start] != '0')
}

// merge reads one merge: "a b" (two tokens and one space) or ["a", "b"] (two tokens).
func (s *jscan) merge() ([2]string, bool) {
	if s.eat('[') {
		a, ok := s.str()
		if !ok || !s.eat(',') {
			return [2]string{}, false
		}
		b, ok := s.str()
		return [2]string{a, b}, ok && s.eat(']') && a != "" && b != ""
	}
	m, ok := s.str()
	if !ok {
		return [2]string{}, false
	}
	a, b, ok := splitMerge(m)
	return [2]string{a, b}, ok
}

// scanObject reads a JSON object into its fields, undecoded (as a map of json.RawMessage).
func scanObject(b []byte) (map[string]json.RawMessage, bool) {
	s := jscan{b: string(b)}
	if !s.eat('{') {
		return nil, false
	}
	out := map[string]json.RawMessage{}
	if s.eat('}') {
		return out, s.end()
	}
	for {
		key, ok := s.str()
		if !ok || !s.eat(':') {
			return nil, false
		}
		s.ws()
		start := s.i
		if !s.skip(0) {
			return nil, false
		}
		out[key] = json.RawMessage(b[start:s.i:s.i])
		if !s.eat(',') {
			return out, s.eat('}') && s.end()
		}
	}
}

// maxDepth bounds the nesting skip follows.
const maxDepth = 256

// skip passes over one value, of depth levels of nesting at most maxDepth.
func (s *jscan) skip(depth int) bool {
	s.ws()
	if s.i >= len(s.b) || depth > maxDepth {
		return false
	}
	switch c := s.b[s.i]; {
	case c == '"':
		return s.skipString()
	case c == '{' || c == '[':
		return s.skipList(c, depth)
	case c == 't':
		return s.word("true")
	case c == 'f':
		return s.word("false")
	case c == 'n':
		return s.word("null")
	default:
		return s.number()
	}
}

// skipList passes over an object or an array, whose first byte is open.
func (s *jscan) skipList(open byte, depth int) bool {
	s.i++
	end := byte(']')
	if open == '{' {
		end = '}'
	}
	if s.eat(end) {
		return true
	}
	for {
		if open == '{' && (!s.skipString() || !s.eat(':')) {
			return false
		}
		if !s.skip(depth + 1) {
			return false
		}
		if !s.eat(',') {
			return s.eat(end)
		}
	}
}

// skipString passes over a string, checking its escapes.
func (s *jscan) skipString() bool {
	if !s.eat('"') {
		return false
	}
	for s.i < len(s.b) {
		c := s.b[s.i]
		s.i++
		switch {
		case c == '"':
			return true
		case c < 0x20:
			return false
		case c == '\\':
			if !s.escape() {
				return false
			}
		}
	}
	return false
}

// escape passes over the rest of an escape sequence, after its backslash.
func (s *jscan) escape() bool {
	if s.i >= len(s.b) {
		return false
	}
	c := s.b[s.i]
	s.i++
	switch c {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return true
	case 'u':
		for range 4 {
			if s.i >= len(s.b) || !isHex(s.b[s.i]) {
				return false
			}
			s.i++
		}
		return true
	}
	return false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// word passes over the literal w.
func (s *jscan) word(w string) bool {
	if len(s.b)-s.i < len(w) || s.b[s.i:s.i+len(w)] != w {
		return false
	}
	s.i += len(w)
	return true
}

// number passes over a number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *jscan) number() bool {
	if s.i < len(s.b) && s.b[s.i] == '-' {
		s.i++
	}
	switch {
	case s.i < len(s.b) && s.b[s.i] == '0':
		s.i++
	case !s.digits():
		return false
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if !s.digits() {
			return false
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		return s.digits()
	}
	return true
}

// digits passes over one or more digits.
func (s *jscan) digits() bool {
	start := s.i
	for s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9' {
		s.i++
	}
	return s.i > start
}
