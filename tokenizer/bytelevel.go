package tokenizer

import "unicode/utf8"

// GPT-2's byte-level alphabet: every byte is shown as a printable character (bytes_to_unicode in
// the GPT-2 sources): '!'..'~', '¡'..'¬' and '®'..'ÿ' stand for themselves, the 68 other bytes
// for U+0100 onwards, in order.
var (
	byteToRune [256]rune
	byteToStr  [256]string
	runeToByte = map[rune]byte{}
)

func init() {
	n := rune(0)
	for b := 0; b < 256; b++ {
		if (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF) {
			byteToRune[b] = rune(b)
		} else {
			byteToRune[b] = 256 + n
			n++
		}
		byteToStr[b] = string(byteToRune[b])
		runeToByte[byteToRune[b]] = byte(b)
	}
}

// byteLevelString returns the byte-level form of raw bytes.
func byteLevelString(dst []byte, raw []byte) []byte {
	for _, b := range raw {
		dst = utf8.AppendRune(dst, byteToRune[b])
	}
	return dst
}

// Classes of the GPT-2 pre-tokenizer pattern
// 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
const (
	gOther = iota
	gLetter
	gNumber
	gSpace
)

var gpt2ASCII = func() (t [utf8.RuneSelf]uint8) {
	for r := rune(0); r < utf8.RuneSelf; r++ {
		t[r] = gpt2ClassSlow(r)
	}
	return t
}()

func gpt2ClassSlow(r rune) uint8 {
	c := classOf(r)
	switch {
	case c&clsLetter != 0:
		return gLetter
	case c&clsNumber != 0:
		return gNumber
	case c&clsSpace != 0:
		return gSpace
	}
	return gOther
}

// gpt2Class returns the class of the character at the start of b and its size.
func gpt2Class(b []byte) (uint8, int) {
	if b[0] < utf8.RuneSelf {
		return gpt2ASCII[b[0]], 1
	}
	r, size := decodeRune(b)
	return gpt2ClassSlow(r), size
}

// gpt2Next returns the end of the GPT-2 pre-token that starts at b[i] (i < len(b)).
func gpt2Next(b []byte, i int) int {
	end, _ := gpt2Scan(b, i)
	return end
}

// gpt2Scan runs the pattern's alternatives in order at b[i], with the (?!\S) lookahead done by
// hand, and returns the end of the pre-token and the number of characters it read: at most the
// token's and one more, so a whole text is split in linear time.
func gpt2Scan(b []byte, i int) (end, steps int) {
	if b[i] == '\'' && i+1 < len(b) {
		switch b[i+1] {
		case 's', 't', 'm', 'd':
			return i + 2, 2
		case 'r', 'v':
			if i+2 < len(b) && b[i+2] == 'e' {
				return i + 3, 3
			}
		case 'l':
			if i+2 < len(b) && b[i+2] == 'l' {
				return i + 3, 3
			}
		}
	}
	class, size := gpt2Class(b[i:])
	steps = 1
	j := i + size
	if b[i] == ' ' && j < len(b) {
		steps++
		if c2, s2 := gpt2Class(b[j:]); c2 != gSpace {
			class, j = c2, j+s2
		}
	}
	if class != gSpace {
		for j < len(b) {
			steps++
			if c := b[j]; c < utf8.RuneSelf { // ASCII fast path
				if gpt2ASCII[c] != class {
					break
				}
				j++
				continue
			}
			c, s := gpt2Class(b[j:])
			if c != class {
				break
			}
			j += s
		}
		return j, steps
	}
	// A run of whitespace: \s+(?!\S) takes all of it at the end of the text, else all but its
	// last character; a single whitespace character before a non-space is \s+.
	last := i
	for j < len(b) {
		steps++
		c, s := gpt2Class(b[j:])
		if c != gSpace {
			break
		}
		last = j
		j += s
	}
	if j == len(b) || last == i {
		return j, steps
	}
	return last, steps
}

// decodeByteLevel appends the bytes the byte-level characters of token stand for; a token with a
// character outside the alphabet is copied as it is (the Rust ByteLevel decoder does the same).
func decodeByteLevel(dst []byte, token string) []byte {
	n := len(dst)
	for _, r := range token {
		b, ok := runeToByte[r]
		if !ok {
			return append(dst[:n], token...)
		}
		dst = append(dst, b)
	}
	return dst
}

// appendLossy appends b to dst with every maximal ill-formed subsequence replaced by U+FFFD, as
// Python's bytes.decode("utf-8", errors="replace") and Rust's String::from_utf8_lossy do.
func appendLossy(dst []byte, b []byte) []byte {
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			dst = append(dst, b[i])
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r != utf8.RuneError || size > 1 {
			dst = append(dst, b[i:i+size]...)
			i += size
			continue
		}
		dst = append(dst, "\uFFFD"...)
		i += maximalSubpart(b[i:])
	}
	return dst
}

// maximalSubpart returns the length of the maximal prefix of b (which does not start with a
// well-formed character) that could begin a well-formed sequence, at least 1 (Unicode 3.9, D93b).
func maximalSubpart(b []byte) int {
	c := b[0]
	var need int
	lo, hi := byte(0x80), byte(0xBF)
	switch {
	case c >= 0xC2 && c <= 0xDF:
		need = 1
	case c == 0xE0:
		need, lo = 2, 0xA0
	case c >= 0xE1 && c <= 0xEC, c == 0xEE, c == 0xEF:
		need = 2
	case c == 0xED:
		need, hi = 2, 0x9F
	case c == 0xF0:
		need, lo = 3, 0x90
	case c >= 0xF1 && c <= 0xF3:
		need = 3
	case c == 0xF4:
		need, hi = 3, 0x8F
	default:
		return 1
	}
	n := 1
	for k := 0; k < need && n < len(b); k++ {
		x := b[n]
		if x < lo || x > hi {
			break
		}
		n++
		lo, hi = 0x80, 0xBF
	}
	return n
}
