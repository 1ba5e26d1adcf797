package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/hfgo/hfgo/hub"
	"github.com/hfgo/hfgo/verify"
)

func init() {
	commands["verify"] = command{summary: "check that hfgo computes what transformers computed (a reference folder or tokenizer case file)", run: runVerify}
}

// verifyOptions holds the arguments of hfget verify.
type verifyOptions struct {
	reference  string
	model      string
	revision   string
	json       bool
	failures   bool
	atol, rtol *float64 // nil: the reference's
}

func runVerify(ctx context.Context, e *env, args []string) int {
	o, err := parseVerify(e, args)
	if err != nil {
		return usageExit(err)
	}
	opts := &verify.Options{Model: o.model, Revision: o.revision}
	if o.atol != nil || o.rtol != nil {
		tol := verify.DefaultTolerance
		if o.atol != nil {
			tol.ATol = *o.atol
		}
		if o.rtol != nil {
			tol.RTol = *o.rtol
		}
		opts.Tolerance = &tol
	}
	if o.model != "" {
		c, err := hub.NewClient(hub.WithEnv(e.getenv))
		if err != nil {
			fmt.Fprintf(e.stderr, "hfget verify: %v\n", err)
			return exitFailure
		}
		opts.Client = c
	}
	rep, err := verify.Reference(ctx, o.reference, opts)
	if err != nil {
		fmt.Fprintf(e.stderr, "hfget verify: %v\n", err)
		return exitFailure
	}
	if o.json {
		err = writeJSON(e.stdout, verifyJSON{Report: rep, OK: rep.OK(), Summary: rep.Summary()})
	} else {
		err = writeVerifyText(e.stdout, rep, o.failures)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "hfget verify: %v\n", err)
		return exitFailure
	}
	if !rep.OK() {
		return exitFailure
	}
	return exitOK
}

// verifyJSON is the --json output: the report, its verdict and summary.
type verifyJSON struct {
	*verify.Report
	OK      bool   `json:"ok"`
	Summary string `json:"summary"`
}

// parseVerify parses REFERENCE with flags before or after it.
func parseVerify(e *env, args []string) (*verifyOptions, error) {
	fs := newFlagSet(e, "verify", "usage: hfget verify [--model DIR|FILE|REPO] [--json] [--failures] [--atol A] [--rtol R] REFERENCE",
		"\nRuns hfgo on the inputs of a reference written by transformers (a folder in the",
		"format of testdata/fixtures, as tools/reference/hfgo_reference.py writes it, or a",
		"tokenizer case file) and compares every tensor: |got-want| <= atol + rtol·|want|,",
		"ids exact. Exits 0 when everything passes, 1 otherwise.",
		"\nFlags:")
	o := &verifyOptions{}
	fs.StringVar(&o.model, "model", "", "model `DIR|FILE|REPO` to verify (default: the model the reference folder holds); a tokenizer folder or tokenizer.json for a case file")
	fs.StringVar(&o.revision, "revision", "", "revision of a --model repo id (branch, tag or commit)")
	fs.BoolVar(&o.json, "json", false, "print the report as JSON")
	fs.BoolVar(&o.failures, "failures", false, "print only the rows that did not pass, and the summary")
	var atol, rtol float64
	fs.Float64Var(&atol, "atol", 0, "absolute tolerance (default: the reference's)")
	fs.Float64Var(&rtol, "rtol", 0, "relative tolerance (default: the reference's)")
	pos, err := parseArgs(fs, args, 1, 1)
	if err != nil {
		return nil, err
	}
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "atol":
			o.atol = &atol
		case "rtol":
			o.rtol = &rtol
		}
	})
	if !(atol >= 0 && rtol >= 0) {
		fmt.Fprintln(e.stderr, "hfget verify: tolerances must not be negative")
		return nil, errors.New("negative tolerance")
	}
	o.reference = pos[0]
	return o, nil
}

// writeVerifyText prints the header, one row per tensor, and the summary.
func writeVerifyText(w io.Writer, r *verify.Report, failuresOnly bool) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "reference\t%s (%s)\n", r.Path, r.Kind)
	if r.Model != "" {
		fmt.Fprintf(tw, "model\t%s\n", r.Model)
	}
	if r.Tokenizer != "" {
		fmt.Fprintf(tw, "tokenizer\t%s\n", r.Tokenizer)
	}
	fmt.Fprintf(tw, "tolerance\t%s; ids exact\n", r.Tolerance)
	if err := tw.Flush(); err != nil {
		return err
	}
	var rows []verify.Row
	for _, row := range r.Rows {
		if !failuresOnly || row.Status == verify.Fail || row.Status == verify.Known {
			rows = append(rows, row)
		}
	}
	if len(rows) > 0 {
		if err := writeVerifyRows(w, rows); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(w, "\n%s\n", r.Summary())
	return err
}

// writeVerifyRows prints the table of rows.
func writeVerifyRows(w io.Writer, rows []verify.Row) error {
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSHAPE\tMAX ABS\tMAX REL\tRESULT")
	for _, row := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", row.Name, shapeString(row.Shape), errString(row.MaxAbs), errString(row.MaxRel), result(row))
	}
	return tw.Flush()
}

// errString prints an error figure, "-" when nothing numeric was compared.
func errString(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return fmt.Sprintf("%.3g", v)
}

// result is the RESULT column: the status, and why for a row that did not
// pass.
func result(r verify.Row) string {
	if r.Detail == "" || r.Status == verify.Input {
		return string(r.Status)
	}
	return strings.ToUpper(string(r.Status)) + ": " + r.Detail
}
