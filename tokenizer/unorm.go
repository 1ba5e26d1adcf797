package tokenizer

import (
	"sort"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Unicode normalization forms applied with alignment tracking. The text is what
// golang.org/x/text/unicode/norm produces; the alignments follow the Rust library, whose
// normalizer yields each output character with a "change" (0: replaces the next source character,
// 1: inserted, -n: replaces one and removes n more).

// nchar is a character of a normalization in progress.
type nchar struct {
	r      rune
	change int32
	ccc    uint8
	raw    bool // an invalid source byte, kept as it is
}

const (
	hangulSBase  = 0xAC00
	hangulLBase  = 0x1100
	hangulVBase  = 0x1161
	hangulTBase  = 0x11A7
	hangulLCount = 19
	hangulVCount = 21
	hangulTCount = 28
	hangulNCount = hangulVCount * hangulTCount
	hangulSCount = hangulLCount * hangulNCount
)

func props(f norm.Form, r rune) norm.Properties {
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], r)
	return f.Properties(buf[:n])
}

// cccOf returns the canonical combining class of r.
func cccOf(r rune) uint8 {
	if r < 0x300 {
		return 0
	}
	return props(norm.NFD, r).CCC()
}

// appendDecomposition appends the full canonical (or compatibility) decomposition of the source
// character r to dst: the first character replaces it, the others are inserted.
func appendDecomposition(dst []nchar, r rune, raw, compat bool) []nchar {
	if raw || r < 0xA0 || (!compat && r < 0xC0) {
		return append(dst, nchar{r: r, raw: raw})
	}
	if r >= hangulSBase && r < hangulSBase+hangulSCount {
		s := r - hangulSBase
		dst = append(dst, nchar{r: hangulLBase + s/hangulNCount})
		dst = append(dst, nchar{r: hangulVBase + (s%hangulNCount)/hangulTCount, change: 1})
		if t := s % hangulTCount; t != 0 {
			dst = append(dst, nchar{r: hangulTBase + t, change: 1})
		}
		return dst
	}
	form := norm.NFD
	if compat {
		form = norm.NFKD
	}
	p := props(form, r)
	d := p.Decomposition()
	if len(d) == 0 {
		return append(dst, nchar{r: r, ccc: p.CCC()})
	}
	change := int32(0)
	for len(d) > 0 {
		c, size := utf8.DecodeRune(d)
		d = d[size:]
		dst = append(dst, nchar{r: c, change: change, ccc: cccOf(c)})
		change = 1
	}
	return dst
}

// decompose appends the NFD (NFKD when compat) characters of text to dst, canonically ordered.
func decompose(dst []nchar, text []byte, compat bool) []nchar {
	run := len(dst) // start of the current run of non-starters
	for i := 0; i < len(text); {
		r, size := decodeRune(text[i:])
		raw := r == utf8.RuneError && size == 1
		i += size
		n := len(dst)
		dst = appendDecomposition(dst, r, raw, compat)
		for k := n; k < len(dst); k++ {
			if dst[k].ccc == 0 {
				sortRun(dst[run:k])
				run = k + 1
			}
		}
	}
	sortRun(dst[run:])
	return dst
}

func sortRun(s []nchar) {
	if len(s) > 1 {
		sort.SliceStable(s, func(i, j int) bool { return s[i].ccc < s[j].ccc })
	}
}

// compose applies canonical composition to the decomposed characters in place and returns the
// result, following the algorithm of UAX #15 (as the Rust unicode-normalization crate runs it).
func compose(s []nchar) []nchar {
	out := s[:0]
	var buf []nchar // blocked characters waiting behind the composee; reuses s's tail is unsafe
	has := false
	var k nchar
	lastCCC := -1
	flush := func() {
		if has {
			out = append(out, k)
		}
		out = append(out, buf...)
		buf = buf[:0]
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		class := int(ch.ccc)
		if !has {
			if class != 0 {
				out = append(out, ch)
				continue
			}
			k, has = ch, true
			continue
		}
		if lastCCC >= 0 && lastCCC >= class {
			if class == 0 {
				flush()
				k, lastCCC = ch, -1
				continue
			}
			buf = append(buf, ch)
			lastCCC = class
			continue
		}
		if !k.raw && !ch.raw {
			if c, ok := composePair(k.r, ch.r); ok {
				k = nchar{r: c, change: k.change + ch.change - 1, ccc: cccOf(c)}
				continue
			}
		}
		if lastCCC < 0 && class == 0 {
			flush()
			k = ch
			continue
		}
		buf = append(buf, ch)
		lastCCC = class
	}
	flush()
	return out
}

var (
	composeOnce  sync.Once
	composeTable map[[2]rune]rune
)

// composePair returns the primary composite of a and b.
func composePair(a, b rune) (rune, bool) {
	if a >= hangulLBase && a < hangulLBase+hangulLCount && b >= hangulVBase && b < hangulVBase+hangulVCount {
		return hangulSBase + ((a-hangulLBase)*hangulVCount+(b-hangulVBase))*hangulTCount, true
	}
	if a >= hangulSBase && a < hangulSBase+hangulSCount && (a-hangulSBase)%hangulTCount == 0 &&
		b > hangulTBase && b < hangulTBase+hangulTCount {
		return a + (b - hangulTBase), true
	}
	if b < 0x300 {
		return 0, false
	}
	composeOnce.Do(buildComposeTable)
	c, ok := composeTable[[2]rune{a, b}]
	return c, ok
}

// buildComposeTable derives the primary composites from the NFD and NFC data of x/text.
func buildComposeTable() {
	composeTable = make(map[[2]rune]rune, 1024)
	var buf [utf8.UTFMax]byte
	for r := rune(0xC0); r < 0x20000; r++ {
		if r >= 0xD800 && r < 0xE000 || r >= hangulSBase && r < hangulSBase+hangulSCount {
			continue
		}
		n := utf8.EncodeRune(buf[:], r)
		d := norm.NFD.Properties(buf[:n]).Decomposition()
		if len(d) == 0 || !norm.NFC.IsNormal(buf[:n]) {
			continue
		}
		last, size := utf8.DecodeLastRune(d)
		head := norm.NFC.Bytes(d[:len(d)-size])
		first, fsize := utf8.DecodeRune(head)
		if fsize != len(head) {
			continue
		}
		pair := append(append([]byte{}, head...), d[len(d)-size:]...)
		if string(norm.NFC.Bytes(pair)) == string(buf[:n]) {
			composeTable[[2]rune{first, last}] = r
		}
	}
}

// applyForm rebuilds src in the given normalization form into t.
func applyForm(t *transformer, scratch *[]nchar, compat, composed bool) {
	s := decompose((*scratch)[:0], t.src.text, compat)
	if composed {
		s = compose(s)
	}
	*scratch = s
	for _, c := range s {
		switch {
		case c.raw:
			t.keep()
		case c.change > 0:
			t.insert(c.r)
		default:
			t.replace(c.r)
			for n := c.change; n < 0; n++ {
				t.skip()
			}
		}
	}
}

// isASCII reports whether b is pure ASCII (every form leaves it unchanged).
func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
