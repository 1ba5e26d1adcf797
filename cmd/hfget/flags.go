package main

import (
	"errors"
	"flag"
	"fmt"
)

// errArgCount reports a wrong number of positional arguments, after the
// command's usage has been printed.
var errArgCount = errors.New("hfget: wrong number of arguments")

// newFlagSet returns the flag set of the command name: errors are returned,
// not fatal, output goes to stderr, and -h prints usage (one or more lines),
// then each line of description, then the flags.
func newFlagSet(e *env, name, usage string, description ...string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, usage)
		for _, l := range description {
			fmt.Fprintln(e.stderr, l)
		}
		fs.PrintDefaults()
	}
	return fs
}

// parseArgs parses args, flags and positional arguments interleaved, and
// returns the positional ones. Fewer than minPos or more than maxPos of them
// (maxPos < 0: no limit) print the usage and return errArgCount.
func parseArgs(fs *flag.FlagSet, args []string, minPos, maxPos int) ([]string, error) {
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) < minPos || (maxPos >= 0 && len(pos) > maxPos) {
		fs.Usage()
		return nil, errArgCount
	}
	return pos, nil
}

// parseInterleaved parses flags that may come before or after the
// positional arguments, which it returns.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// usageExit is the exit code of a command whose arguments did not parse:
// 0 after -h, 2 otherwise.
func usageExit(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	return exitUsage
}
