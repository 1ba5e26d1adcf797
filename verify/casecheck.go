package verify

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hfgo/hfgo/tokenizer"
)

// caseChecker compares tokenizer cases field by field.
type caseChecker struct {
	tok *tokenizer.Tokenizer
	// rust tells the semantics of tok (a tokenizer.json), refRust those of
	// the reference (the Rust library rather than the slow Python classes).
	rust, refRust bool
	fields        []string
	stats         map[string]*fieldStats
}

// fieldStats gathers the outcome of one field over the cases.
type fieldStats struct {
	n             int
	fails, knowns []string
}

func newCaseChecker(tok *tokenizer.Tokenizer, rust, refRust bool) *caseChecker {
	return &caseChecker{tok: tok, rust: rust, refRust: refRust, stats: map[string]*fieldStats{}}
}

// known differences between the semantics of the Rust library and the slow
// Python tokenizers, as Row.Detail words them.
const (
	knownCleanup = "the Rust WordPiece decoder cleans up tokenization spaces token by token, the slow tokenizers on the whole string, so only the latter joins apostrophes (\"don ' t\" vs \"don't\")"
	knownSplit   = "the reference tokenizer reads special tokens written in the text as plain text (split_special_tokens); hfgo gives the reference's ids with that option"
)

// check records one field of one case; known is the documented reason the
// values may differ, or "".
func (c *caseChecker) check(field string, i int, text string, got, want any, known string) {
	s := c.stats[field]
	if s == nil {
		s = &fieldStats{}
		c.stats[field] = s
		c.fields = append(c.fields, field)
	}
	s.n++
	g, w := show(got), show(want)
	if g == w {
		return
	}
	d := fmt.Sprintf("case %d %s: hfgo %s, the reference %s", i, clip(fmt.Sprintf("%q", text)), clip(g), clip(w))
	if known != "" {
		s.knowns = append(s.knowns, d)
	} else {
		s.fails = append(s.fails, d)
	}
}

// rows returns a row per field (prefixed), and one per field with known
// differences.
func (c *caseChecker) rows(prefix string) []Row {
	var out []Row
	for _, f := range c.fields {
		s := c.stats[f]
		r := Row{Name: prefix + f, Shape: []int{s.n}, MaxAbs: nan, MaxRel: nan, Status: Pass}
		if len(s.fails) > 0 {
			r.Status = Fail
			r.Detail = listCases(len(s.fails), s.n, s.fails)
		}
		out = append(out, r)
		if len(s.knowns) > 0 {
			out = append(out, Row{Name: prefix + f + " (known difference)", Shape: []int{len(s.knowns)}, MaxAbs: nan, MaxRel: nan,
				Status: Known, Detail: knownReason(f) + ": " + listCases(len(s.knowns), s.n, s.knowns)})
		}
	}
	return out
}

func knownReason(field string) string {
	if strings.HasPrefix(field, "decode") {
		return knownCleanup
	}
	return knownSplit
}

// listCases words failures: how many, then the first three.
func listCases(k, n int, cases []string) string {
	head := cases[:min(3, len(cases))]
	s := fmt.Sprintf("%d of %d cases differ: %s", k, n, strings.Join(head, "; "))
	if len(cases) > len(head) {
		s += "; ..."
	}
	return s
}

// show renders a value for comparison and messages.
func show(v any) string {
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// clip shortens a long rendering.
func clip(s string) string {
	if r := []rune(s); len(r) > 80 {
		return string(r[:77]) + "..."
	}
	return s
}

// run checks every case and returns the rows.
func (c *caseChecker) run(prefix string, cases []tokCase) []Row {
	for i, tc := range cases {
		c.checkCase(i, tc)
	}
	return c.rows(prefix)
}

var noExtras = []tokenizer.Option{tokenizer.WithoutTruncation(), tokenizer.WithoutPadding()}

// checkCase checks the fields a case has.
func (c *caseChecker) checkCase(i int, tc tokCase) {
	plain, perr := c.tok.Encode(tc.Text, append(noExtras, tokenizer.WithoutSpecialTokens())...)
	full, ferr := c.tok.Encode(tc.Text, noExtras...)
	if perr != nil || ferr != nil {
		c.check("encode", i, tc.Text, fmt.Sprint(perr, ferr), "<nil> <nil>", "")
		return
	}
	if tc.Tokens != nil {
		c.check("tokens", i, tc.Text, orEmpty(plain.Tokens), *tc.Tokens, "")
	}
	if tc.IDs != nil {
		c.check("ids", i, tc.Text, orEmpty(plain.IDs), *tc.IDs, "")
	}
	if tc.TokensWithSpecial != nil {
		c.check("tokens_with_special", i, tc.Text, orEmpty(full.Tokens), *tc.TokensWithSpecial, "")
	}
	if tc.IDsWithSpecial != nil {
		c.check("ids_with_special", i, tc.Text, orEmpty(full.IDs), *tc.IDsWithSpecial, "")
	}
	if tc.Offsets != nil {
		c.check("offsets", i, tc.Text, orEmpty(plain.CharOffsets(tc.Text)), *tc.Offsets, "")
	}
	if tc.OffsetsWithSpecial != nil {
		c.check("offsets_with_special", i, tc.Text, orEmpty(full.CharOffsets(tc.Text)), *tc.OffsetsWithSpecial, "")
	}
	c.checkDecodes(i, tc)
}

// checkDecodes checks the decoded texts of the reference's own ids.
func (c *caseChecker) checkDecodes(i int, tc tokCase) {
	dec := func(field string, ids *[]int, want *string, o tokenizer.DecodeOptions) {
		if ids == nil || want == nil {
			return
		}
		got := c.tok.DecodeWith(*ids, o)
		c.check(field, i, tc.Text, got, *want, c.knownDecode(got, *want, o))
	}
	switch {
	case c.refRust: // rust_cases.json: decode(ids_with_special, skip_special_tokens=True)
		dec("decode", tc.IDsWithSpecial, tc.Decode, tokenizer.DecodeOptions{SkipSpecialTokens: true})
	case tc.DecodeCleanup != nil: // GPT2Tokenizer: decode without clean-up, and with the default
		dec("decode", tc.IDs, tc.Decode, tokenizer.DecodeOptions{Cleanup: tokenizer.CleanupOff})
		dec("decode_default_cleanup", tc.IDs, tc.DecodeCleanup, tokenizer.DecodeOptions{})
	default:
		dec("decode", tc.IDs, tc.Decode, tokenizer.DecodeOptions{})
	}
	dec("decode_with_special", tc.IDsWithSpecial, tc.DecodeWithSpecial, tokenizer.DecodeOptions{})
}

// knownDecode returns knownCleanup when got and want differ exactly by the
// clean-up the slow tokenizers apply to the whole string and the Rust
// WordPiece decoder applies token by token.
func (c *caseChecker) knownDecode(got, want string, o tokenizer.DecodeOptions) string {
	if got == want || o.Cleanup == tokenizer.CleanupOff || c.rust == c.refRust {
		return ""
	}
	if c.rust && cleanUpTokenization(got) == want || c.refRust && cleanUpTokenization(want) == got {
		return knownCleanup
	}
	return ""
}

// cleanUpTokenization is transformers' clean_up_tokenization.
func cleanUpTokenization(s string) string {
	return chainReplace(s,
		" .", ".", " ?", "?", " !", "!", " ,", ",", " ' ", "'", " n't", "n't",
		" 'm", "'m", " 's", "'s", " 've", "'ve", " 're", "'re")
}

// chainReplace applies the replacements one after the other, as Python's
// chained str.replace calls do.
func chainReplace(s string, pairs ...string) string {
	for i := 0; i+1 < len(pairs); i += 2 {
		s = strings.ReplaceAll(s, pairs[i], pairs[i+1])
	}
	return s
}

// orEmpty turns a nil slice into an empty one, so that it renders as [].
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
