package tokenizer

import (
	"fmt"
	"math"
)

// sequence is one encoded text before post-processing: ids and offsets, and the token strings
// that do not follow from the ids (added tokens matched with the spaces they strip). It lives in
// the workspace and holds no pointer per token.
type sequence struct {
	ids     []int
	offsets [][2]int
	refs    []uint64 // the strings of the tokens in the model's vocabulary (vocabulary.ref)
	texts   []int32  // -1: the string given by refs or the id; else an index into strs
	strs    []string // the strings texts points to
}

func (s *sequence) len() int { return len(s.ids) }

func (s *sequence) reset() {
	s.ids, s.offsets, s.texts, s.refs = s.ids[:0], s.offsets[:0], s.texts[:0], s.refs[:0]
	clear(s.strs)
	s.strs = s.strs[:0]
}

func (s *sequence) add(id int, a, b int, text int32, ref uint64) {
	s.ids = append(s.ids, id)
	s.offsets = append(s.offsets, [2]int{a, b})
	s.texts = append(s.texts, text)
	s.refs = append(s.refs, ref)
}

// keep keeps the tokens [lo, hi).
func (s *sequence) keep(lo, hi int) {
	s.ids, s.offsets, s.texts, s.refs = s.ids[lo:hi], s.offsets[lo:hi], s.texts[lo:hi], s.refs[lo:hi]
}

// tokenString returns the string of token i of s.
func (t *Tokenizer) tokenString(s *sequence, i int) string {
	if k := s.texts[i]; k >= 0 {
		return s.strs[k]
	}
	if r := s.refs[i]; r != 0 {
		return t.vocab.refText(r)
	}
	id := s.ids[i]
	if str := t.model.tokenText(int32(id)); str != "" {
		return str
	}
	str, _ := t.IDToToken(id)
	return str
}

// encodeSequence tokenizes one text: added tokens, normalization, pre-tokenization and the model,
// into the workspace's sequence seq.
func (t *Tokenizer) encodeSequence(w *workspace, seq int, text string, o *encodeOptions) (*sequence, error) {
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
	sq := &w.seqs2[seq]
	sq.reset()

	w.skip = skipNone
	if o.splitSpecial {
		w.skip = skipSpecial
		if t.legacy {
			w.skip = skipAll
		}
	}
	w.match = t.added.find(w.match[:0], input, false, w.skip)
	prev := 0
	for _, m := range w.match {
		if prev < m.start {
			if err := t.encodeText(w, sq, identString(input[prev:m.start], prev)); err != nil {
				return nil, err
			}
		}
		t.addAdded(sq, m.token, input[m.start:m.end], m.start, m.end)
		prev = m.end
	}
	if prev < len(input) {
		if err := t.encodeText(w, sq, identString(input[prev:], prev)); err != nil {
			return nil, err
		}
	}
	if shift > 0 {
		for i := range sq.offsets {
			sq.offsets[i][0] = max(sq.offsets[i][0]-shift, 0)
			sq.offsets[i][1] = max(sq.offsets[i][1]-shift, 0)
		}
	}
	return sq, nil
}

// addAdded appends an added token matched on [start, end) of the input; its string is the text it
// matched, stripped spaces included, as the Rust library gives it.
func (t *Tokenizer) addAdded(sq *sequence, tk *AddedToken, matched []byte, start, end int) {
	text := int32(-1)
	if s, ok := t.IDToToken(tk.ID); !ok || s != string(matched) {
		sq.strs = append(sq.strs, string(matched))
		text = int32(len(sq.strs) - 1)
	}
	sq.add(tk.ID, start, end, text, 0)
}

// encodeText normalizes a piece of text without raw added tokens, finds the normalized added
// tokens, and tokenizes the rest.
func (t *Tokenizer) encodeText(w *workspace, sq *sequence, ns normString) error {
	if t.normalizer != nil {
		ns = t.normalizer.normalize(w, ns)
	}
	matches := t.added.find(nil, ns.text, true, w.skip)
	prev := 0
	for _, m := range matches {
		if prev < m.start {
			if err := t.encodePiece(w, sq, ns.sub(prev, m.start)); err != nil {
				return err
			}
		}
		a, b := ns.inputRange(m.start, m.end)
		t.addAdded(sq, m.token, ns.text[m.start:m.end], a, b)
		prev = m.end
	}
	if prev < len(ns.text) {
		return t.encodePiece(w, sq, ns.sub(prev, len(ns.text)))
	}
	return nil
}

// encodePiece pre-tokenizes and tokenizes a normalized piece.
func (t *Tokenizer) encodePiece(w *workspace, sq *sequence, ns normString) error {
	if t.pieceNormalizer != nil {
		ns = t.pieceNormalizer.normalize(w, ns)
	}
	w.nseq = 0
	w.norms = w.norms[:0]
	in := append(w.parts[:0], split{src: w.addNorm(ns), end: int32(len(ns.text))})
	w.parts = in
	splits := in
	if t.pre != nil {
		splits = t.pre.preTokenize(w, in, w.splitsBuf[:0])
		w.splitsBuf = splits
	}
	for _, s := range splits {
		if s.len() == 0 {
			continue
		}
		toks, err := t.model.tokenize(w, w.text(s), s.byteLevel, s.whole, w.toks[:0])
		w.toks = toks
		if err != nil {
			return err
		}
		for _, tk := range toks {
			a, b := w.inputRange(s, int(tk.start), int(tk.end))
			sq.add(int(tk.id), a, b, -1, tk.ref)
		}
	}
	return nil
}
