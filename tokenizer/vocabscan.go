package tokenizer

import (
	"bytes"
	"encoding/json"
	"errors"

	"github.com/hfgo/hfgo/internal/jsonscan"
)

// A vocabulary (tens of thousands of token ids) and a merge list (as many pairs) make up nearly
// all of a tokenizer file. scanIDs, scanMerges and scanObject read them with a strict JSON
// parser, without reflection or a value per element. Given valid UTF-8 (the callers check a
// file once; encoding/json replaces what is not), they take a subset of JSON (ids that are small
// integers, no lone surrogates, little nesting), decode it as encoding/json does, and report
// false for anything else, which the callers then decode with encoding/json, errors included.

// vocabEntry is a token and its id, in the order a file lists them.
type vocabEntry struct {
	tok string
	id  int32
}

// maxTokenID is the largest id a vocabulary file may give.
const maxTokenID = 1 << 30

// errOutside stops a scan at a value outside the subset the scanners take.
var errOutside = errors.New("outside the scanned subset of JSON")

// scanIDs reads a JSON object of token ids: {"token": id, ...}.
func scanIDs(b []byte) ([]vocabEntry, bool) {
	var out []vocabEntry
	ok := scan(b, '{', jsonscan.New, func(p *jsonscan.Parser) error {
		out = make([]vocabEntry, 0, len(b)/16)
		return p.Object(func(tok string) error {
			id, err := p.Uint()
			if err != nil || id > maxTokenID {
				return errOutside
			}
			out = append(out, vocabEntry{tok, int32(id)})
			return nil
		})
	})
	return out, ok
}

// scanMerges reads a JSON array of merges, each "a b" or ["a", "b"].
func scanMerges(b []byte) ([][2]string, bool) {
	var out [][2]string
	ok := scan(b, '[', jsonscan.New, func(p *jsonscan.Parser) error {
		out = make([][2]string, 0, len(b)/12)
		return p.Array(func() error {
			pair, ok := scanMerge(p)
			if !ok {
				return errOutside
			}
			out = append(out, pair)
			return nil
		})
	})
	return out, ok
}

// scanObject reads a JSON object into its fields, undecoded (as a map of json.RawMessage): parts
// of b, under keys of their own (no copy of b).
func scanObject(b []byte) (map[string]json.RawMessage, bool) {
	out := map[string]json.RawMessage{}
	ok := scan(b, '{', jsonscan.NewOwned, func(p *jsonscan.Parser) error {
		return p.Object(func(key string) error {
			start := p.Pos()
			err := p.Skip()
			out[key] = json.RawMessage(b[start:p.Pos():p.Pos()])
			return err
		})
	})
	if !ok {
		return nil, false
	}
	return out, true
}

// scan runs read over b, which it must read whole, if b starts with the byte open (so that
// read may allocate for what b holds), with the parser newParser makes.
func scan(b []byte, open byte, newParser func([]byte) *jsonscan.Parser, read func(p *jsonscan.Parser) error) bool {
	if t := bytes.TrimLeft(b, " \t\r\n"); len(t) == 0 || t[0] != open {
		return false
	}
	p := newParser(b)
	return read(p) == nil && p.End("value") == nil
}

// scanMerge reads one merge: "a b" (two tokens and one space) or ["a", "b"] (two tokens).
func scanMerge(p *jsonscan.Parser) ([2]string, bool) {
	if p.Peek() != '[' {
		m, err := p.Str()
		if err != nil {
			return [2]string{}, false
		}
		a, b, ok := splitMerge(m)
		return [2]string{a, b}, ok
	}
	var pair [2]string
	n := 0
	err := p.Array(func() error {
		s, err := p.Str()
		if err != nil || n == 2 || s == "" {
			return errOutside
		}
		pair[n] = s
		n++
		return nil
	})
	return pair, err == nil && n == 2
}
