// Command hfget downloads models from the Hugging Face Hub into the cache
// shared with Python's huggingface_hub, inspects and converts their weights,
// and runs them.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// env carries the process's streams and environment to a command, so tests
// run commands in memory.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

// command is one hfget subcommand: run parses args and does the work,
// returning an exit code.
type command struct {
	summary string
	run     func(ctx context.Context, e *env, args []string) int
}

// commands lists the subcommands by name. A first argument that is not a
// command name is a repo id for the download command.
var commands = map[string]command{}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv})
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, e *env) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(e.stderr)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	if c, ok := commands[args[0]]; ok {
		return c.run(ctx, e, args[1:])
	}
	if c, ok := commands["download"]; ok {
		return c.run(ctx, e, args)
	}
	fmt.Fprintf(e.stderr, "hfget: unknown command %q\n", args[0])
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: hfget REPO_ID [FILES...] [flags]   download into the Hugging Face cache")
	fmt.Fprintln(w, "       hfget COMMAND [args]")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'hfget COMMAND -h' for a command's flags.")
}
