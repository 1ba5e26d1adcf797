package verify

import (
	"fmt"
	"strings"
)

// Kinds of reference, as Report.Kind names them.
const (
	KindBERT        = "bert"              // a BERT model reference (manifest kind "bert")
	KindGPT2        = "gpt2"              // a GPT-2 model reference (manifest kind "gpt2")
	KindBERTFormats = "bert-formats"      // every weight format of one BERT
	KindGPT2Formats = "gpt2-formats"      // every weight format of one GPT-2
	KindPickle      = "pickle-edge-cases" // PyTorch pickle edge cases
	KindTokenizer   = "tokenizer-cases"   // slow-tokenizer cases (tokenizer_bert.json)
	KindRust        = "rust-cases"        // tokenizers-library cases (rust_cases.json)
	KindGolden      = "golden-ids"        // ids from other tokenizers (golden_js.json)
	KindSuite       = "suite"             // a folder of references with a top-level manifest
)

// Report is the outcome of verifying one reference.
type Report struct {
	// Path is the reference folder or file.
	Path string `json:"reference"`
	// Kind is one of the Kind* constants.
	Kind string `json:"kind"`
	// Model and Tokenizer are what hfgo loaded, when the reference needs them.
	Model     string `json:"model,omitempty"`
	Tokenizer string `json:"tokenizer,omitempty"`
	// Tolerance is the rule float tensors were compared with.
	Tolerance Tolerance `json:"tolerance"`
	// Rows holds one row per tensor of the reference (or per field of a
	// tokenizer case file), in the reference's order.
	Rows []Row `json:"rows"`
}

// OK reports whether every row passed (or is a known difference or an
// input) and at least one row was compared.
func (r *Report) OK() bool {
	compared := false
	for _, row := range r.Rows {
		if row.Status == Fail {
			return false
		}
		compared = compared || row.Status == Pass || row.Status == Known
	}
	return compared
}

// Failures returns the failing rows.
func (r *Report) Failures() []Row {
	var out []Row
	for _, row := range r.Rows {
		if row.Status == Fail {
			out = append(out, row)
		}
	}
	return out
}

// Count returns the number of rows of status s.
func (r *Report) Count(s Status) int {
	n := 0
	for _, row := range r.Rows {
		if row.Status == s {
			n++
		}
	}
	return n
}

// Row returns the row called name.
func (r *Report) Row(name string) (Row, bool) {
	for _, row := range r.Rows {
		if row.Name == name {
			return row, true
		}
	}
	return Row{}, false
}

// Summary is one line: the verdict and the count of rows of each status.
func (r *Report) Summary() string {
	verdict := "FAIL"
	if r.OK() {
		verdict = "OK"
	}
	parts := []string{fmt.Sprintf("%d passed", r.Count(Pass)), fmt.Sprintf("%d failed", r.Count(Fail))}
	if n := r.Count(Known); n > 0 {
		parts = append(parts, plural(n, "known difference"))
	}
	if n := r.Count(Input); n > 0 {
		parts = append(parts, plural(n, "input"))
	}
	return fmt.Sprintf("%s %s (%s): %s", verdict, r.Path, r.Kind, strings.Join(parts, ", "))
}

// add appends rows.
func (r *Report) add(rows ...Row) { r.Rows = append(r.Rows, rows...) }

// merge appends the rows of a sub-report, their names prefixed with prefix.
func (r *Report) merge(prefix string, sub *Report) {
	for _, row := range sub.Rows {
		row.Name = prefix + row.Name
		r.Rows = append(r.Rows, row)
	}
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
