package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"text/tabwriter"

	"github.com/hfgo/hfgo/hub"
)

func init() {
	commands["cache"] = command{summary: "list, remove and verify what the Hugging Face cache holds (ls, rm, verify)", run: runCache}
}

// cacheUsageText is the usage of hfget cache and of each of its subcommands.
const cacheUsageText = `usage: hfget cache ls [--revisions] [--cache-dir DIR]
       hfget cache rm REPO_ID [--revision REV] [--repo-type TYPE] [--cache-dir DIR]
       hfget cache verify [REPO_ID] [--repo-type TYPE] [--cache-dir DIR]`

func cacheUsage(w io.Writer) { fmt.Fprintln(w, cacheUsageText) }

func runCache(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		cacheUsage(e.stderr)
		return exitUsage
	}
	switch args[0] {
	case "ls", "list":
		return runCacheLs(e, args[1:])
	case "rm", "delete":
		return runCacheRm(e, args[1:])
	case "verify":
		return runCacheVerify(ctx, e, args[1:])
	case "-h", "--help", "help":
		cacheUsage(e.stderr)
		return exitOK
	}
	fmt.Fprintf(e.stderr, "hfget cache: unknown subcommand %q\n", args[0])
	cacheUsage(e.stderr)
	return exitUsage
}

// cacheFlags are the flags the cache subcommands share.
type cacheFlags struct {
	fs        *flag.FlagSet
	cacheDir  *string
	repoType  *string
	revision  *string
	revisions *bool
	// client is the Hub client parse made to find the cache.
	client *hub.Client
}

func newCacheFlags(e *env, name string) *cacheFlags {
	fs := newFlagSet(e, "cache "+name, cacheUsageText)
	return &cacheFlags{fs: fs, cacheDir: fs.String("cache-dir", "", "Hub cache folder (default HF_HUB_CACHE or $HF_HOME/hub)")}
}

// parse returns the positional arguments and the cache folder, or an exit
// code.
func (f *cacheFlags) parse(e *env, args []string, maxPos int) ([]string, string, int) {
	pos, err := parseArgs(f.fs, args, 0, maxPos)
	if err != nil {
		return nil, "", usageExit(err)
	}
	c, err := newHubClient(e, *f.cacheDir, "")
	if err != nil {
		fmt.Fprintf(e.stderr, "hfget cache: %v\n", err)
		return nil, "", exitFailure
	}
	f.client = c
	return pos, c.CacheDir(), -1
}

func (f *cacheFlags) repoTypeFlag() hub.RepoType {
	t, _ := hub.ParseRepoType(*f.repoType)
	return t
}

func runCacheLs(e *env, args []string) int {
	f := newCacheFlags(e, "ls")
	f.revisions = f.fs.Bool("revisions", false, "one line per cached revision")
	_, dir, code := f.parse(e, args, 0)
	if code >= 0 {
		return code
	}
	ci, err := hub.ScanCache(dir)
	if errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(e.stderr, "no cache at %s\n", dir)
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "hfget cache ls: %v\n", err)
		return exitFailure
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	if *f.revisions {
		fmt.Fprintln(tw, "REPO ID\tTYPE\tREVISION\tSIZE\tFILES\tREFS\tMODIFIED")
		for _, r := range ci.Repos {
			for _, rev := range r.Revisions {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", r.ID, r.Type, rev.Commit, byteSize(rev.Size), len(rev.Files),
					strings.Join(rev.Refs, ","), rev.LastModified.Format("2006-01-02 15:04"))
			}
		}
	} else {
		fmt.Fprintln(tw, "REPO ID\tTYPE\tSIZE\tFILES\tREVISIONS\tREFS\tMODIFIED")
		for _, r := range ci.Repos {
			refs := make([]string, 0, len(r.Refs))
			for _, rev := range r.Revisions {
				refs = append(refs, rev.Refs...)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\t%s\n", r.ID, r.Type, byteSize(r.Size), r.Blobs, len(r.Revisions),
				strings.Join(refs, ","), r.LastModified.Format("2006-01-02 15:04"))
		}
	}
	if err := tw.Flush(); err != nil {
		return exitFailure
	}
	fmt.Fprintf(e.stderr, "%s, %s in %s\n", plural(len(ci.Repos), "repo"), byteSize(ci.Size()), dir)
	for _, w := range ci.Warnings {
		fmt.Fprintf(e.stderr, "warning: %v\n", w)
	}
	return exitOK
}

func runCacheRm(e *env, args []string) int {
	f := newCacheFlags(e, "rm")
	f.repoType = f.fs.String("repo-type", "model", "model, dataset or space")
	f.revision = f.fs.String("revision", "", "remove only this revision (a commit or a ref such as main)")
	pos, dir, code := f.parse(e, args, 1)
	if code >= 0 {
		return code
	}
	if len(pos) != 1 {
		f.fs.Usage()
		return exitUsage
	}
	if _, err := hub.ParseRepoType(*f.repoType); err != nil {
		fmt.Fprintf(e.stderr, "hfget cache rm: %v\n", err)
		return exitUsage
	}
	var freed int64
	var err error
	what := string(f.repoTypeFlag()) + " " + pos[0]
	if *f.revision != "" {
		freed, err = hub.DeleteRevision(dir, f.repoTypeFlag(), pos[0], *f.revision)
		what += " at " + *f.revision
	} else {
		freed, err = hub.DeleteRepo(dir, f.repoTypeFlag(), pos[0])
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "hfget cache rm: %s\n", hubErrorLine(err))
		return exitFailure
	}
	fmt.Fprintf(e.stdout, "removed %s (%s freed)\n", what, byteSize(freed))
	return exitOK
}

func runCacheVerify(ctx context.Context, e *env, args []string) int {
	f := newCacheFlags(e, "verify")
	f.repoType = f.fs.String("repo-type", "model", "model, dataset or space")
	pos, dir, code := f.parse(e, args, 1)
	if code >= 0 {
		return code
	}
	if _, err := hub.ParseRepoType(*f.repoType); err != nil {
		fmt.Fprintf(e.stderr, "hfget cache verify: %v\n", err)
		return exitUsage
	}
	// Snapshot files that are copies (a cache without symlinks) are
	// checked against the ETags the Hub lists when the cache has none.
	opts := &hub.VerifyOptions{RepoType: f.repoTypeFlag(), Client: f.client}
	if len(pos) == 1 {
		opts.RepoID = pos[0]
	}
	rep, err := hub.VerifyCache(ctx, dir, opts)
	if err != nil {
		fmt.Fprintf(e.stderr, "hfget cache verify: %s\n", hubErrorLine(err))
		return exitFailure
	}
	for _, p := range rep.Problems {
		if p.Path == "" {
			fmt.Fprintf(e.stdout, "BAD %s\n", p.Problem)
			continue
		}
		fmt.Fprintf(e.stdout, "BAD %s: %s\n", p.Path, p.Problem)
	}
	fmt.Fprintf(e.stderr, "checked %d blobs and %d snapshot files (%s): %d problems, %d not named by a hash\n",
		rep.Checked, rep.Files, byteSize(rep.Bytes), len(rep.Problems), len(rep.Unverifiable))
	if len(rep.Unknown) > 0 {
		fmt.Fprintf(e.stderr, "%d snapshot files not checked: they are copies and neither the cache nor the Hub gave their ETag\n", len(rep.Unknown))
	}
	if len(rep.Problems) > 0 {
		return exitFailure
	}
	return exitOK
}
