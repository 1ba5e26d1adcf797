package tokenizer

import "unicode/utf8"

// span is a range of input bytes.
type span struct{ start, end int32 }

// normString is a piece of the input after normalization, with the input bytes each of its bytes
// comes from. Every byte of a character carries the span of the input character(s) it was made
// from, as the Rust NormalizedString keeps them.
type normString struct {
	text []byte
	// align holds one span per byte of text; nil when ident.
	align []span
	// ident: text has the same character boundaries as input[orig:orig+len(text)] and each
	// character comes from the input character at the same place.
	ident bool
	// orig is the input offset where this piece starts.
	orig int
}

// identString wraps input bytes [orig, orig+len(b)) unchanged.
func identString(b []byte, orig int) normString {
	return normString{text: b, ident: true, orig: orig}
}

// spanAt returns the alignment of the character of size size starting at byte i.
func (n *normString) spanAt(i, size int) span {
	if n.ident {
		return span{int32(n.orig + i), int32(n.orig + i + size)}
	}
	return n.align[i]
}

// inputRange maps the normalized byte range [a, b) to the input, widened to whole characters.
func (n *normString) inputRange(a, b int) (int, int) {
	if a >= b {
		if n.ident {
			return n.orig + a, n.orig + a
		}
		if a < len(n.align) {
			return int(n.align[a].start), int(n.align[a].start)
		}
		if len(n.align) > 0 {
			return int(n.align[len(n.align)-1].end), int(n.align[len(n.align)-1].end)
		}
		return n.orig, n.orig
	}
	if n.ident {
		// ASCII at both ends is the common case: no character to widen to.
		if n.text[a] < 0x80 && (b == len(n.text) || n.text[b] < 0x80) && n.text[b-1] < 0x80 {
			return n.orig + a, n.orig + b
		}
		return n.orig + charStart(n.text, a), n.orig + charEnd(n.text, b)
	}
	return int(n.align[a].start), int(n.align[b-1].end)
}

// sub returns the piece [a, b) of n, sharing memory.
func (n *normString) sub(a, b int) normString {
	s := normString{text: n.text[a:b], ident: n.ident}
	if n.ident {
		s.orig = n.orig + a
	} else {
		s.align = n.align[a:b]
		if a < b {
			s.orig = int(n.align[a].start)
		} else {
			s.orig = n.orig
		}
	}
	return s
}

// identSpans appends the identity alignment of text starting at input offset orig.
func identSpans(dst []span, text []byte, orig int) []span {
	for i := 0; i < len(text); {
		_, size := decodeRune(text[i:])
		sp := span{int32(orig + i), int32(orig + i + size)}
		for k := 0; k < size; k++ {
			dst = append(dst, sp)
		}
		i += size
	}
	return dst
}

// transformer rebuilds a normString character by character with the alignment rules of the Rust
// NormalizedString.transform: a character that replaces a source character takes its alignment,
// an inserted character takes the alignment of the source byte just before the current position.
type transformer struct {
	src  *normString
	pos  int  // next unconsumed source byte
	prev span // alignment of source byte pos-1
	out  normString
}

// reset prepares t to rebuild src, reusing the buffers of dst.
func (t *transformer) reset(src *normString, dst normString) {
	t.src = src
	t.pos = 0
	t.prev = span{int32(src.orig), int32(src.orig)}
	t.out = normString{text: dst.text[:0], align: dst.align[:0], ident: src.ident, orig: src.orig}
}

// next returns the source character at the current position, its size and alignment.
func (t *transformer) next() (rune, int, span) {
	r, size := decodeRune(t.src.text[t.pos:])
	return r, size, t.src.spanAt(t.pos, size)
}

func (t *transformer) done() bool { return t.pos >= len(t.src.text) }

// skip drops the source character at the current position.
func (t *transformer) skip() {
	_, size, sp := t.next()
	t.breakIdent()
	t.pos += size
	t.prev = sp
}

// keep copies the source character at the current position unchanged (change 0).
func (t *transformer) keep() {
	_, size, sp := t.next()
	t.out.text = append(t.out.text, t.src.text[t.pos:t.pos+size]...)
	if !t.out.ident {
		for k := 0; k < size; k++ {
			t.out.align = append(t.out.align, sp)
		}
	}
	t.pos += size
	t.prev = sp
}

// replace emits r in place of the source character at the current position (change 0).
func (t *transformer) replace(r rune) {
	_, size, sp := t.next()
	if t.out.ident && utf8.RuneLen(r) != size {
		t.breakIdent()
	}
	t.appendRune(r, sp)
	t.pos += size
	t.prev = sp
}

// insert emits r as a new character (change 1).
func (t *transformer) insert(r rune) {
	t.breakIdent()
	t.appendRune(r, t.prev)
}

func (t *transformer) appendRune(r rune, sp span) {
	n := len(t.out.text)
	t.out.text = utf8.AppendRune(t.out.text, r)
	if !t.out.ident {
		for k := n; k < len(t.out.text); k++ {
			t.out.align = append(t.out.align, sp)
		}
	}
}

// breakIdent switches the output to explicit alignments.
func (t *transformer) breakIdent() {
	if t.out.ident {
		t.out.align = identSpans(t.out.align[:0], t.out.text, t.out.orig)
		t.out.ident = false
	}
}

// result returns the rebuilt string.
func (t *transformer) result() normString {
	if !t.out.ident && len(t.out.align) > 0 {
		t.out.orig = int(t.out.align[0].start)
	}
	return t.out
}
