// Package jsonscan reads JSON text strictly and without reflection, for the
// file formats whose readers must refuse what the Rust libraries refuse
// (safetensors headers and indexes) or read tens of thousands of elements
// without a value each (tokenizer vocabularies). Strings are decoded as
// serde_json decodes them: escapes, surrogate pairs, lone surrogates an
// error.
package jsonscan

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// Parser is a strict JSON reader over text already checked to be valid
// UTF-8. It reads one copy of the text, or the text itself, so its memory
// use is bounded by the text's size.
type Parser struct {
	b     string
	pos   int
	depth int
	owned bool   // strings are copies of their own
	spare []byte // the buffer of the last escaped string skipped
}

// New returns a Parser at the start of b. The strings it returns are
// substrings of its copy of b (unless they hold escapes), for a caller
// that keeps none of them long.
func New(b []byte) *Parser { return &Parser{b: string(b)} }

// NewOwned returns a Parser at the start of b whose strings are each a
// copy of their own: keeping one keeps nothing of b alive. It reads b in
// place, without a copy, so b must not change while the Parser is in use.
func NewOwned(b []byte) *Parser {
	return &Parser{b: unsafe.String(unsafe.SliceData(b), len(b)), owned: true}
}

// sub returns the text [start, end).
func (p *Parser) sub(start, end int) string {
	if p.owned {
		return strings.Clone(p.b[start:end])
	}
	return p.b[start:end]
}

// maxDepth bounds the nesting of values the parser skips, as serde_json's
// recursion limit does.
const maxDepth = 128

// ErrSyntax is the error of text that is not JSON, or not the JSON a
// caller asked for.
var ErrSyntax = errors.New("invalid JSON")

// Fail returns an ErrSyntax at the current position.
func (p *Parser) Fail(format string, args ...any) error {
	return fmt.Errorf("%w at byte %d: %s", ErrSyntax, p.pos, fmt.Sprintf(format, args...))
}

// Pos returns the position in bytes.
func (p *Parser) Pos() int { return p.pos }

// Since returns the text from start to the position.
func (p *Parser) Since(start int) string { return p.sub(start, p.pos) }

// End returns an error unless only white space is left; what names the
// value read.
func (p *Parser) End(what string) error {
	if p.ws(); p.pos != len(p.b) {
		return p.Fail("data after the %s", what)
	}
	return nil
}

func (p *Parser) ws() {
	for p.pos < len(p.b) {
		switch p.b[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

// Peek returns the next non-blank byte without consuming it, or 0 at the end.
func (p *Parser) Peek() byte {
	p.ws()
	if p.pos >= len(p.b) {
		return 0
	}
	return p.b[p.pos]
}

func (p *Parser) Expect(c byte) error {
	if p.Peek() != c {
		if p.pos >= len(p.b) {
			return p.Fail("unexpected end, want %q", c)
		}
		return p.Fail("found %q, want %q", p.b[p.pos], c)
	}
	p.pos++
	return nil
}

// Object reads an object, calling member for every key; member must consume
// the value.
func (p *Parser) Object(member func(key string) error) error {
	return p.object(member, true)
}

// object is Object, passing member "" for every key unless keep.
func (p *Parser) object(member func(key string) error, keep bool) error {
	if err := p.Expect('{'); err != nil {
		return err
	}
	if p.Peek() == '}' {
		p.pos++
		return nil
	}
	for {
		if p.Peek() != '"' {
			return p.Fail("want an object key")
		}
		key, err := p.str(keep)
		if err != nil {
			return err
		}
		if err := p.Expect(':'); err != nil {
			return err
		}
		p.ws()
		if err := member(key); err != nil {
			return err
		}
		switch p.Peek() {
		case ',':
			p.pos++
		case '}':
			p.pos++
			return nil
		default:
			return p.Fail("want ',' or '}' after an object member")
		}
	}
}

// Array reads an array, calling elem for every element; elem must consume it.
func (p *Parser) Array(elem func() error) error {
	if err := p.Expect('['); err != nil {
		return err
	}
	if p.Peek() == ']' {
		p.pos++
		return nil
	}
	for {
		p.ws()
		if err := elem(); err != nil {
			return err
		}
		switch p.Peek() {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return nil
		default:
			return p.Fail("want ',' or ']' after an array element")
		}
	}
}

// Str reads a string, decoding escapes; lone surrogates are errors, as
// in serde_json.
func (p *Parser) Str() (string, error) {
	return p.str(true)
}

// str is Str, returning "" for any string unless keep (so that skipped
// strings cost no allocation).
func (p *Parser) str(keep bool) (string, error) {
	if err := p.Expect('"'); err != nil {
		return "", err
	}
	start := p.pos
	for p.pos < len(p.b) {
		switch c := p.b[p.pos]; {
		case c == '"':
			var s string
			if keep {
				s = p.sub(start, p.pos)
			}
			p.pos++
			return s, nil
		case c == '\\':
			return p.escapedString(start, keep)
		case c < 0x20:
			return "", p.Fail("control character in string")
		default:
			p.pos++
		}
	}
	return "", p.Fail("unterminated string")
}

func (p *Parser) escapedString(start int, keep bool) (string, error) {
	buf := p.spare[:0]
	if keep {
		buf = append([]byte(nil), p.b[start:p.pos]...)
	}
	for p.pos < len(p.b) {
		c := p.b[p.pos]
		switch {
		case c == '"':
			p.pos++
			if !keep {
				p.spare = buf[:0]
				return "", nil
			}
			return string(buf), nil
		case c < 0x20:
			return "", p.Fail("control character in string")
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
			return "", p.Fail("invalid escape \\%c", e)
		}
	}
	return "", p.Fail("unterminated string")
}

// unicodeEscape reads the XXXX of \uXXXX (and a low surrogate after a high
// one).
func (p *Parser) unicodeEscape() (rune, error) {
	r, err := p.hex4()
	if err != nil {
		return 0, err
	}
	if !utf16.IsSurrogate(r) {
		return r, nil
	}
	if r >= 0xDC00 || p.pos+2 > len(p.b) || p.b[p.pos] != '\\' || p.b[p.pos+1] != 'u' {
		return 0, p.Fail("lone surrogate in \\u escape")
	}
	p.pos += 2
	r2, err := p.hex4()
	if err != nil {
		return 0, err
	}
	combined := utf16.DecodeRune(r, r2)
	if combined == utf8.RuneError {
		return 0, p.Fail("lone surrogate in \\u escape")
	}
	return combined, nil
}

func (p *Parser) hex4() (rune, error) {
	if p.pos+4 > len(p.b) {
		return 0, p.Fail("short \\u escape")
	}
	var r rune
	for i := p.pos; i < p.pos+4; i++ {
		c := p.b[i]
		var v byte
		switch {
		case '0' <= c && c <= '9':
			v = c - '0'
		case 'a' <= c && c <= 'f':
			v = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			v = c - 'A' + 10
		default:
			return 0, p.Fail("invalid \\u escape")
		}
		r = r<<4 | rune(v)
	}
	p.pos += 4
	return r, nil
}

// Uint reads a non-negative integer that fits in an int64; floats, exponents
// and negative numbers are rejected (serde_json does not turn them into
// usize either).
func (p *Parser) Uint() (int64, error) {
	start := p.pos
	var v uint64
	for p.pos < len(p.b) && '0' <= p.b[p.pos] && p.b[p.pos] <= '9' {
		d := uint64(p.b[p.pos] - '0')
		if v > (math.MaxInt64-d)/10 {
			return 0, p.Fail("integer too large")
		}
		v = v*10 + d
		p.pos++
	}
	switch {
	case p.pos == start:
		return 0, p.Fail("want a non-negative integer")
	case p.b[start] == '0' && p.pos-start > 1:
		return 0, p.Fail("leading zero in number")
	case p.pos < len(p.b) && (p.b[p.pos] == '.' || p.b[p.pos] == 'e' || p.b[p.pos] == 'E'):
		return 0, p.Fail("want an integer")
	}
	return int64(v), nil
}

// Skip consumes any JSON value.
func (p *Parser) Skip() error {
	switch c := p.Peek(); {
	case c == '"':
		_, err := p.str(false)
		return err
	case c == '{' || c == '[':
		if p.depth++; p.depth > maxDepth {
			return p.Fail("nested too deeply")
		}
		defer func() { p.depth-- }()
		if c == '{' {
			return p.object(func(string) error { return p.Skip() }, false)
		}
		return p.Array(p.Skip)
	case c == '-' || ('0' <= c && c <= '9'):
		return p.number()
	default:
		for _, lit := range []string{"true", "false", "null"} {
			if p.Literal(lit) {
				return nil
			}
		}
		return p.Fail("want a JSON value")
	}
}

// Literal consumes lit if it is next.
func (p *Parser) Literal(lit string) bool {
	p.ws()
	if len(p.b)-p.pos >= len(lit) && p.b[p.pos:p.pos+len(lit)] == lit {
		p.pos += len(lit)
		return true
	}
	return false
}

// number consumes a JSON number.
func (p *Parser) number() error {
	if p.pos < len(p.b) && p.b[p.pos] == '-' {
		p.pos++
	}
	if p.pos < len(p.b) && p.b[p.pos] == '0' {
		p.pos++
		if p.pos < len(p.b) && '0' <= p.b[p.pos] && p.b[p.pos] <= '9' {
			return p.Fail("leading zero in number")
		}
	} else if !p.digits() {
		return p.Fail("invalid number")
	}
	if p.pos < len(p.b) && p.b[p.pos] == '.' {
		p.pos++
		if !p.digits() {
			return p.Fail("invalid number")
		}
	}
	if p.pos < len(p.b) && (p.b[p.pos] == 'e' || p.b[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.b) && (p.b[p.pos] == '+' || p.b[p.pos] == '-') {
			p.pos++
		}
		if !p.digits() {
			return p.Fail("invalid number")
		}
	}
	return nil
}

func (p *Parser) digits() bool {
	start := p.pos
	for p.pos < len(p.b) && '0' <= p.b[p.pos] && p.b[p.pos] <= '9' {
		p.pos++
	}
	return p.pos > start
}
