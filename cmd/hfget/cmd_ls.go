package main

import (
	"context"
	"fmt"

	"github.com/hfgo/hfgo/hub"
)

func init() {
	commands["ls"] = command{summary: "list a repo's files on the Hub: size, LFS or not", run: runLs}
}

func runLs(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "ls", "usage: hfget ls REPO_ID [--revision REV] [--repo-type TYPE] [--token TOKEN]")
	revision := fs.String("revision", "", "branch, tag, commit or refs/pr/N (default main)")
	repoType := fs.String("repo-type", "model", "model, dataset or space")
	token := fs.String("token", "", "access token (default HF_TOKEN or the saved token)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return usageExit(err)
	}
	t, terr := hub.ParseRepoType(*repoType)
	if len(pos) != 1 || terr != nil {
		if terr != nil {
			fmt.Fprintf(e.stderr, "hfget ls: %v\n", terr)
		}
		fs.Usage()
		return exitUsage
	}
	c, err := newHubClient(e, "", *token)
	if err == nil {
		err = listRepo(ctx, e, c, pos[0], t, *revision)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "hfget ls: %s\n", hubErrorLine(err))
		return exitFailure
	}
	return exitOK
}

// listRepo prints one line per file: size, "lfs" or not, path.
func listRepo(ctx context.Context, e *env, c *hub.Client, repoID string, t hub.RepoType, revision string) error {
	files, err := c.ListFiles(ctx, repoID, &hub.ListFilesOptions{RepoType: t, Revision: revision})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%10s  %-3s  %s\n", "SIZE", "LFS", "PATH")
	var total int64
	for _, f := range files {
		lfs := "-"
		if f.IsLFS() {
			lfs = "lfs"
		}
		total += f.Size
		if _, err := fmt.Fprintf(e.stdout, "%10s  %-3s  %s\n", byteSize(f.Size), lfs, f.Path); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.stderr, "%s, %s\n", plural(len(files), "file"), byteSize(total))
	return nil
}
