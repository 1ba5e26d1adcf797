package verify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hfgo/hfgo/hub"
	"github.com/hfgo/hfgo/tokenizer"
)

// ErrReference is wrapped by every error about a reference that cannot be
// read: a missing manifest or expected file, JSON that is not one of the
// reference formats.
var ErrReference = errors.New("verify: invalid reference")

// ErrNoModel is returned when a reference needs a model or a tokenizer that
// neither the reference folder nor Options.Model provides.
var ErrNoModel = errors.New("verify: no model to verify")

// Options configures Reference. The zero value verifies the model the
// reference folder holds.
type Options struct {
	// Model is what to verify against the reference: a model folder, a
	// weight file with config.json beside it, a tokenizer.json (for a
	// tokenizer case file) or a Hub repo id, downloaded into the cache
	// (configs, tokenizer and one weight format). Empty means the files the
	// reference itself holds.
	Model string
	// Revision is the branch, tag or commit of a repo id (default main).
	Revision string
	// Client downloads a repo id; nil means a client configured from the
	// environment (HF_ENDPOINT, HF_HOME, HF_TOKEN, HF_HUB_OFFLINE...).
	Client *hub.Client
	// Tolerance, when set, replaces the reference's tolerance rule.
	Tolerance *Tolerance

	toks map[string]*tokenizer.Tokenizer // loaded during one Reference call
}

// Reference verifies the reference at path (a folder or a tokenizer case
// file, in the format of hfgo's testdata/fixtures) against what hfgo
// computes, and returns one row per tensor. An error means the reference
// could not be read or there is nothing to verify it against; a value out
// of tolerance is a failing row, not an error.
//
// The kinds of reference, told apart by their manifest:
//   - a model reference (manifest kind "bert" or "gpt2"): the texts of the
//     manifest go through the tokenizer (ids compared exactly with the
//     reference's), then the model runs on the reference's ids and every
//     tensor of expected.safetensors is compared;
//   - a formats reference ("bert-formats", "gpt2-formats"): every weight
//     format and precision in the folder runs on the inputs and is compared
//     with fp32.*, fp16.* or bf16.*, and each format's weights with
//     model.safetensors;
//   - a pickle edge-case folder (edge_cases.json): every tensor of the .bin
//     files against edge_cases_expected.safetensors and edge_cases.json;
//   - a tokenizer case file (tokenizer_bert.json, rust_cases.json,
//     golden_js.json): tokens, ids, ids with special tokens, offsets and
//     decoded text, case by case;
//   - a folder of references with a top-level manifest listing its files
//     (testdata/fixtures): every file's size and sha256, then each reference.
func Reference(ctx context.Context, path string, opts *Options) (*Report, error) {
	o := Options{}
	if opts != nil {
		o = *opts
	}
	if o.toks == nil {
		o.toks = map[string]*tokenizer.Tokenizer{}
	}
	opts = &o
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrReference, err)
	}
	if !fi.IsDir() {
		if filepath.Base(path) == "manifest.json" {
			return Reference(ctx, filepath.Dir(path), opts)
		}
		return verifyCaseFile(ctx, path, opts)
	}
	if _, err := os.Stat(filepath.Join(path, "edge_cases.json")); err == nil {
		return verifyPickle(path, opts)
	}
	m, err := readManifest(path)
	if err != nil {
		return nil, err
	}
	switch {
	case m.Kind == KindBERT || m.Kind == KindGPT2:
		return verifyModel(ctx, path, m, opts)
	case m.Kind == KindBERTFormats || m.Kind == KindGPT2Formats:
		return verifyFormats(ctx, path, m, opts)
	case m.Kind == "" && len(m.Files) > 0:
		return verifySuite(ctx, path, m, opts)
	}
	return nil, fmt.Errorf("%w: %s: unknown kind %q (want bert, gpt2, bert-formats or gpt2-formats)", ErrReference, filepath.Join(path, "manifest.json"), m.Kind)
}

// tolerance returns the rule to compare with: the options', else the
// manifest's, else the default.
func (o *Options) tolerance(fromManifest *Tolerance) Tolerance {
	switch {
	case o.Tolerance != nil:
		return *o.Tolerance
	case fromManifest != nil:
		return *fromManifest
	}
	return DefaultTolerance
}

// resolveModel returns the local path of opts.Model: the path itself when
// it exists, else the snapshot folder of the repo id it names.
func (o *Options) resolveModel(ctx context.Context) (string, error) {
	if _, err := os.Stat(o.Model); err == nil || hub.ValidateRepoID(o.Model) != nil {
		return o.Model, err
	}
	c := o.Client
	if c == nil {
		var err error
		if c, err = hub.NewClient(); err != nil {
			return "", err
		}
	}
	dir, err := c.SnapshotDownload(ctx, o.Model, &hub.SnapshotOptions{Revision: o.Revision, Select: hub.SelectDefault})
	if err != nil {
		return "", fmt.Errorf("%s is not a local path, and as a repo id: %w", o.Model, err)
	}
	return dir, nil
}

// readJSON decodes the JSON file at path into v.
func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrReference, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrReference, path, err)
	}
	return nil
}
