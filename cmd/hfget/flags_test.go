package main

import (
	"errors"
	"flag"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestCommandHelp runs -h on every command and checks that it succeeds, prints
// nothing on stdout, and begins with the command's usage line and ends with
// its flags.
func TestCommandHelp(t *testing.T) {
	t.Parallel()
	usage := map[string]string{
		"cache ls":     "usage: hfget cache ls [--revisions] [--cache-dir DIR]\n",
		"cache rm":     "usage: hfget cache ls [--revisions] [--cache-dir DIR]\n",
		"cache verify": "usage: hfget cache ls [--revisions] [--cache-dir DIR]\n",
		"convert":      "usage: hfget convert SRC DST [--dtype f32|f16|bf16] [--max-shard-size 5GB]\n",
		"download":     "usage: hfget [download] REPO_ID [FILES...] [flags]\n",
		"inspect":      "usage: hfget inspect [--json] [--revision REV] FILE|DIR|REPO\n",
		"ls":           "usage: hfget ls REPO_ID [--revision REV] [--repo-type TYPE] [--token TOKEN]\n",
		"run":          "usage: hfget run MODEL [--task TASK] [flags] [TEXT...]\n",
		"serve":        "usage: hfget serve [DIR] [--addr 127.0.0.1:8080] [--cdn-addr localhost:8081]\n",
		"verify":       "usage: hfget verify [--model DIR|FILE|REPO] [--json] [--failures] [--atol A] [--rtol R] REFERENCE\n",
	}
	for name := range commands {
		if _, ok := usage[name]; !ok && name != "cache" {
			t.Errorf("command %q: no usage line in this test", name)
		}
	}
	for name, want := range usage {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			code, out, errs := cli(t, nil, append(strings.Fields(name), "-h")...)
			if code != exitOK || out != "" {
				t.Errorf("hfget %s -h: exit %d, stdout %q; want 0 and nothing", name, code, out)
			}
			if !strings.HasPrefix(errs, want) {
				t.Errorf("hfget %s -h: stderr begins %q; want %q", name, firstLine(errs), want)
			}
			if !strings.Contains(errs, "\n  -") || !strings.HasSuffix(errs, "\n") {
				t.Errorf("hfget %s -h: no flags at the end of\n%s", name, errs)
			}
		})
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func TestNewFlagSetUsage(t *testing.T) {
	t.Parallel()
	var errb strings.Builder
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: &errb}
	fs := newFlagSet(e, "x", "usage: x A", "\nDoes x.", "\nFlags:")
	fs.Bool("v", false, "verbose")
	fs.Usage()
	want := "usage: x A\n\nDoes x.\n\nFlags:\n  -v\tverbose\n"
	if diff := cmp.Diff(want, errb.String()); diff != "" {
		t.Errorf("usage (-want +got):\n%s", diff)
	}
}

func TestParseArgs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		args           []string
		minPos, maxPos int
		want           []string
		wantErr        error // nil, flag.ErrHelp or errArgCount; other errors: wantCode
		wantCode       int
		wantUsage      bool
	}{
		{"flags between", []string{"a", "-v", "b"}, 1, -1, []string{"a", "b"}, nil, 0, false},
		{"flags after", []string{"a", "b", "-v"}, 2, 2, []string{"a", "b"}, nil, 0, false},
		{"none allowed", nil, 0, 1, nil, nil, 0, false},
		{"too few", []string{"-v"}, 1, 1, nil, errArgCount, exitUsage, true},
		{"too many", []string{"a", "b"}, 0, 1, nil, errArgCount, exitUsage, true},
		{"help", []string{"a", "-h"}, 1, 1, nil, flag.ErrHelp, exitOK, true},
		{"unknown flag", []string{"--nope"}, 0, -1, nil, nil, exitUsage, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var errb strings.Builder
			e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: &errb}
			fs := newFlagSet(e, "x", "usage: x")
			fs.Bool("v", false, "verbose")
			pos, err := parseArgs(fs, tt.args, tt.minPos, tt.maxPos)
			if diff := cmp.Diff(tt.want, pos); diff != "" {
				t.Errorf("positional arguments (-want +got):\n%s", diff)
			}
			ok := tt.wantCode == 0 && tt.wantErr == nil
			switch {
			case ok && err != nil:
				t.Errorf("err = %v; want nil", err)
			case !ok && err == nil:
				t.Errorf("err = nil; want an error")
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Errorf("err = %v; want %v", err, tt.wantErr)
			case err != nil && usageExit(err) != tt.wantCode:
				t.Errorf("usageExit(%v) = %d; want %d", err, usageExit(err), tt.wantCode)
			}
			if got := strings.Contains(errb.String(), "usage: x\n"); got != tt.wantUsage {
				t.Errorf("usage printed: %v; want %v (stderr %q)", got, tt.wantUsage, errb.String())
			}
		})
	}
}
