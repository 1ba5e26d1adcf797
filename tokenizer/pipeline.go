package tokenizer

import (
	"fmt"
	"math"
)

// segment is a range of the input: an added token, or text for the model.
type segment struct {
	start, end int
	token      *AddedToken
}

// encodeSequence tokenizes one text: added tokens, normalization, pre-tokenization and the model.
// The result, ids, tokens and offsets only, lives in the workspace's buffer seq.
func (t *Tokenizer) encodeSequence(w *workspace, seq int, text string, o *encodeOptions) (*Encoding, error) {
	if len(text) > math.MaxInt32/2 {
		return nil, fmt.Errorf("%w: text of %d bytes is too long", ErrInvalid, len(text))
	}
	shift := 0
	if t.prefixSpace {
		text = " " + text
		shift = 1
	}
	input := append(w.input[:0], text...)
	w.input = input
	enc := &w.seqs2[seq]
	enc.IDs, enc.Tokens, enc.Offsets = enc.IDs[:0], enc.Tokens[:0], enc.Offsets[:0]

	segs := w.segs[:0]
	prev := 0
	w.skip = skipNone
	if o.splitSpecial {
		w.skip = skipSpecial
		if t.legacy {
			w.skip = skipAll
		}
	}
	w.match = t.added.find(w.match[:0], input, false, w.skip)
	for _, m := range w.match {
		if prev < m.start {
			segs = append(segs, segment{start: prev, end: m.start})
		}
		segs = append(segs, segment{start: m.start, end: m.end, token: m.token})
		prev = m.end
	}
	if prev < len(input) {
		segs = append(segs, segment{start: prev, end: len(input)})
	}
	w.segs = segs
	for i := range segs {
		sg := segs[i]
		if sg.token != nil {
			t.emitAdded(enc, sg.token, input[sg.start:sg.end], sg.start, sg.end)
			continue
		}
		if err := t.encodeText(w, enc, identString(input[sg.start:sg.end], sg.start)); err != nil {
			return nil, err
		}
	}
	if shift > 0 {
		for i := range enc.Offsets {
			enc.Offsets[i][0] = max(enc.Offsets[i][0]-shift, 0)
			enc.Offsets[i][1] = max(enc.Offsets[i][1]-shift, 0)
		}
	}
	return enc, nil
}

// emitAdded appends an added token matched on [start, end) of the input.
func (t *Tokenizer) emitAdded(enc *Encoding, tk *AddedToken, matched []byte, start, end int) {
	s := tk.Content
	if string(matched) != tk.Content {
		s = string(matched)
	}
	enc.IDs = append(enc.IDs, tk.ID)
	enc.Tokens = append(enc.Tokens, s)
	enc.Offsets = append(enc.Offsets, [2]int{start, end})
}

// encodeText normalizes a piece of text without raw added tokens, finds the normalized added
// tokens, and tokenizes the rest.
func (t *Tokenizer) encodeText(w *workspace, enc *Encoding, ns normString) error {
	if t.normalizer != nil {
		ns = t.normalizer.normalize(w, ns)
	}
	matches := t.added.find(nil, ns.text, true, w.skip)
	prev := 0
	for _, m := range matches {
		if prev < m.start {
			if err := t.encodePiece(w, enc, ns.sub(prev, m.start)); err != nil {
				return err
			}
		}
		a, b := ns.inputRange(m.start, m.end)
		t.emitAdded(enc, m.token, ns.text[m.start:m.end], a, b)
		prev = m.end
	}
	if prev < len(ns.text) {
		return t.encodePiece(w, enc, ns.sub(prev, len(ns.text)))
	}
	return nil
}

// encodePiece pre-tokenizes and tokenizes a normalized piece.
func (t *Tokenizer) encodePiece(w *workspace, enc *Encoding, ns normString) error {
	if t.pieceNormalizer != nil {
		ns = t.pieceNormalizer.normalize(w, ns)
	}
	w.nseq = 0
	in := append(w.parts[:0], split{ns: ns})
	var splits []split
	if t.pre != nil {
		splits = t.pre.preTokenize(w, in, w.splitsBuf[:0])
		w.splitsBuf = splits
	} else {
		splits = in
	}
	w.parts = in
	for i := range splits {
		s := &splits[i]
		if len(s.ns.text) == 0 {
			continue
		}
		toks, err := t.model.tokenize(w, s, w.toks[:0])
		w.toks = toks
		if err != nil {
			return err
		}
		for _, tk := range toks {
			a, b := s.ns.inputRange(int(tk.start), int(tk.end))
			str := tk.text
			if str == "" {
				str, _ = t.model.idToToken(int(tk.id))
			}
			enc.IDs = append(enc.IDs, int(tk.id))
			enc.Tokens = append(enc.Tokens, str)
			enc.Offsets = append(enc.Offsets, [2]int{a, b})
		}
	}
	return nil
}
