package hubtest

import (
	"strconv"
	"strings"
)

// rangeKind is what a Range header asks of a body.
type rangeKind int

const (
	rangeNone          rangeKind = iota // no usable Range: send the whole body (200)
	rangeSatisfiable                    // send bytes [start, end] (206)
	rangeUnsatisfiable                  // 416
)

// parseRange reads a Range header for a body of size bytes, as RFC 9110
// says for a single range: "bytes=a-b", "bytes=a-" or "bytes=-n". A header
// that is malformed, of another unit, or with several ranges is ignored, as
// the object stores behind the Hub's CDN do. It returns the inclusive range.
func parseRange(h string, size int64) (start, end int64, kind rangeKind) {
	spec, ok := strings.CutPrefix(strings.TrimSpace(h), "bytes=")
	if !ok || strings.Contains(spec, ",") {
		return 0, 0, rangeNone
	}
	first, last, ok := strings.Cut(strings.TrimSpace(spec), "-")
	if !ok {
		return 0, 0, rangeNone
	}
	first, last = strings.TrimSpace(first), strings.TrimSpace(last)
	if first == "" {
		n, err := parseDigits(last)
		if err != nil {
			return 0, 0, rangeNone
		}
		if n == 0 || size == 0 {
			return 0, 0, rangeUnsatisfiable
		}
		return max(size-n, 0), size - 1, rangeSatisfiable
	}
	a, err := parseDigits(first)
	if err != nil {
		return 0, 0, rangeNone
	}
	b := size - 1
	if last != "" {
		if b, err = parseDigits(last); err != nil || b < a {
			return 0, 0, rangeNone
		}
	}
	if a >= size {
		return 0, 0, rangeUnsatisfiable
	}
	return a, min(b, size-1), rangeSatisfiable
}

// parseDigits parses a non-negative decimal made of digits only.
func parseDigits(s string) (int64, error) {
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, strconv.ErrSyntax
	}
	return strconv.ParseInt(s, 10, 64)
}
