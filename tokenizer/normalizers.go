package tokenizer

import (
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"
)

// normalizer rewrites a piece of text, keeping its alignment to the input.
type normalizer interface {
	normalize(w *workspace, in normString) normString
}

// bertNormalizer is the BertNormalizer of the Rust library (python false) or the text cleaning of
// the Python BasicTokenizer (python true).
type bertNormalizer struct {
	clean, chinese, stripAccents, lowercase bool
	python                                  bool

	tableOnce sync.Once
	table     [256]byte // the byte map of normalizeASCII
}

func (b *bertNormalizer) normalize(w *workspace, in normString) normString {
	if out, ok := b.mapASCII(w, in); ok {
		return out
	}
	if isASCII(in.text) {
		return b.normalizeASCII(w, in)
	}
	s := b.cleanPass(w, in)
	if b.python {
		// BasicTokenizer: NFC, then lower() and strip accents word by word.
		s = formPass(w, s, false, true)
		if b.lowercase {
			s = lowercasePass(w, s)
		}
		if b.stripAccents {
			s = formPass(w, s, false, false)
			s = filterPass(w, s, clsMn)
		}
		return s
	}
	if b.stripAccents {
		s = formPass(w, s, false, false)
		s = filterPass(w, s, clsMn)
	}
	if b.lowercase {
		s = lowercasePass(w, s)
	}
	return s
}

// mapASCII normalizes ASCII text from which nothing is removed, in one pass with a byte map; the
// result keeps the character boundaries of the input. It reports false for other text.
func (b *bertNormalizer) mapASCII(w *workspace, in normString) (normString, bool) {
	if !in.ident {
		return normString{}, false
	}
	table := b.asciiTable()
	t := w.begin(&in)
	out := t.out.text
	if cap(out) < len(in.text) {
		out = make([]byte, len(in.text), len(in.text)+len(in.text)/4)
	}
	out = out[:len(in.text)]
	for i, c := range in.text {
		m := table[c]
		if m == 0 {
			w.bufs[w.nbuf].text = out[:0] // keep the buffer, give up the rebuild
			return normString{}, false
		}
		out[i] = m
	}
	t.out.text = out
	t.pos = len(in.text)
	return w.end(), true
}

// normalizeASCII does every step in one pass over ASCII text.
func (b *bertNormalizer) normalizeASCII(w *workspace, in normString) normString {
	t := w.begin(&in)
	for !t.done() {
		c := in.text[t.pos]
		switch {
		case b.clean && isASCIIControl(c):
			t.skip()
		case b.clean && (c == '\t' || c == '\n' || c == '\r'):
			t.replace(' ')
		case b.lowercase && c >= 'A' && c <= 'Z':
			t.replace(rune(c + 'a' - 'A'))
		default:
			t.keep()
		}
	}
	return w.end()
}

// asciiTable maps each ASCII byte to what the normalizer makes of it, 0 when it removes it.
func (b *bertNormalizer) asciiTable() *[256]byte {
	b.tableOnce.Do(func() {
		for c := 0; c < 128; c++ {
			v := byte(c)
			switch {
			case b.clean && isASCIIControl(v):
				v = 0
			case b.clean && (v == '\t' || v == '\n' || v == '\r'):
				v = ' '
			case b.lowercase && v >= 'A' && v <= 'Z':
				v += 'a' - 'A'
			}
			b.table[c] = v
		}
	})
	return &b.table
}

// isASCIIControl reports whether c is an ASCII control character that cleaning removes.
func isASCIIControl(c byte) bool {
	return c == 0x7f || (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
}

// cleanPass drops NUL, U+FFFD and control characters, turns whitespace into ' ' and puts spaces
// around CJK ideographs.
func (b *bertNormalizer) cleanPass(w *workspace, in normString) normString {
	if !b.clean && !b.chinese {
		return in
	}
	t := w.begin(&in)
	for !t.done() {
		r, _, _ := t.next()
		cls := classOf(r)
		space := clsSpace
		if b.python {
			space = clsPySpace
		}
		switch {
		case b.clean && (r == 0 || r == utf8.RuneError || cls&clsControl != 0):
			t.skip()
		case b.clean && cls&space != 0:
			t.replace(' ')
		case b.chinese && isCJK(r, b.python):
			t.insert(' ')
			t.keep()
			t.insert(' ')
		default:
			t.keep()
		}
	}
	return w.end()
}

// formPass applies NFD, NFKD, NFC or NFKC.
func formPass(w *workspace, in normString, compat, composed bool) normString {
	if isASCII(in.text) {
		return in
	}
	t := w.begin(&in)
	applyForm(t, &w.nch, compat, composed)
	return w.end()
}

// filterPass drops the characters of the given classes.
func filterPass(w *workspace, in normString, drop uint16) normString {
	t := w.begin(&in)
	for !t.done() {
		r, _, _ := t.next()
		if r >= utf8.RuneSelf && classOf(r)&drop != 0 {
			t.skip()
		} else {
			t.keep()
		}
	}
	return w.end()
}

// lowercasePass maps every character to its lowercase.
func lowercasePass(w *workspace, in normString) normString {
	t := w.begin(&in)
	for !t.done() {
		r, size, _ := t.next()
		if r == utf8.RuneError && size == 1 {
			t.keep()
			continue
		}
		lo, extra := lowerRune(r)
		if lo == r && extra < 0 {
			t.keep()
			continue
		}
		t.replace(lo)
		if extra >= 0 {
			t.insert(extra)
		}
	}
	return w.end()
}

type lowercaseNormalizer struct{}

func (lowercaseNormalizer) normalize(w *workspace, in normString) normString {
	return lowercasePass(w, in)
}

// formNormalizer is NFC, NFD, NFKC or NFKD.
type formNormalizer struct{ compat, composed bool }

func (f formNormalizer) normalize(w *workspace, in normString) normString {
	return formPass(w, in, f.compat, f.composed)
}

// stripAccentsNormalizer removes combining marks (the Rust StripAccents: every category M).
type stripAccentsNormalizer struct{}

func (stripAccentsNormalizer) normalize(w *workspace, in normString) normString {
	if isASCII(in.text) {
		return in
	}
	return filterPass(w, in, clsMark)
}

// sequenceNormalizer applies normalizers in order.
type sequenceNormalizer []normalizer

func (s sequenceNormalizer) normalize(w *workspace, in normString) normString {
	for _, n := range s {
		in = n.normalize(w, in)
	}
	return in
}

// stripNormalizer removes leading and/or trailing whitespace.
type stripNormalizer struct{ left, right bool }

func (s stripNormalizer) normalize(w *workspace, in normString) normString {
	start, end := 0, len(in.text)
	if s.left {
		for start < end {
			r, size := decodeRune(in.text[start:])
			if classOf(r)&clsSpace == 0 {
				break
			}
			start += size
		}
	}
	if s.right {
		for end > start {
			r, size := utf8.DecodeLastRune(in.text[start:end])
			if classOf(r)&clsSpace == 0 {
				break
			}
			end -= size
		}
	}
	if start == 0 && end == len(in.text) {
		return in
	}
	t := w.begin(&in)
	for !t.done() {
		if t.pos < start || t.pos >= end {
			t.skip()
		} else {
			t.keep()
		}
	}
	return w.end()
}

// prependNormalizer puts a string in front of non-empty text.
type prependNormalizer struct{ prefix string }

func (p prependNormalizer) normalize(w *workspace, in normString) normString {
	if len(in.text) == 0 || p.prefix == "" {
		return in
	}
	return prependText(w, in, p.prefix)
}

// prependText puts prefix in front of in. The new characters take the alignment of the first
// character, as the Rust NormalizedString.prepend gives them.
func prependText(w *workspace, in normString, prefix string) normString {
	t := w.begin(&in)
	_, _, sp := t.next()
	t.breakIdent()
	for _, r := range prefix {
		t.appendRune(r, sp)
	}
	for !t.done() {
		t.keep()
	}
	return w.end()
}

// replaceNormalizer replaces every match of a pattern (a string, or a regular expression) by
// content. The new characters take the alignment of the last replaced character.
type replaceNormalizer struct {
	literal string
	re      *regexp.Regexp
	content string
}

func (p *replaceNormalizer) normalize(w *workspace, in normString) normString {
	matches := p.find(in.text)
	if len(matches) == 0 {
		return in
	}
	t := w.begin(&in)
	for _, m := range matches {
		for t.pos < m[0] {
			t.keep()
		}
		for t.pos < m[1] {
			t.skip()
		}
		for _, r := range p.content {
			t.insert(r)
		}
	}
	for !t.done() {
		t.keep()
	}
	return w.end()
}

func (p *replaceNormalizer) find(text []byte) [][2]int {
	var out [][2]int
	if p.re != nil {
		for _, m := range p.re.FindAllIndex(text, -1) {
			if m[1] > m[0] {
				out = append(out, [2]int{m[0], m[1]})
			}
		}
		return out
	}
	if p.literal == "" {
		return nil
	}
	s := string(text)
	for off := 0; ; {
		i := strings.Index(s[off:], p.literal)
		if i < 0 {
			return out
		}
		out = append(out, [2]int{off + i, off + i + len(p.literal)})
		off += i + len(p.literal)
	}
}
