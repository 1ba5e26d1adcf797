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

// tokCase is one case of a tokenizer case file; absent fields are nil.
type tokCase struct {
	Text               string    `json:"text"`
	Tokens             *[]string `json:"tokens"`
	IDs                *[]int    `json:"ids"`
	IDsWithSpecial     *[]int    `json:"ids_with_special"`
	TokensWithSpecial  *[]string `json:"tokens_with_special"`
	Offsets            *[][2]int `json:"offsets"`
	OffsetsWithSpecial *[][2]int `json:"offsets_with_special"`
	Decode             *string   `json:"decode"`
	DecodeWithSpecial  *string   `json:"decode_with_special"`
	DecodeCleanup      *string   `json:"decode_default_cleanup"`
}

// slowCaseFile is tokenizer_bert.json / tokenizer_gpt2.json: cases of the
// slow Python tokenizers, whose files "files" names.
type slowCaseFile struct {
	Files string    `json:"files"`
	Cases []tokCase `json:"cases"`
}

// rustSection is one tokenizer of rust_cases.json.
type rustSection struct {
	TokenizerJSON string    `json:"tokenizer_json"`
	Cases         []tokCase `json:"cases"`
}

// verifyCaseFile verifies a tokenizer case file, telling its kind by its
// shape: "cases" at the top (slow tokenizers), sections with
// "tokenizer_json" and "cases" (the Rust library), or sections that are
// lists of {text, ids} (ids from other tokenizers).
func verifyCaseFile(ctx context.Context, path string, opts *Options) (*Report, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrReference, err)
	}
	return verifyCases(ctx, path, b, opts)
}

// verifyCases verifies the contents b of the case file at path.
func verifyCases(ctx context.Context, path string, b []byte, opts *Options) (*Report, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(b, &top); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrReference, path, err)
	}
	if _, ok := top["cases"]; ok {
		var f slowCaseFile
		if err := json.Unmarshal(b, &f); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrReference, path, err)
		}
		return verifySlowCases(ctx, path, &f, opts)
	}
	if rust := rustSections(top); len(rust) > 0 {
		return verifyRustCases(ctx, path, top, rust, opts)
	}
	if golden := goldenSections(top); len(golden) > 0 {
		return verifyGolden(ctx, path, top, golden, opts)
	}
	return nil, fmt.Errorf("%w: %s is not a reference: no manifest.json, and not a tokenizer case file", ErrReference, path)
}

// caseTokenizer loads the tokenizer of a case file: opts.Model when given,
// else def (relative to the case file's folder).
func caseTokenizer(ctx context.Context, path, def string, opts *Options) (*tokenizer.Tokenizer, string, error) {
	src := def
	if opts.Model != "" {
		p, err := opts.resolveModel(ctx)
		if err != nil {
			return nil, "", fmt.Errorf("%w: %v", ErrNoModel, err)
		}
		src = p
	} else if def == "" {
		return nil, "", fmt.Errorf("%w: %s names no tokenizer: give one", ErrNoModel, path)
	} else {
		src = filepath.Join(filepath.Dir(path), def)
	}
	tok, err := opts.loadTokenizer(src)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %v", ErrNoModel, err)
	}
	return tok, src, nil
}

// rustSemantics reports whether a tokenizer read from src follows the Rust
// library (a tokenizer.json) rather than the slow Python classes.
func rustSemantics(src string) bool {
	if strings.HasSuffix(src, ".json") {
		return true
	}
	_, err := os.Stat(filepath.Join(src, "tokenizer.json"))
	return err == nil
}

// verifySlowCases compares tokens, ids (with and without special tokens)
// and decoded text with the slow tokenizers' cases.
func verifySlowCases(ctx context.Context, path string, f *slowCaseFile, opts *Options) (*Report, error) {
	def := ""
	if first, _, _ := strings.Cut(f.Files, ","); strings.TrimSpace(first) != "" {
		def = filepath.Dir(strings.TrimSpace(first))
	}
	tok, src, err := caseTokenizer(ctx, path, def, opts)
	if err != nil {
		return nil, err
	}
	rep := &Report{Path: path, Kind: KindTokenizer, Tokenizer: src, Tolerance: Exact}
	c := newCaseChecker(tok, rustSemantics(src), false)
	rep.add(c.run("", f.Cases)...)
	return rep, nil
}

// rustSections returns the sections of a rust_cases.json-style file.
func rustSections(top map[string]json.RawMessage) []string {
	var out []string
	for k, v := range top {
		var s struct {
			TokenizerJSON *string         `json:"tokenizer_json"`
			Cases         json.RawMessage `json:"cases"`
		}
		if json.Unmarshal(v, &s) == nil && s.TokenizerJSON != nil && s.Cases != nil {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// verifyRustCases compares every section of a rust_cases.json-style file
// with the tokenizer.json it names: ids, tokens and character offsets with
// and without special tokens, and the decoded ids_with_special (special
// tokens skipped).
func verifyRustCases(ctx context.Context, path string, top map[string]json.RawMessage, sections []string, opts *Options) (*Report, error) {
	rep := &Report{Path: path, Kind: KindRust, Tolerance: Exact}
	var srcs []string
	for _, name := range sections {
		var s rustSection
		if err := json.Unmarshal(top[name], &s); err != nil {
			return nil, fmt.Errorf("%w: %s: %s: %v", ErrReference, path, name, err)
		}
		tok, src, err := caseTokenizer(ctx, path, s.TokenizerJSON, opts)
		if err != nil {
			return nil, err
		}
		srcs = append(srcs, src)
		c := newCaseChecker(tok, rustSemantics(src), true)
		rep.add(c.run(name+": ", s.Cases)...)
	}
	rep.Tokenizer = strings.Join(srcs, ", ")
	return rep, nil
}
