package tokenizer

import (
	"regexp"
	"strings"
)

// split is a piece of normalized text that the model tokenizes on its own: bytes [start, end)
// of the normalized string w.norms[src]. It holds no pointer, so that the buffers of splits
// cost the garbage collector nothing.
type split struct {
	src        int32
	start, end int32
	// byteLevel: the model must read the bytes through the GPT-2 byte-to-unicode map.
	byteLevel bool
	// whole: the piece is a never_split word of a legacy BERT tokenizer.
	whole bool
}

// sub returns the split of the bytes [a, b) of s.
func (s split) sub(a, b int) split {
	n := s
	n.start, n.end = s.start+int32(a), s.start+int32(b)
	return n
}

func (s split) len() int { return int(s.end - s.start) }

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
			out = append(out, s.sub(a, e))
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
	text := w.text(s)
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

// bert byte classes, for the ASCII fast path of the BERT pre-tokenizer.
const (
	bertWord  = 1 + iota // neither space nor punctuation
	bertSpace            // removed
	bertPunct            // a split of its own
	bertNonASCII
)

var bertASCII = func() (t [256]uint8) {
	for c := range 256 {
		switch {
		case c >= 0x80:
			t[c] = bertNonASCII
		case asciiClass[c]&clsSpace != 0:
			t[c] = bertSpace
		case asciiClass[c]&clsPunct != 0:
			t[c] = bertPunct
		default:
			t[c] = bertWord
		}
	}
	return t
}()

func (p *bertPreTokenizer) preTokenize(w *workspace, in, out []split) []split {
	if len(p.neverSplit) > 0 {
		return p.preTokenizeWords(w, in, out)
	}
	for _, s := range in {
		text := w.text(s)
		wordStart := -1
		for i := 0; i < len(text); {
			class := bertASCII[text[i]]
			size := 1
			if class == bertNonASCII {
				r, n := decodeRune(text[i:])
				size = n
				switch c := classOf(r); {
				case c&clsSpace != 0:
					class = bertSpace
				case c&clsPunct != 0 && !p.noPunct:
					class = bertPunct
				default:
					class = bertWord
				}
			} else if class == bertPunct && p.noPunct {
				class = bertWord
			}
			switch class {
			case bertWord:
				if wordStart < 0 {
					wordStart = i
				}
			case bertSpace:
				if wordStart >= 0 {
					out = append(out, s.sub(wordStart, i))
					wordStart = -1
				}
			case bertPunct:
				if wordStart >= 0 {
					out = append(out, s.sub(wordStart, i))
					wordStart = -1
				}
				out = append(out, s.sub(i, i+size))
			}
			i += size
		}
		if wordStart >= 0 {
			out = append(out, s.sub(wordStart, len(text)))
		}
	}
	return out
}

// preTokenizeWords is the path with never_split words: each whitespace-delimited word is kept
// whole when it is one of them, else split at punctuation.
func (p *bertPreTokenizer) preTokenizeWords(w *workspace, in, out []split) []split {
	for _, s := range in {
		text := w.text(s)
		wordStart := -1
		flush := func(end int) {
			if wordStart < 0 {
				return
			}
			if p.neverSplit[string(text[wordStart:end])] {
				n := s.sub(wordStart, end)
				n.whole = true
				out = append(out, n)
			} else {
				out = p.splitPunct(text, s, wordStart, end, out)
			}
			wordStart = -1
		}
		for i := 0; i < len(text); {
			r, size := decodeRune(text[i:])
			if classOf(r)&clsSpace != 0 {
				flush(i)
			} else if wordStart < 0 {
				wordStart = i
			}
			i += size
		}
		flush(len(text))
	}
	return out
}

// splitPunct appends the pieces of the word [a, b) of s, each punctuation character alone.
func (p *bertPreTokenizer) splitPunct(text []byte, s split, a, b int, out []split) []split {
	start := a
	for i := a; i < b; {
		r, size := decodeRune(text[i:])
		if !p.noPunct && classOf(r)&clsPunct != 0 {
			if start < i {
				out = append(out, s.sub(start, i))
			}
			out = append(out, s.sub(i, i+size))
			start = i + size
		}
		i += size
	}
	if start < b {
		out = append(out, s.sub(start, b))
	}
	return out
}

// whitespacePreTokenizer keeps the matches of \w+|[^\w\s]+.
type whitespacePreTokenizer struct{}

func (whitespacePreTokenizer) preTokenize(w *workspace, in, out []split) []split {
	for _, s := range in {
		text := w.text(s)
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
		pieces := p.find(w, w.text(s))
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
		if p.addPrefixSpace && s.len() > 0 && w.text(s)[0] != ' ' {
			src := &w.norms[s.src]
			ns := prependText(w, src.sub(int(s.start), int(s.end)), " ")
			s = split{src: w.addNorm(ns), end: int32(len(ns.text)), whole: s.whole}
		}
		s.byteLevel = true
		if !p.useRegex {
			out = append(out, s)
			continue
		}
		text := w.text(s)
		for i := 0; i < len(text); {
			e := gpt2Next(text, i)
			out = append(out, s.sub(i, e))
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
