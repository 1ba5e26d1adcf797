package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hfgo/hfgo/tokenizer"
)

// goldenCase is one case of a golden-ids file: the ids (and maybe tokens)
// another tokenizer gives for a text, special tokens added.
type goldenCase struct {
	Text   *string   `json:"text"`
	IDs    *[]int    `json:"ids"`
	Tokens *[]string `json:"tokens"`
}

// sharedVocab names, for a section whose tokenizer has no file of its own,
// the section whose tokenizer it shares: all-MiniLM-L6-v2 uses
// bert-base-uncased's uncased WordPiece vocabulary and normalizer.
var sharedVocab = map[string]string{"all_minilm": "bert_base_uncased"}

// goldenSections returns the sections of a golden-ids file: every value is
// a list of objects with a text and ids.
func goldenSections(top map[string]json.RawMessage) []string {
	var out []string
	for k, v := range top {
		var cases []goldenCase
		if json.Unmarshal(v, &cases) != nil || len(cases) == 0 {
			return nil
		}
		for _, c := range cases {
			if c.Text == nil || c.IDs == nil {
				return nil
			}
		}
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// goldenTokenizer returns the tokenizer.json beside path that a section
// uses: the longest NAME.tokenizer.json whose name (with '-' as '_') starts
// the section's name, directly or through sharedVocab.
func goldenTokenizer(path, section string) string {
	for prefix, to := range sharedVocab {
		if strings.HasPrefix(section, prefix) {
			section = to
		}
	}
	files, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "*.tokenizer.json"))
	best := ""
	for _, f := range files {
		name := strings.ReplaceAll(strings.TrimSuffix(filepath.Base(f), ".tokenizer.json"), "-", "_")
		if strings.HasPrefix(section, name) && len(filepath.Base(f)) > len(best) {
			best = filepath.Base(f)
		}
	}
	return best
}

// verifyGolden compares each section's ids (and tokens) with hfgo's
// encoding of the text, special tokens added.
func verifyGolden(ctx context.Context, path string, top map[string]json.RawMessage, sections []string, opts *Options) (*Report, error) {
	rep := &Report{Path: path, Kind: KindGolden, Tolerance: Exact}
	var srcs []string
	for _, name := range sections {
		var cases []goldenCase
		if err := json.Unmarshal(top[name], &cases); err != nil {
			return nil, fmt.Errorf("%w: %s: %s: %v", ErrReference, path, name, err)
		}
		tok, src, err := caseTokenizer(ctx, path, goldenTokenizer(path, name), opts)
		if err != nil {
			return nil, fmt.Errorf("section %s: %w", name, err)
		}
		if !slices.Contains(srcs, src) {
			srcs = append(srcs, src)
		}
		c := newCaseChecker(tok, true, false)
		for i, gc := range cases {
			checkGolden(c, i, gc)
		}
		rep.add(c.rows(name + ": ")...)
	}
	rep.Tokenizer = strings.Join(srcs, ", ")
	return rep, nil
}

// checkGolden checks one case; ids the reference gives by reading special
// tokens as text are a known difference when hfgo gives them with
// WithSplitSpecialTokens.
func checkGolden(c *caseChecker, i int, gc goldenCase) {
	enc, err := c.tok.Encode(*gc.Text, noExtras...)
	if err != nil {
		c.check("encode", i, *gc.Text, err.Error(), "", "")
		return
	}
	known := ""
	if !slices.Equal(enc.IDs, *gc.IDs) {
		split, err := c.tok.Encode(*gc.Text, append(noExtras, tokenizer.WithSplitSpecialTokens())...)
		if err == nil && slices.Equal(split.IDs, *gc.IDs) && (gc.Tokens == nil || slices.Equal(split.Tokens, *gc.Tokens)) {
			known = knownSplit
		}
	}
	c.check("ids", i, *gc.Text, orEmpty(enc.IDs), *gc.IDs, known)
	if gc.Tokens != nil {
		c.check("tokens", i, *gc.Text, orEmpty(enc.Tokens), *gc.Tokens, known)
	}
}

// isCaseFile reports whether the JSON file at path is a tokenizer case file.
func isCaseFile(path string) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(b, &top) != nil {
		return false
	}
	if raw, ok := top["cases"]; ok {
		var cases []tokCase
		return json.Unmarshal(raw, &cases) == nil
	}
	return len(rustSections(top)) > 0 || len(goldenSections(top)) > 0
}
