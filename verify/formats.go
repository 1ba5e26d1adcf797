package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hfgo/hfgo/convert"
	"github.com/x448/float16"
)

// weightFormat is one weight file or folder of a formats reference.
type weightFormat struct {
	label     string // path relative to the reference folder
	path      string
	precision string // fp32, fp16 or bf16: the prefix of its expected outputs
}

// precisions maps config.json's torch_dtype to the prefix of the outputs.
var precisions = map[string]string{"float32": "fp32", "float16": "fp16", "bfloat16": "bf16"}

// verifyFormats verifies a formats reference: each weight format and
// precision runs on input.* and is compared with the outputs of its
// precision; the weights of each are compared with model.safetensors
// (exactly, or rounded to fp16/bf16).
func verifyFormats(ctx context.Context, dir string, m *manifest, opts *Options) (*Report, error) {
	if opts.Model != "" {
		return nil, fmt.Errorf("%w: %s: a formats reference verifies the weight files it holds; a model does not apply", ErrReference, dir)
	}
	exp, err := openExpected(dir, m.ExpectedFile)
	if err != nil {
		return nil, err
	}
	defer exp.Close()
	formats, err := findFormats(dir)
	if err != nil {
		return nil, err
	}
	rep := &Report{Path: dir, Kind: m.Kind, Model: dir, Tolerance: opts.tolerance(m.Tolerance)}
	names, bad := exp.names(m.Tensors)
	rep.add(bad...)
	in, err := formatsInput(exp, names, rep)
	if err != nil {
		return nil, err
	}
	ref, err := convert.Open(filepath.Join(dir, "model.safetensors"))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrReference, err)
	}
	defer ref.Close()
	covered := map[string]bool{}
	for _, f := range formats {
		covered[f.precision] = true
		res := newResults()
		if m.Kind == KindBERTFormats {
			runBERT(ctx, f.path, m, exp, []modelInput{in.named(f.precision)}, res)
		} else {
			runGPT2(ctx, f.path, m, exp, []modelInput{in.named(f.precision)}, res)
		}
		rep.merge(f.label+": ", outputRows(exp, names, f.precision, res, rep.Tolerance))
		if f.label != "model.safetensors" {
			rep.merge(f.label+": ", weightRows(ref, f))
		}
	}
	for _, n := range names {
		p, _, _ := strings.Cut(n, ".")
		if p != "input" && !covered[p] {
			rep.add(failRow(n, nil, "no weight format in %s has the precision %s", dir, p))
		}
	}
	return rep, nil
}

// named returns the input under another name (the precision whose outputs
// it computes).
func (in modelInput) named(name string) modelInput { in.name = name; return in }

// formatsInput reads input.*: the ids every format runs on.
func formatsInput(exp *expected, names []string, rep *Report) (modelInput, error) {
	in := modelInput{name: "input"}
	var err error
	if in.ids, err = exp.intRows("input.input_ids"); err != nil {
		return in, fmt.Errorf("%w: %v", ErrReference, err)
	}
	if exp.has("input.token_type_ids") {
		in.types, _ = exp.intRows("input.token_type_ids")
	}
	if exp.has("input.attention_mask") {
		in.mask, _ = exp.intRows("input.attention_mask")
	}
	for _, n := range names {
		if strings.HasPrefix(n, "input.") {
			t, _ := exp.get(n)
			rep.add(inputRow(n, t.shape, "the formats reference's input"))
		}
	}
	return in, nil
}

// outputRows compares the outputs of one format with prefix.*.
func outputRows(exp *expected, names []string, prefix string, res *results, tol Tolerance) *Report {
	sub := &Report{}
	for _, n := range names {
		if !strings.HasPrefix(n, prefix+".") {
			continue
		}
		want, err := exp.get(n)
		if err != nil {
			sub.add(failRow(n, nil, "%v", err))
			continue
		}
		sub.add(res.row(n, prefix, want, tol))
	}
	return sub
}

// findFormats lists the weight files and model folders of dir: every
// .safetensors and .bin file but expected.safetensors, and every sub-folder
// with a config.json.
func findFormats(dir string) ([]weightFormat, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrReference, err)
	}
	top, err := torchDType(dir)
	if err != nil {
		return nil, err
	}
	var out []weightFormat
	for _, e := range entries {
		name, path := e.Name(), filepath.Join(dir, e.Name())
		switch {
		case e.IsDir():
			if _, err := os.Stat(filepath.Join(path, "config.json")); err != nil {
				continue
			}
			p, err := torchDType(path)
			if err != nil {
				return nil, err
			}
			out = append(out, weightFormat{label: name, path: path, precision: p})
		case name == "expected.safetensors":
		case strings.HasSuffix(name, ".safetensors") || strings.HasSuffix(name, ".bin"):
			out = append(out, weightFormat{label: name, path: path, precision: top})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].label == "model.safetensors" && out[j].label != "model.safetensors" })
	return out, nil
}

// torchDType returns the precision prefix of the config.json in dir.
func torchDType(dir string) (string, error) {
	var cfg struct {
		TorchDType string `json:"torch_dtype"`
	}
	path := filepath.Join(dir, "config.json")
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrReference, err)
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		return "", fmt.Errorf("%w: %s: %v", ErrReference, path, err)
	}
	if cfg.TorchDType == "" {
		return "fp32", nil
	}
	p, ok := precisions[cfg.TorchDType]
	if !ok {
		return "", fmt.Errorf("%w: %s: torch_dtype %q is not float32, float16 or bfloat16", ErrReference, path, cfg.TorchDType)
	}
	return p, nil
}

// weightRows compares every tensor of a format with model.safetensors:
// exactly for fp32, rounded to the format's precision for fp16 and bf16.
// A tensor model.safetensors omits must be a tied copy of one it holds.
func weightRows(ref *convert.Checkpoint, f weightFormat) *Report {
	sub := &Report{}
	c, err := convert.Open(f.path)
	if err != nil {
		sub.add(failRow("weights", nil, "%v", err))
		return sub
	}
	defer c.Close()
	alias := map[string]string{}
	for _, g := range c.Aliases() {
		for _, n := range g {
			for _, o := range g {
				if _, ok := ref.Info(o); ok {
					alias[n] = o
				}
			}
		}
	}
	seen := map[string]bool{}
	for _, name := range c.Names() {
		seen[name] = true
		src := name
		if _, ok := ref.Info(name); !ok {
			if src = alias[name]; src == "" {
				info, _ := c.Info(name)
				sub.add(failRow("weight "+name, info.Shape, "not in model.safetensors, nor a tied copy of a tensor it holds"))
				continue
			}
		}
		sub.add(weightRow(ref, c, name, src, f.precision))
	}
	for _, name := range ref.Names() {
		if !seen[name] {
			info, _ := ref.Info(name)
			sub.add(failRow("weight "+name, info.Shape, "missing from this format"))
		}
	}
	return sub
}

// weightRow compares the tensor name of c with the tensor src of the fp32
// reference, rounded to precision.
func weightRow(ref, c *convert.Checkpoint, name, src, precision string) Row {
	label := "weight " + name
	want, shape, err := ref.Float32(src)
	if err != nil {
		return failRow(label, nil, "model.safetensors: %v", err)
	}
	got, gshape, err := c.Float32(name)
	if err != nil {
		return failRow(label, shape, "%v", err)
	}
	if fmt.Sprint(gshape) != fmt.Sprint(shape) {
		return failRow(label, shape, "shape %v, model.safetensors %v", gshape, shape)
	}
	if precision != "fp32" {
		rounded := make([]float32, len(want))
		for i, v := range want {
			rounded[i] = roundTo(precision, v)
		}
		want = rounded
	}
	return Compare(label, got, want, shape, Exact)
}

// roundTo rounds a float32 to fp16 or bf16 (to nearest, ties to even, as
// torch's .to() does) and widens it back.
func roundTo(precision string, v float32) float32 {
	if precision == "fp16" {
		return float16.Fromfloat32(v).Float32()
	}
	b := math.Float32bits(v)
	if v != v { // NaN
		return v
	}
	b += 0x7fff + (b>>16)&1
	return math.Float32frombits(b &^ 0xffff)
}
