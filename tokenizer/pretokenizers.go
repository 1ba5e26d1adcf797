package tokenizer

import (
	"regexp"
	"strings"
)

// split is a piece of normalized text that the model tokenizes on its own.
type split struct {
	ns normString
	// byteLevel: the model must read the bytes through the GPT-2 byte-to-unicode map.
	byteLevel bool
	// whole: the piece is a never_split word of a legacy BERT tokenizer.
	whole bool
}

// preTokenizer cuts normalized text into splits.
type preTokenizer interface {
	preTokenize(w *workspace, in, out []split) []split
}

// splitBehavior says what becomes of the delimiters a pattern finds.
type splitBehavior int

const (
	behaviorRemoved splitBehavior = iota
	behaviorIsolated
	behaviorMergedWithPrevious
	behaviorMergedWithNext
	behaviorContiguous
)

// piece is a range of a split, a match of the pattern or not.
type piece struct {
	start, end int
	match      bool
}

// applyBehavior appends to out the sub-splits of s that pieces (covering s in order) give.
func applyBehavior(s split, pieces []piece, b splitBehavior, out []split) []split {
	emit := func(a, e int) {
		if e > a {
			n := s
			n.ns = s.ns.sub(a, e)
			out = append(out, n)
		}
	}
	switch b {
	case behaviorRemoved:
		for _, p := range pieces {
			if !p.match {
				emit(p.start, p.end)
			}
		}
	case behaviorIsolated:
		for _, p := range pieces {
			emit(p.start, p.end)
		}
	case behaviorContiguous:
		for i := 0; i < len(pieces); {
			j := i + 1
			for j < len(pieces) && pieces[j].match == pieces[i].match {
				j++
			}
			emit(pieces[i].start, pieces[j-1].end)
			i = j
		}
	case behaviorMergedWithPrevious:
		start, prevMatch, open := 0, false, false
		for _, p := range pieces {
			if p.match && !prevMatch && open {
				// extend the open piece
			} else {
				if open {
					emit(start, p.start)
				}
				start, open = p.start, true
			}
			prevMatch = p.match
		}
		if open {
			emit(start, pieces[len(pieces)-1].end)
		}
	case behaviorMergedWithNext:
		// A match followed by a non-match starts that non-match's piece.
		for i := 0; i < len(pieces); i++ {
			p := pieces[i]
			if p.match && i+1 < len(pieces) && !pieces[i+1].match {
				emit(p.start, pieces[i+1].end)
				i++
				continue
			}
			emit(p.start, p.end)
		}
	}
	return out
}

// charPredicateSplit cuts s on every character for which pred holds (each such character is
// one match), with the given behavior.
func charPredicateSplit(w *workspace, s split, pred func(r rune) bool, b splitBehavior, out []split) []split {
	pieces := w.pieces[:0]
	text := s.ns.text
	start := 0
	for i := 0; i < len(text); {
		r, size := decodeRune(text[i:])
		if pred(r) {
			if start < i {
				pieces = append(pieces, piece{start, i, false})
			}
			pieces = append(pieces, piece{i, i + size, true})
			start = i + size
		}
		i += size
	}
	if start < len(text) {
		pieces = append(pieces, piece{start, len(text), false})
	}
	w.pieces = pieces
	return applyBehavior(s, pieces, b, out)
}

// bertPreTokenizer splits on whitespace (removed) and punctuation (isolated): the Rust
// BertPreTokenizer and the Python BasicTokenizer.
type bertPreTokenizer struct {
	// neverSplit holds the words a legacy BasicTokenizer keeps whole.
	neverSplit map[string]bool
	// noPunct: a BasicTokenizer with do_split_on_punc=False.
	noPunct bool
}

func (p *bertPreTokenizer) preTokenize(_ *workspace, in, out []split) []split {
	for _, s := range in {
		text := s.ns.text
		wordStart := -1
		endWord := func(end int) {
			if wordStart < 0 {
				return
			}
			if len(p.neverSplit) > 0 && p.neverSplit[string(text[wordStart:end])] {
				n := s
				n.ns = s.ns.sub(wordStart, end)
				n.whole = true
				out = append(out, n)
			} else {
				out = p.splitPunct(s, wordStart, end, out)
			}
			wordStart = -1
		}
		for i := 0; i < len(text); {
			c := text[i]
			if c < 0x80 {
				if asciiClass[c]&clsSpace != 0 {
					endWord(i)
				} else if wordStart < 0 {
					wordStart = i
				}
				i++
				continue
			}
			r, size := decodeRune(text[i:])
			if classOf(r)&clsSpace != 0 {
				endWord(i)
			} else if wordStart < 0 {
				wordStart = i
			}
			i += size
		}
		endWord(len(text))
	}
	return out
}

// splitPunct appends the pieces of the word [a, b) of s, each punctuation character alone.
func (p *bertPreTokenizer) splitPunct(s split, a, b int, out []split) []split {
	text := s.ns.text
	start := a
	emit := func(x, y int) {
		if y > x {
			n := s
			n.ns = s.ns.sub(x, y)
			out = append(out, n)
		}
	}
	if !p.noPunct {
		for i := a; i < b; {
			c := text[i]
			size := 1
			punct := false
			if c < 0x80 {
				punct = asciiClass[c]&clsPunct != 0
			} else {
				var r rune
				r, size = decodeRune(text[i:])
				punct = classOf(r)&clsPunct != 0
			}
			if punct {
				emit(start, i)
				emit(i, i+size)
				start = i + size
			}
			i += size
		}
	}
	emit(start, b)
	return out
}

// whitespacePreTokenizer keeps the matches of \w+|[^\w\s]+.
type whitespacePreTokenizer struct{}

func (whitespacePreTokenizer) preTokenize(w *workspace, in, out []split) []split {
	for _, s := range in {
		text := s.ns.text
		pieces := w.pieces[:0]
		kind, start := 0, 0 // 0 space, 1 word, 2 other
		for i := 0; i < len(text); {
			r, size := decodeRune(text[i:])
			cls := classOf(r)
			k := 2
			if cls&clsWord != 0 {
				k = 1
			} else if cls&clsSpace != 0 {
				k = 0
			}
			if k != kind {
				if kind != 0 && i > start {
					pieces = append(pieces, piece{start, i, false})
				}
				kind, start = k, i
			}
			i += size
		}
		if kind != 0 && len(text) > start {
			pieces = append(pieces, piece{start, len(text), false})
		}
		w.pieces = pieces
		out = applyBehavior(s, pieces, behaviorIsolated, out)
	}
	return out
}

// whitespaceSplitPreTokenizer splits on whitespace.
type whitespaceSplitPreTokenizer struct{}

func (whitespaceSplitPreTokenizer) preTokenize(w *workspace, in, out []split) []split {
	for _, s := range in {
		out = charPredicateSplit(w, s, isSpaceRune, behaviorRemoved, out)
	}
	return out
}

func isSpaceRune(r rune) bool { return classOf(r)&clsSpace != 0 }
func isPunctRune(r rune) bool { return classOf(r)&clsPunct != 0 }
func isDigitRune(r rune) bool { return classOf(r)&clsDigit != 0 }

// punctuationPreTokenizer splits on punctuation.
type punctuationPreTokenizer struct{ behavior splitBehavior }

func (p punctuationPreTokenizer) preTokenize(w *workspace, in, out []split) []split {
	for _, s := range in {
		out = charPredicateSplit(w, s, isPunctRune, p.behavior, out)
	}
	return out
}

// digitsPreTokenizer splits digits off, one by one or in runs.
type digitsPreTokenizer struct{ individual bool }

func (p digitsPreTokenizer) preTokenize(w *workspace, in, out []split) []split {
	b := behaviorContiguous
	if p.individual {
		b = behaviorIsolated
	}
	for _, s := range in {
		out = charPredicateSplit(w, s, isDigitRune, b, out)
	}
	return out
}

// splitPreTokenizer splits on a string or a regular expression (the Split pre-tokenizer).
type splitPreTokenizer struct {
	literal  string
	re       *regexp.Regexp
	gpt2     bool // the pattern is the GPT-2 one, run by the hand-written scanner
	behavior splitBehavior
	invert   bool
}

func (p *splitPreTokenizer) preTokenize(w *workspace, in, out []split) []split {
	for _, s := range in {
		pieces := p.find(w, s.ns.text)
		if p.invert {
			for i := range pieces {
				pieces[i].match = !pieces[i].match
			}
		}
		out = applyBehavior(s, pieces, p.behavior, out)
	}
	return out
}

// find returns the pieces of text, matches of the pattern and the gaps between them.
func (p *splitPreTokenizer) find(w *workspace, text []byte) []piece {
	pieces := w.pieces[:0]
	prev := 0
	add := func(a, b int) {
		if prev < a {
			pieces = append(pieces, piece{prev, a, false})
		}
		pieces = append(pieces, piece{a, b, true})
		prev = b
	}
	switch {
	case p.gpt2:
		for i := 0; i < len(text); {
			e := gpt2Next(text, i)
			add(i, e)
			i = e
		}
	case p.re != nil:
		for _, m := range p.re.FindAllIndex(text, -1) {
			add(m[0], m[1])
		}
	case p.literal != "":
		s := string(text)
		for off := 0; ; {
			i := strings.Index(s[off:], p.literal)
			if i < 0 {
				break
			}
			add(off+i, off+i+len(p.literal))
			off += i + len(p.literal)
		}
	}
	if prev < len(text) {
		pieces = append(pieces, piece{prev, len(text), false})
	}
	w.pieces = pieces
	return pieces
}

// byteLevelPreTokenizer is the GPT-2 ByteLevel pre-tokenizer: an optional leading space, the
// GPT-2 split, and the byte-to-unicode mapping (left to the model).
type byteLevelPreTokenizer struct {
	addPrefixSpace, useRegex bool
}

func (p byteLevelPreTokenizer) preTokenize(w *workspace, in, out []split) []split {
	for _, s := range in {
		if p.addPrefixSpace && len(s.ns.text) > 0 && s.ns.text[0] != ' ' {
			s.ns = prependText(w, s.ns, " ")
		}
		s.byteLevel = true
		if !p.useRegex {
			out = append(out, s)
			continue
		}
		text := s.ns.text
		for i := 0; i < len(text); {
			e := gpt2Next(text, i)
			n := s
			n.ns = s.ns.sub(i, e)
			out = append(out, n)
			i = e
		}
	}
	return out
}

// sequencePreTokenizer applies pre-tokenizers in order.
type sequencePreTokenizer []preTokenizer

func (q sequencePreTokenizer) preTokenize(w *workspace, in, out []split) []split {
	cur := in
	for i, p := range q {
		if i == len(q)-1 {
			return p.preTokenize(w, cur, out)
		}
		idx := w.nseq
		w.nseq++
		if idx == len(w.seqs) {
			w.seqs = append(w.seqs, nil)
		}
		next := p.preTokenize(w, cur, w.seqs[idx][:0])
		w.seqs[idx] = next
		cur = next
	}
	return append(out, cur...)
}
