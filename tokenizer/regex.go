package tokenizer

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// The Rust library runs the regular expressions of a tokenizer.json with Oniguruma, in its Ruby
// syntax. Go's regexp reads most of them alike, but not all: in Ruby ^ and $ match at every line,
// (?m) lets . match a newline, and \s and \d are Unicode classes, where Go's are ASCII. compileOnig
// rewrites those into Go's syntax; what Go would read otherwise and cannot be rewritten (\w and \b,
// Unicode in Ruby, ASCII in Go; POSIX brackets; nested classes) is refused, never read differently.

// onigSpace is Oniguruma's Unicode \s: \t \n \v \f \r, NEL and the separators (Zs, Zl, Zp).
const onigSpace = `\t-\r\x{85}\p{Z}`

// compileOnig compiles an Oniguruma (Ruby syntax) pattern with Go's regexp, with its Oniguruma
// meaning.
func compileOnig(pattern string) (*regexp.Regexp, error) {
	expr, err := translateOnig(pattern)
	if err != nil {
		return nil, err
	}
	return regexp.Compile(expr)
}

// translateOnig rewrites an Oniguruma pattern into Go's syntax.
func translateOnig(p string) (string, error) {
	var b strings.Builder
	b.WriteString("(?m)")
	inClass := false
	classStart := 0 // index of the first member of the current class
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p):
			i++
			n, err := translateEscape(&b, p[i:], inClass)
			if err != nil {
				return "", err
			}
			i += n
		case c == '[' && !inClass:
			inClass = true
			b.WriteByte(c)
			if i+1 < len(p) && p[i+1] == '^' {
				i++
				b.WriteByte('^')
			}
			classStart = i + 1
		case c == '[':
			if strings.HasPrefix(p[i:], "[:") {
				return "", errors.New("POSIX bracket classes are Unicode in Oniguruma, ASCII in Go")
			}
			return "", errors.New("nested character classes are not Go syntax")
		case c == '&' && inClass && strings.HasPrefix(p[i:], "&&"):
			return "", errors.New("character class intersection (&&) is not Go syntax")
		case c == ']' && inClass && i > classStart:
			inClass = false
			b.WriteByte(c)
		case c == '(' && !inClass && strings.HasPrefix(p[i:], "(?"):
			// Ruby's m flag is Go's s flag (. matches a newline).
			j := i + 2
			for j < len(p) && (p[j] == '-' || 'a' <= p[j] && p[j] <= 'z') {
				j++
			}
			b.WriteString("(?")
			b.WriteString(strings.ReplaceAll(p[i+2:j], "m", "s"))
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// translateEscape writes the Go form of the escape whose letter starts rest (the backslash is
// already read) and returns how many bytes after the letter it consumed.
func translateEscape(b *strings.Builder, rest string, inClass bool) (int, error) {
	switch e := rest[0]; e {
	case 's':
		if inClass {
			b.WriteString(onigSpace)
		} else {
			b.WriteString("[" + onigSpace + "]")
		}
	case 'S':
		if inClass {
			return 0, errors.New(`\S inside a character class has no Go equivalent`)
		}
		b.WriteString("[^" + onigSpace + "]")
	case 'd':
		b.WriteString(`\p{Nd}`)
	case 'D':
		b.WriteString(`\P{Nd}`)
	case 'w', 'W', 'b', 'B':
		return 0, fmt.Errorf(`\%c is Unicode in Oniguruma, ASCII in Go`, e)
	case 'u':
		// \uHHHH, Ruby's code point escape.
		if len(rest) < 5 || strings.Trim(rest[1:5], "0123456789abcdefABCDEF") != "" {
			return 0, errors.New(`\u wants four hexadecimal digits`)
		}
		b.WriteString(`\x{` + rest[1:5] + `}`)
		return 4, nil
	default:
		b.WriteByte('\\')
		b.WriteByte(e)
	}
	return 0, nil
}
