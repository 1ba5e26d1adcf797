package tokenizer

import (
	"unicode"
	"unicode/utf8"
)

// Character classes, as the Rust `tokenizers` library and the Python tokenizers define them.
const (
	clsSpace   uint16 = 1 << iota // White_Space: Rust char::is_whitespace, regex \s
	clsPySpace                    // BertTokenizer._is_whitespace: ' ', \t, \n, \r and Zs
	clsControl                    // category C* (unassigned included), except \t \n \r
	clsPunct                      // BERT punctuation: ASCII 33-47, 58-64, 91-96, 123-126, and P*
	clsLetter                     // \p{L}
	clsNumber                     // \p{N}
	clsMn                         // nonspacing mark
	clsMark                       // any mark (Mn, Mc, Me)
	clsWord                       // regex \w: alphabetic, marks, Nd, Pc, join controls
	clsDigit                      // Rust char::is_numeric (N*)
)

var asciiClass = func() (t [utf8.RuneSelf]uint16) {
	for r := rune(0); r < utf8.RuneSelf; r++ {
		t[r] = computeClass(r)
	}
	return t
}()

// classOf returns the class flags of r.
func classOf(r rune) uint16 {
	if r >= 0 && r < utf8.RuneSelf {
		return asciiClass[r]
	}
	return computeClass(r)
}

func computeClass(r rune) uint16 {
	var c uint16
	if unicode.IsSpace(r) {
		c |= clsSpace
	}
	if r == ' ' || r == '\t' || r == '\n' || r == '\r' || unicode.Is(unicode.Zs, r) {
		c |= clsPySpace
	}
	if r != '\t' && r != '\n' && r != '\r' && isOther(r) {
		c |= clsControl
	}
	if isASCIIPunct(r) || unicode.IsPunct(r) {
		c |= clsPunct
	}
	if unicode.IsLetter(r) {
		c |= clsLetter
	}
	if unicode.IsNumber(r) {
		c |= clsNumber | clsDigit
	}
	if unicode.IsMark(r) {
		c |= clsMark
		if unicode.Is(unicode.Mn, r) {
			c |= clsMn
		}
	}
	if isWordChar(r) {
		c |= clsWord
	}
	return c
}

func isASCIIPunct(r rune) bool {
	return (r >= 33 && r <= 47) || (r >= 58 && r <= 64) || (r >= 91 && r <= 96) || (r >= 123 && r <= 126)
}

// isOther reports whether r is in a C* category, unassigned code points included (Python's
// unicodedata.category gives "Cn" for them and the Rust library's is_other agrees).
func isOther(r rune) bool {
	if unicode.In(r, unicode.C) {
		return true
	}
	return !unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Z)
}

// isWordChar is the \w of the Rust regex crate.
func isWordChar(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.Is(unicode.Nd, r) ||
		unicode.Is(unicode.Nl, r) || unicode.Is(unicode.Pc, r) ||
		unicode.Is(unicode.Other_Alphabetic, r) || r == 0x200C || r == 0x200D
}

// isCJK reports whether r is a CJK ideograph that BERT surrounds with spaces. The Python
// BertTokenizer and the Rust BertNormalizer disagree on one range: Python starts the block
// after Extension D at 0x2B820, Rust at 0x2B920.
func isCJK(r rune, python bool) bool {
	switch {
	case r < 0x3400:
		return false
	case r <= 0x4DBF:
		return true
	case r >= 0x4E00 && r <= 0x9FFF:
		return true
	case r >= 0xF900 && r <= 0xFAFF:
		return true
	case r >= 0x20000 && r <= 0x2A6DF:
		return true
	case r >= 0x2A700 && r <= 0x2B73F:
		return true
	case r >= 0x2B740 && r <= 0x2B81F:
		return true
	case r >= 0x2B820 && r <= 0x2CEAF:
		return python || r >= 0x2B920
	case r >= 0x2F800 && r <= 0x2FA1F:
		return true
	}
	return false
}

// decodeRune decodes the character at the start of b. An invalid byte is one character of
// size 1 read as U+FFFD, as a Go range loop reads it.
func decodeRune(b []byte) (rune, int) {
	if len(b) > 0 && b[0] < utf8.RuneSelf {
		return rune(b[0]), 1
	}
	return utf8.DecodeRune(b)
}

// lowerRune returns the full lowercase mapping of r (Rust char::to_lowercase, Python str.lower
// outside the final-sigma context): one character, and a second one or -1.
func lowerRune(r rune) (lo rune, extra rune) {
	if r < utf8.RuneSelf {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A', -1
		}
		return r, -1
	}
	if r == 0x130 { // LATIN CAPITAL LETTER I WITH DOT ABOVE: "i" + COMBINING DOT ABOVE
		return 'i', 0x307
	}
	return unicode.ToLower(r), -1
}

// charStart returns the start of the character of b that contains byte i.
func charStart(b []byte, i int) int {
	if i >= len(b) || b[i] < 0x80 || utf8.RuneStart(b[i]) {
		return i
	}
	for j := i - 1; j >= 0 && j >= i-3; j-- {
		if utf8.RuneStart(b[j]) {
			if _, size := utf8.DecodeRune(b[j:]); j+size > i {
				return j
			}
			return i
		}
	}
	return i
}

// charEnd returns the end of the character of b that contains byte i-1 (i itself when i is a
// character boundary).
func charEnd(b []byte, i int) int {
	if i <= 0 || i >= len(b) {
		return i
	}
	s := charStart(b, i-1)
	_, size := decodeRune(b[s:])
	if s+size > i {
		return s + size
	}
	return i
}
