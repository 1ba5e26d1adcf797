package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hfgo/hfgo/hub"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

func init() {
	commands["download"] = command{summary: "download a repo or some of its files into the Hugging Face cache (the default command)", run: runDownload}
}

// patternList is a repeatable string flag.
type patternList []string

func (s *patternList) String() string     { return strings.Join(*s, ",") }
func (s *patternList) Set(v string) error { *s = append(*s, v); return nil }

// downloadOptions are the arguments of hfget download.
type downloadOptions struct {
	repoID           string
	files            []string
	revision         string
	repoType         string
	include, exclude patternList
	cacheDir         string
	localDir         string
	token            string
	maxWorkers       int
	force            bool
	dryRun           bool
	quiet            bool
	all              bool
}

func runDownload(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "download", "usage: hfget [download] REPO_ID [FILES...] [flags]",
		"\nDownloads into the Hugging Face cache shared with Python and prints the snapshot",
		"folder (the file's path for a single file). Without FILES, --include or --all, it",
		"fetches what hfgo needs: configs, tokenizer files and one weight format.")
	var o downloadOptions
	fs.StringVar(&o.revision, "revision", "", "branch, tag, commit or refs/pr/N (default main)")
	fs.StringVar(&o.repoType, "repo-type", "model", "model, dataset or space")
	fs.Var(&o.include, "include", "fetch only files matching this pattern (repeatable; Python fnmatch: * also matches /)")
	fs.Var(&o.exclude, "exclude", "skip files matching this pattern (repeatable)")
	fs.StringVar(&o.cacheDir, "cache-dir", "", "Hub cache folder (default HF_HUB_CACHE or $HF_HOME/hub)")
	fs.StringVar(&o.localDir, "local-dir", "", "put the files in this folder instead of the cache")
	fs.StringVar(&o.token, "token", "", "access token (default HF_TOKEN or the saved token)")
	fs.IntVar(&o.maxWorkers, "max-workers", hub.DefaultMaxWorkers, "files downloaded at once")
	fs.BoolVar(&o.force, "force", false, "download even the files already cached")
	fs.BoolVar(&o.force, "force-download", false, "same as --force (hf download's name)")
	fs.BoolVar(&o.dryRun, "dry-run", false, "list what would be downloaded, download nothing")
	fs.BoolVar(&o.quiet, "quiet", false, "print only the result")
	fs.BoolVar(&o.all, "all", false, "fetch every file, not only the configs, tokenizer and one weight format")
	pos, err := parseArgs(fs, args, 1, -1)
	if err != nil {
		return usageExit(err)
	}
	o.repoID, o.files = pos[0], pos[1:]
	if err := hub.ValidateRepoID(o.repoID); err != nil {
		fmt.Fprintf(e.stderr, "hfget: %v\n", err)
		return exitUsage
	}
	if _, err := hub.ParseRepoType(o.repoType); err != nil {
		fmt.Fprintf(e.stderr, "hfget: %v\n", err)
		return exitUsage
	}
	if err := download(ctx, e, o); err != nil {
		fmt.Fprintf(e.stderr, "hfget: %s\n", hubErrorLine(err))
		return exitFailure
	}
	return exitOK
}

// newHubClient makes the client the commands share: the environment, then
// the flags.
func newHubClient(e *env, cacheDir, token string) (*hub.Client, error) {
	opts := []hub.Option{hub.WithEnv(e.getenv)}
	if cacheDir != "" {
		opts = append(opts, hub.WithCacheDir(cacheDir))
	}
	if token != "" {
		opts = append(opts, hub.WithToken(token))
	}
	return hub.NewClient(opts...)
}

func download(ctx context.Context, e *env, o downloadOptions) error {
	c, err := newHubClient(e, o.cacheDir, o.token)
	if err != nil {
		return err
	}
	t, _ := hub.ParseRepoType(o.repoType)
	if len(o.files) == 1 && !strings.ContainsAny(o.files[0], "*?[") && len(o.include) == 0 && len(o.exclude) == 0 && !o.dryRun {
		return downloadOne(ctx, e, c, t, o)
	}
	opts := &hub.SnapshotOptions{
		RepoType: t, Revision: o.revision, LocalDir: o.localDir, MaxWorkers: o.maxWorkers, ForceDownload: o.force,
		AllowPatterns: append(append([]string(nil), o.files...), o.include...), IgnorePatterns: o.exclude,
	}
	if len(o.files) == 0 && len(o.include) == 0 && !o.all {
		opts.Select = hub.SelectDefault
	}
	plan, err := c.PlanSnapshot(ctx, o.repoID, opts)
	if err != nil {
		return err
	}
	if err := checkNamedFiles(o.files, plan); err != nil {
		return err
	}
	if !o.quiet {
		reportPlan(e.stderr, plan, opts.Select != nil)
	}
	if o.dryRun {
		return printPlan(e.stdout, plan)
	}
	start := time.Now()
	bars := newDownloadBars(ctx, e, plan.Size(), o.quiet)
	opts.Progress = bars.handle
	dir, err := c.DownloadPlan(ctx, plan, opts)
	bars.finish(err == nil)
	if err != nil {
		return err
	}
	if !o.quiet {
		reportDone(e.stderr, plan, bars, time.Since(start))
	}
	fmt.Fprintln(e.stdout, dir)
	return nil
}

// downloadOne fetches a single named file and prints its path.
func downloadOne(ctx context.Context, e *env, c *hub.Client, t hub.RepoType, o downloadOptions) error {
	bars := newDownloadBars(ctx, e, 0, o.quiet)
	p, err := c.DownloadFile(ctx, o.repoID, o.files[0], &hub.DownloadOptions{
		RepoType: t, Revision: o.revision, LocalDir: o.localDir, ForceDownload: o.force, Progress: bars.handle,
	})
	bars.finish(err == nil)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, p)
	return nil
}

// checkNamedFiles fails when a file named on the command line is not in the
// repo (FILES are also patterns, so a glob that matches something is fine).
func checkNamedFiles(files []string, plan *hub.SnapshotPlan) error {
	var missing []string
	for _, f := range files {
		found := false
		for _, p := range plan.Files {
			if hub.Match(f, p.Path) {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: %s not in %s at %s", hub.ErrEntryNotFound, strings.Join(missing, ", "), plan.RepoID, plan.Revision)
	}
	return nil
}

// reportPlan says on stderr what the default selection skipped and whether
// the Hub could be asked.
func reportPlan(w io.Writer, plan *hub.SnapshotPlan, selected bool) {
	if plan.FromCache {
		fmt.Fprintf(w, "Hub unreachable or offline: using the cached snapshot %s\n", plan.Commit)
	}
	if !selected || plan.FromCache {
		return
	}
	if plan.Weights == "" {
		fmt.Fprintln(w, "no safetensors or PyTorch weights in this repo")
	}
	if len(plan.Skipped) == 0 {
		return
	}
	var size int64
	byKind := map[string][]string{}
	for _, f := range plan.Skipped {
		size += f.Size
		k := skippedKind(f.Path)
		byKind[k] = append(byKind[k], f.Path)
	}
	kinds := make([]string, 0, len(byKind))
	for k := range byKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	var parts []string
	for _, k := range kinds {
		parts = append(parts, fmt.Sprintf("%s (%d)", k, len(byKind[k])))
	}
	weights := plan.Weights
	if weights == "" {
		weights = "no weights hfgo reads"
	}
	fmt.Fprintf(w, "fetching configs, tokenizer and %s; skipped %s (%s): %s; use --all or --include to fetch them\n",
		weights, plural(len(plan.Skipped), "file"), byteSize(size), strings.Join(parts, ", "))
}

// skippedKind groups skipped files for the report.
func skippedKind(p string) string {
	base := p[strings.LastIndex(p, "/")+1:]
	switch {
	case strings.HasPrefix(p, "onnx/") || strings.HasSuffix(p, ".onnx") || strings.HasSuffix(p, ".onnx_data"):
		return "onnx"
	case strings.HasPrefix(p, "coreml/") || strings.Contains(p, ".mlpackage/") || strings.HasSuffix(p, ".mlmodel"):
		return "coreml"
	case strings.HasPrefix(p, "openvino/"):
		return "openvino"
	case strings.HasSuffix(base, ".h5") || strings.HasSuffix(base, ".tflite") || strings.HasPrefix(base, "tf_model"):
		return "tf"
	case strings.HasSuffix(base, ".msgpack"):
		return "flax"
	case strings.HasSuffix(base, ".ot"):
		return "rust"
	case strings.HasSuffix(base, ".safetensors"), strings.HasSuffix(base, ".bin"), strings.HasSuffix(base, ".pt"), strings.HasSuffix(base, ".pth"),
		strings.HasSuffix(base, ".gguf"), strings.HasSuffix(base, ".index.json"):
		return "other weights"
	}
	return "other"
}

// printPlan writes a dry run's table on stdout.
func printPlan(w io.Writer, plan *hub.SnapshotPlan) error {
	fmt.Fprintf(w, "%10s  %-8s  %s\n", "SIZE", "STATUS", "FILE")
	for _, f := range plan.Files {
		status := "download"
		if f.Cached {
			status = "cached"
		}
		if _, err := fmt.Fprintf(w, "%10s  %-8s  %s\n", byteSize(f.Size), status, f.Path); err != nil {
			return err
		}
	}
	return nil
}

func reportDone(w io.Writer, plan *hub.SnapshotPlan, bars *downloadBars, took time.Duration) {
	cached := 0
	for _, f := range plan.Files {
		if f.Cached {
			cached++
		}
	}
	fetched := len(plan.Files) - cached
	fmt.Fprintf(w, "%s: %d fetched (%s in %s), %d already there\n",
		plural(len(plan.Files), "file"), fetched, byteSize(bars.fetchedBytes()), took.Round(time.Millisecond), cached)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// hubErrorLine is the one-line message for a failure, with a hint for the
// failures users most often meet.
func hubErrorLine(err error) string {
	msg := strings.ReplaceAll(err.Error(), "\n", " ")
	switch {
	case errors.Is(err, hub.ErrGatedRepo):
		msg += " (request access on the repo's page, then pass --token or set HF_TOKEN)"
	case errors.Is(err, hub.ErrRepoNotFound):
		msg += " (check the repo id and --repo-type; private repos need --token or HF_TOKEN)"
	case errors.Is(err, hub.ErrUnauthorized):
		msg += " (the token was refused: check --token, HF_TOKEN or the saved token)"
	case errors.Is(err, hub.ErrNotCached) && errors.Is(err, hub.ErrOffline):
		msg += " (unset HF_HUB_OFFLINE to download it)"
	}
	return msg
}

// byteSize writes a size in decimal units, as the Hub shows them.
func byteSize(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "kMGTP"[exp])
}

// isTTY reports whether w is a character device (a terminal).
func isTTY(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// downloadBars draws a bar per file being fetched and one for the total on
// stderr when it is a terminal; it counts the bytes fetched either way.
type downloadBars struct {
	mu      sync.Mutex
	p       *mpb.Progress
	total   *mpb.Bar
	files   map[string]*mpb.Bar
	fetched map[string]int64 // bytes fetched per file (cached files excluded)
}

func newDownloadBars(ctx context.Context, e *env, totalSize int64, quiet bool) *downloadBars {
	b := &downloadBars{files: map[string]*mpb.Bar{}, fetched: map[string]int64{}}
	if quiet || !isTTY(e.stderr) {
		return b
	}
	b.p = mpb.NewWithContext(ctx, mpb.WithOutput(e.stderr), mpb.WithWidth(32), mpb.WithRefreshRate(120*time.Millisecond))
	b.total = b.p.AddBar(totalSize, append(barDecorators("total"), mpb.BarPriority(0))...)
	return b
}

// barDecorators show the name, the bytes, the average rate and the ETA.
func barDecorators(name string) []mpb.BarOption {
	return []mpb.BarOption{
		mpb.PrependDecorators(
			decor.Name(name, decor.WCSyncSpaceR),
			decor.Counters(decor.SizeB1000(0), "% .1f / % .1f", decor.WCSyncSpace)),
		mpb.AppendDecorators(
			decor.AverageSpeed(decor.SizeB1000(0), "% .1f", decor.WCSyncSpace),
			decor.Name(" ETA "), decor.AverageETA(decor.ET_STYLE_GO)),
	}
}

// handle receives the hub's progress events (one at a time, in order).
func (b *downloadBars) handle(ev hub.ProgressEvent) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if ev.Kind != hub.Started && !ev.Cached {
		b.fetched[ev.File] = ev.Bytes
	}
	if b.p == nil {
		return
	}
	if ev.TotalSize > 0 {
		b.total.SetTotal(ev.TotalSize, false)
	}
	b.total.SetCurrent(ev.TotalBytes)
	bar := b.files[ev.File]
	switch {
	case ev.Kind == hub.Progressed && bar == nil:
		bar = b.p.AddBar(ev.Size, append(barDecorators(barName(ev.File, 28)), mpb.BarPriority(len(b.files)+1), mpb.BarRemoveOnComplete())...)
		b.files[ev.File] = bar
		bar.SetCurrent(ev.Bytes)
	case ev.Kind == hub.Progressed:
		bar.SetCurrent(ev.Bytes)
	case ev.Kind == hub.Completed && bar != nil:
		if ev.Err != nil {
			bar.Abort(true)
		} else {
			bar.SetTotal(ev.Size, true)
		}
	}
}

// fetchedBytes is what was downloaded (not found in the cache).
func (b *downloadBars) fetchedBytes() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	var n int64
	for _, v := range b.fetched {
		n += v
	}
	return n
}

// finish stops the bars.
func (b *downloadBars) finish(ok bool) {
	if b.p == nil {
		return
	}
	b.mu.Lock()
	for _, bar := range b.files {
		if !bar.Completed() {
			bar.Abort(true)
		}
	}
	if ok {
		b.total.SetTotal(-1, true)
	} else {
		b.total.Abort(false)
	}
	b.mu.Unlock()
	b.p.Wait()
}

func barName(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return "…" + string(r[len(r)-n+1:])
}
