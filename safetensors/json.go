package safetensors

import (
	"errors"
	"fmt"
	"math"
	"unicode/utf16"
	"unicode/utf8"
)

// parser is a strict JSON reader over a header already checked to be valid
// UTF-8. It allocates only what it returns (keys, strings and the values the
// caller keeps), so its memory use is bounded by the size of the header.
type parser struct {
	b     []byte
	pos   int
	depth int
}

// maxDepth bounds the nesting of values the parser skips, as serde_json's
// recursion limit does.
const maxDepth = 128

var errSyntax = errors.New("invalid JSON")

func (p *parser) fail(format string, args ...any) error {
	return fmt.Errorf("%w at byte %d: %s", errSyntax, p.pos, fmt.Sprintf(format, args...))
}

func (p *parser) ws() {
	for p.pos < len(p.b) {
		switch p.b[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

// peek returns the next non-blank byte without consuming it, or 0 at the end.
func (p *parser) peek() byte {
	p.ws()
	if p.pos >= len(p.b) {
		return 0
	}
	return p.b[p.pos]
}

func (p *parser) expect(c byte) error {
	if p.peek() != c {
		if p.pos >= len(p.b) {
			return p.fail("unexpected end, want %q", c)
		}
		return p.fail("found %q, want %q", p.b[p.pos], c)
	}
	p.pos++
	return nil
}

// object reads an object, calling member for every key; member must consume
// the value.
func (p *parser) object(member func(key string) error) error {
	if err := p.expect('{'); err != nil {
		return err
	}
	if p.peek() == '}' {
		p.pos++
		return nil
	}
	for {
		if p.peek() != '"' {
			return p.fail("want an object key")
		}
		key, err := p.string()
		if err != nil {
			return err
		}
		if err := p.expect(':'); err != nil {
			return err
		}
		p.ws()
		if err := member(key); err != nil {
			return err
		}
		switch p.peek() {
		case ',':
			p.pos++
		case '}':
			p.pos++
			return nil
		default:
			return p.fail("want ',' or '}' after an object member")
		}
	}
}

// array reads an array, calling elem for every element; elem must consume it.
func (p *parser) array(elem func() error) error {
	if err := p.expect('['); err != nil {
		return err
	}
	if p.peek() == ']' {
		p.pos++
		return nil
	}
	for {
		p.ws()
		if err := elem(); err != nil {
			return err
		}
		switch p.peek() {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return nil
		default:
			return p.fail("want ',' or ']' after an array element")
		}
	}
}

// string reads a string, decoding escapes; lone surrogates are errors, as
// in serde_json.
func (p *parser) string() (string, error) {
	if err := p.expect('"'); err != nil {
		return "", err
	}
	start := p.pos
	for p.pos < len(p.b) {
		switch c := p.b[p.pos]; {
		case c == '"':
			s := string(p.b[start:p.pos])
			p.pos++
			return s, nil
		case c == '\\':
			return p.escapedString(start)
		case c < 0x20:
			return "", p.fail("control character in string")
		default:
			p.pos++
		}
	}
	return "", p.fail("unterminated string")
}

func (p *parser) escapedString(start int) (string, error) {
	buf := append([]byte(nil), p.b[start:p.pos]...)
	for p.pos < len(p.b) {
		c := p.b[p.pos]
		switch {
		case c == '"':
			p.pos++
			return string(buf), nil
		case c < 0x20:
			return "", p.fail("control character in string")
		case c != '\\':
			buf = append(buf, c)
			p.pos++
			continue
		}
		p.pos++
		if p.pos >= len(p.b) {
			break
		}
		e := p.b[p.pos]
		p.pos++
		switch e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, err := p.unicodeEscape()
			if err != nil {
				return "", err
			}
			buf = utf8.AppendRune(buf, r)
		default:
			return "", p.fail("invalid escape \\%c", e)
		}
	}
	return "", p.fail("unterminated string")
}

// unicodeEscape reads the XXXX of \uXXXX (and a low surrogate after a high
// one).
func (p *parser) unicodeEscape() (rune, error) {
	r, err := p.hex4()
	if err != nil {
		return 0, err
	}
	if !utf16.IsSurrogate(r) {
		return r, nil
	}
	if r >= 0xDC00 || p.pos+2 > len(p.b) || p.b[p.pos] != '\\' || p.b[p.pos+1] != 'u' {
		return 0, p.fail("lone surrogate in \\u escape")
	}
	p.pos += 2
	r2, err := p.hex4()
	if err != nil {
		return 0, err
	}
	combined := utf16.DecodeRune(r, r2)
	if combined == utf8.RuneError {
		return 0, p.fail("lone surrogate in \\u escape")
	}
	return combined, nil
}

func (p *parser) hex4() (rune, error) {
	if p.pos+4 > len(p.b) {
		return 0, p.fail("short \\u escape")
	}
	var r rune
	for _, c := range p.b[p.pos : p.pos+4] {
		var v byte
		switch {
		case '0' <= c && c <= '9':
			v = c - '0'
		case 'a' <= c && c <= 'f':
			v = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			v = c - 'A' + 10
		default:
			return 0, p.fail("invalid \\u escape")
		}
		r = r<<4 | rune(v)
	}
	p.pos += 4
	return r, nil
}

// uint reads a non-negative integer that fits in an int64; floats, exponents
// and negative numbers are rejected (serde_json does not turn them into
// usize either).
func (p *parser) uint() (int64, error) {
	start := p.pos
	var v uint64
	for p.pos < len(p.b) && '0' <= p.b[p.pos] && p.b[p.pos] <= '9' {
		d := uint64(p.b[p.pos] - '0')
		if v > (math.MaxInt64-d)/10 {
			return 0, p.fail("integer too large")
		}
		v = v*10 + d
		p.pos++
	}
	switch {
	case p.pos == start:
		return 0, p.fail("want a non-negative integer")
	case p.b[start] == '0' && p.pos-start > 1:
		return 0, p.fail("leading zero in number")
	case p.pos < len(p.b) && (p.b[p.pos] == '.' || p.b[p.pos] == 'e' || p.b[p.pos] == 'E'):
		return 0, p.fail("want an integer")
	}
	return int64(v), nil
}

// skip consumes any JSON value.
func (p *parser) skip() error {
	switch c := p.peek(); {
	case c == '"':
		_, err := p.string()
		return err
	case c == '{' || c == '[':
		if p.depth++; p.depth > maxDepth {
			return p.fail("nested too deeply")
		}
		defer func() { p.depth-- }()
		if c == '{' {
			return p.object(func(string) error { return p.skip() })
		}
		return p.array(p.skip)
	case c == '-' || ('0' <= c && c <= '9'):
		return p.number()
	default:
		for _, lit := range []string{"true", "false", "null"} {
			if p.literal(lit) {
				return nil
			}
		}
		return p.fail("want a JSON value")
	}
}

// literal consumes lit if it is next.
func (p *parser) literal(lit string) bool {
	p.ws()
	if len(p.b)-p.pos >= len(lit) && string(p.b[p.pos:p.pos+len(lit)]) == lit {
		p.pos += len(lit)
		return true
	}
	return false
}

// number consumes a JSON number.
func (p *parser) number() error {
	if p.pos < len(p.b) && p.b[p.pos] == '-' {
		p.pos++
	}
	if p.pos < len(p.b) && p.b[p.pos] == '0' {
		p.pos++
		if p.pos < len(p.b) && '0' <= p.b[p.pos] && p.b[p.pos] <= '9' {
			return p.fail("leading zero in number")
		}
	} else if !p.digits() {
		return p.fail("invalid number")
	}
	if p.pos < len(p.b) && p.b[p.pos] == '.' {
		p.pos++
		if !p.digits() {
			return p.fail("invalid number")
		}
	}
	if p.pos < len(p.b) && (p.b[p.pos] == 'e' || p.b[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.b) && (p.b[p.pos] == '+' || p.b[p.pos] == '-') {
			p.pos++
		}
		if !p.digits() {
			return p.fail("invalid number")
		}
	}
	return nil
}

func (p *parser) digits() bool {
	start := p.pos
	for p.pos < len(p.b) && '0' <= p.b[p.pos] && p.b[p.pos] <= '9' {
		p.pos++
	}
	return p.pos > start
}
