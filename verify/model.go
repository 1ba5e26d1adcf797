package verify

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hfgo/hfgo/tokenizer"
)

// weightFiles are the names that make a folder hold a model's weights.
var weightFiles = []string{"model.safetensors", "model.safetensors.index.json", "pytorch_model.bin", "pytorch_model.bin.index.json"}

// hasModel reports whether dir holds config.json and weights.
func hasModel(dir string) bool {
	if _, err := os.Stat(filepath.Join(dir, "config.json")); err != nil {
		return false
	}
	for _, f := range weightFiles {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return true
		}
	}
	return false
}

// sources are the model and tokenizer a reference is verified against.
type sources struct {
	model  string // folder or weight file
	tok    *tokenizer.Tokenizer
	tokSrc string // where tok was read from
	tokErr error  // why there is no tokenizer
}

// loadTokenizer reads a tokenizer.json file or a model folder's tokenizer,
// once per path for one Reference call.
func (o *Options) loadTokenizer(path string) (*tokenizer.Tokenizer, error) {
	if tok, ok := o.toks[path]; ok {
		return tok, nil
	}
	src := path
	if fi, err := os.Stat(path); err == nil && !fi.IsDir() && !strings.HasSuffix(path, ".json") {
		src = filepath.Dir(path) // a weight file: its folder
	}
	var tok *tokenizer.Tokenizer
	var err error
	if strings.HasSuffix(src, ".json") {
		tok, err = tokenizer.LoadFile(src)
	} else {
		tok, err = tokenizer.Load(src)
	}
	if err == nil && o.toks != nil {
		o.toks[path] = tok
	}
	return tok, err
}

// resolveSources picks the model and tokenizer: those of opts.Model when
// given, else those the reference folder dir holds.
func resolveSources(ctx context.Context, dir string, opts *Options) (sources, error) {
	var s sources
	tokFrom := []string{dir}
	if opts.Model != "" {
		p, err := opts.resolveModel(ctx)
		if err != nil {
			return s, fmt.Errorf("%w: %v", ErrNoModel, err)
		}
		if !strings.HasSuffix(p, ".json") || filepath.Base(p) == "config.json" {
			s.model = p
		}
		tokFrom = []string{p, dir}
	} else if hasModel(dir) {
		s.model = dir
	}
	for _, p := range tokFrom {
		tok, err := opts.loadTokenizer(p)
		if err == nil {
			s.tok, s.tokSrc, s.tokErr = tok, p, nil
			break
		}
		if s.tokErr == nil {
			s.tokErr = err
		}
	}
	return s, nil
}

// results holds what hfgo computed for a reference, by tensor name, and why
// it could not compute the others.
type results struct {
	t      map[string]tensor
	why    map[string]error // per tensor
	prefix map[string]error // per input: its forward pass failed
	all    error            // the model could not be loaded
}

func newResults() *results {
	return &results{t: map[string]tensor{}, why: map[string]error{}, prefix: map[string]error{}}
}

func (r *results) put(name string, t tensor) { r.t[name] = t }

// cannot records why the tensors name... are not computed.
func (r *results) cannot(err error, names ...string) {
	if err == nil {
		return
	}
	for _, n := range names {
		if _, ok := r.why[n]; !ok {
			r.why[n] = err
		}
	}
}

// row compares the computed tensor name with the expected one, or explains
// why there is none.
func (r *results) row(name, prefix string, want tensor, tol Tolerance) Row {
	if got, ok := r.t[name]; ok {
		return compareTensor(name, got, want, tol)
	}
	if err, ok := r.why[name]; ok {
		return failRow(name, want.shape, "%v", err)
	}
	if err := r.prefix[prefix]; err != nil {
		return failRow(name, want.shape, "%v", err)
	}
	if r.all != nil {
		return failRow(name, want.shape, "%v", r.all)
	}
	return failRow(name, want.shape, "hfgo does not compute %q", strings.TrimPrefix(name, prefix+"."))
}

// modelInput is one input of a model reference: the ids the model runs on.
type modelInput struct {
	name              string
	ids, types, mask  [][]int
	generatedNewToken int // new tokens of the reference's generation, 0 for none
}

// verifyModel verifies a BERT or GPT-2 model reference.
func verifyModel(ctx context.Context, dir string, m *manifest, opts *Options) (*Report, error) {
	exp, err := openExpected(dir, m.ExpectedFile)
	if err != nil {
		return nil, err
	}
	defer exp.Close()
	src, err := resolveSources(ctx, dir, opts)
	if err != nil {
		return nil, err
	}
	if src.model == "" {
		return nil, fmt.Errorf("%w: %s holds no config.json and weights, and no model was given", ErrNoModel, dir)
	}
	rep := &Report{Path: dir, Kind: m.Kind, Model: src.model, Tokenizer: src.tokSrc, Tolerance: opts.tolerance(m.Tolerance)}
	names, bad := exp.names(m.Tensors)
	rep.add(bad...)
	res := newResults()
	tokRows := tokenize(m, exp, src, res)
	inputs, err := modelInputs(m, exp, res)
	if err != nil {
		return nil, err
	}
	if m.Kind == KindBERT {
		runBERT(ctx, src.model, m, exp, inputs, res)
	} else {
		runGPT2(ctx, src.model, m, exp, inputs, res)
	}
	prefixes := make([]string, len(inputs))
	for i, in := range inputs {
		prefixes[i] = in.name
	}
	for _, n := range names {
		want, err := exp.get(n)
		if err != nil {
			rep.add(failRow(n, nil, "%v", err))
			continue
		}
		p := prefixOf(n, prefixes)
		if p == "" {
			rep.add(topLevelRow(n, want))
			continue
		}
		rep.add(res.row(n, p, want, rep.Tolerance))
		if strings.HasSuffix(n, ".input_ids") {
			rep.add(tokRows[p]...)
		}
	}
	return rep, nil
}

// topLevelRow is the row of a tensor that belongs to no input: the logit
// columns are inputs, anything else is a tensor hfgo does not know.
func topLevelRow(name string, want tensor) Row {
	if (name == "mlm_logits_cols" || name == "logits_cols") && want.isInt {
		return inputRow(name, want.shape, "vocabulary columns of the *_sel tensors")
	}
	return failRow(name, want.shape, "hfgo does not compute %q: it belongs to no input of the manifest", name)
}

// prefixOf returns the input name that name starts with ("t0" for
// "t0.last_hidden_state"), the longest if several do.
func prefixOf(name string, prefixes []string) string {
	best := ""
	for _, p := range prefixes {
		if strings.HasPrefix(name, p+".") && len(p) > len(best) {
			best = p
		}
	}
	return best
}

// modelInputs lists the inputs the model runs on: the reference's ids from
// expected.safetensors (so that a tokenizer difference shows in the ids
// rows only), else the manifest's, else hfgo's tokenization.
func modelInputs(m *manifest, exp *expected, res *results) ([]modelInput, error) {
	var out []modelInput
	for _, mi := range m.Inputs {
		if mi.Name == "" {
			return nil, fmt.Errorf("%w: %s: an input has no name", ErrReference, exp.path)
		}
		in := modelInput{name: mi.Name}
		var err error
		if in.ids, err = idRows(exp, mi.Name+".input_ids", res); err != nil || in.ids == nil {
			if err == nil {
				err = fmt.Errorf("input %s has no input_ids", mi.Name)
			}
			res.prefix[mi.Name] = err
			out = append(out, in)
			continue
		}
		in.mask, _ = idRows(exp, mi.Name+".attention_mask", res)
		if m.Kind == KindBERT || exp.has(mi.Name+".token_type_ids") {
			// GPT-2 embeds token type ids through wte: only those the
			// reference passed.
			in.types, _ = idRows(exp, mi.Name+".token_type_ids", res)
		}
		if t, err := exp.get(mi.Name + ".generated_ids"); err == nil && len(t.shape) == 2 {
			in.generatedNewToken = t.shape[1] - len(in.ids[0])
		}
		out = append(out, in)
	}
	return out, nil
}

// idRows reads [batch, seq] ids from the reference, else from hfgo's
// tokenization of the input.
func idRows(exp *expected, name string, res *results) ([][]int, error) {
	if exp.has(name) {
		return exp.intRows(name)
	}
	t, ok := res.t[name]
	if !ok || len(t.shape) != 2 {
		return nil, nil
	}
	rows := make([][]int, t.shape[0])
	for b := range rows {
		for _, v := range t.i[b*t.shape[1] : (b+1)*t.shape[1]] {
			rows[b] = append(rows[b], int(v))
		}
	}
	return rows, nil
}

// tokenize runs hfgo's tokenizer on the manifest's texts: the ids, token
// type ids and attention masks go into res (compared with the reference's
// tensors), and the returned rows, by input, compare the tokens and the
// manifest's own input_ids.
func tokenize(m *manifest, exp *expected, src sources, res *results) map[string][]Row {
	rows := map[string][]Row{}
	for _, mi := range m.Inputs {
		fields := []string{mi.Name + ".input_ids", mi.Name + ".token_type_ids", mi.Name + ".attention_mask"}
		if mi.Text == nil && mi.Texts == nil {
			res.cannot(fmt.Errorf("input %s has no text: the ids are an input", mi.Name), fields...)
			continue
		}
		if src.tok == nil {
			res.cannot(fmt.Errorf("no tokenizer: %v", src.tokErr), fields...)
			continue
		}
		encs, err := encodeInput(src.tok, mi)
		if err != nil {
			res.cannot(fmt.Errorf("tokenizing input %s: %v", mi.Name, err), fields...)
			continue
		}
		n := len(encs[0].IDs)
		get := []func(*tokenizer.Encoding) []int{
			func(e *tokenizer.Encoding) []int { return e.IDs },
			func(e *tokenizer.Encoding) []int { return e.TypeIDs },
			func(e *tokenizer.Encoding) []int { return e.AttentionMask },
		}
		for f, name := range fields {
			var v []int64
			for _, e := range encs {
				for _, x := range get[f](e) {
					v = append(v, int64(x))
				}
			}
			res.put(name, ints(v, len(encs), n))
		}
		if mi.Tokens != nil && len(encs) == 1 {
			rows[mi.Name] = append(rows[mi.Name], compareStrings(mi.Name+".tokens", encs[0].Tokens, mi.Tokens))
		}
		if r, ok := manifestIDsRow(mi, exp); ok {
			rows[mi.Name] = append(rows[mi.Name], r)
		}
	}
	return rows
}

// encodeInput encodes a text, a pair or a batch as transformers' tokenizer
// call does: special tokens, no truncation, a batch padded to its longest.
func encodeInput(tok *tokenizer.Tokenizer, mi manifestInput) ([]*tokenizer.Encoding, error) {
	switch {
	case mi.Texts != nil:
		return tok.EncodeBatch(context.Background(), mi.Texts, tokenizer.WithoutTruncation(), tokenizer.WithPadding(0, false))
	case mi.TextPair != nil:
		e, err := tok.EncodePair(*mi.Text, *mi.TextPair, tokenizer.WithoutTruncation(), tokenizer.WithoutPadding())
		return []*tokenizer.Encoding{e}, err
	}
	e, err := tok.Encode(*mi.Text, tokenizer.WithoutTruncation(), tokenizer.WithoutPadding())
	return []*tokenizer.Encoding{e}, err
}

// manifestIDsRow checks that the manifest's input_ids are those of
// expected.safetensors: a reference that disagrees with itself fails.
func manifestIDsRow(mi manifestInput, exp *expected) (Row, bool) {
	rows, err := mi.ids()
	name := "manifest: " + mi.Name + ".input_ids"
	if err != nil {
		return failRow(name, nil, "%v", err), true
	}
	want, werr := exp.intRows(mi.Name + ".input_ids")
	if rows == nil || werr != nil {
		return Row{}, false
	}
	var got, flat []int64
	for _, r := range rows {
		got = append(got, r...)
	}
	for _, r := range want {
		for _, v := range r {
			flat = append(flat, int64(v))
		}
	}
	shape := []int{len(want), 0}
	if len(want) > 0 {
		shape[1] = len(want[0])
	}
	r := CompareInts(name, got, flat, shape)
	if r.Status == Fail {
		r.Detail = "manifest.json's input_ids differ from expected.safetensors: " + r.Detail
	}
	return r, true
}

// compareStrings compares token strings exactly.
func compareStrings(name string, got, want []string) Row {
	r := Row{Name: name, Shape: []int{len(want)}, MaxAbs: nan, MaxRel: nan, Status: Pass}
	if slices.Equal(got, want) {
		return r
	}
	r.Status = Fail
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	r.Detail = fmt.Sprintf("first difference at %d: hfgo %q, the reference %q", i, at(got, i), at(want, i))
	return r
}

// at returns s[i], or "" past its end.
func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return "(end)"
}
