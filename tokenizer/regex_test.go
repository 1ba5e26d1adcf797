package tokenizer

import "testing"

// TestTranslateOnig checks the rewriting of Oniguruma patterns into Go's syntax; what they then
// match is checked against the Rust library by split_unicode.tokenizer.json.
func TestTranslateOnig(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{`[,;]`, `(?m)[,;]`},
		{`\s+`, `(?m)[` + onigSpace + `]+`},
		{`\S`, `(?m)[^` + onigSpace + `]`},
		{`[^\s\p{L}\d]+`, `(?m)[^` + onigSpace + `\p{L}\p{Nd}]+`},
		{`\D\\d`, `(?m)\P{Nd}\\d`},
		{`(?m:a.b)(?i-m)x(?:y)`, `(?m)(?s:a.b)(?i-s)x(?:y)`},
		{`[]\s]\]`, `(?m)[]` + onigSpace + `]\]`},
		{`\u00e9\x{85}`, `(?m)\x{00e9}\x{85}`},
	} {
		got, err := translateOnig(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("translateOnig(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{`\w`, `\W`, `\bx`, `x\B`, `[\S]`, `[[:digit:]]`, `[a[b]]`, `[a-z&&b]`, `\u12`} {
		if got, err := translateOnig(in); err == nil {
			t.Errorf("translateOnig(%q) = %q, want an error", in, got)
		}
	}
}
