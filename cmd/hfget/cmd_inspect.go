package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/hfgo/hfgo/convert"
	"github.com/hfgo/hfgo/hub"
)

func init() {
	commands["inspect"] = command{summary: "list the tensors of a checkpoint (file, folder or cached repo)", run: runInspect}
}

// inspectOptions holds the arguments of hfget inspect.
type inspectOptions struct {
	target   string // file, folder or repo id
	revision string // for a repo id
	json     bool
}

func runInspect(ctx context.Context, e *env, args []string) int {
	o, err := parseInspect(e, args)
	if err != nil {
		return usageExit(err)
	}
	path, err := resolveCheckpoint(ctx, e, o.target, o.revision)
	if err != nil {
		fmt.Fprintf(e.stderr, "hfget inspect: %v\n", err)
		return exitFailure
	}
	c, err := convert.Open(path)
	if err != nil {
		fmt.Fprintf(e.stderr, "hfget inspect: %v\n", err)
		return exitFailure
	}
	defer c.Close()
	r := newInspectReport(c)
	if o.json {
		err = writeJSON(e.stdout, r)
	} else {
		err = r.writeText(e.stdout)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "hfget inspect: %v\n", err)
		return exitFailure
	}
	return exitOK
}

// parseInspect parses FILE|DIR|REPO with flags before or after it.
func parseInspect(e *env, args []string) (*inspectOptions, error) {
	fs := newFlagSet(e, "inspect", "usage: hfget inspect [--json] [--revision REV] FILE|DIR|REPO",
		"\nLists the tensors of a weight file (safetensors or pytorch_model.bin),",
		"a model folder, a shard index, or a repo in the local Hugging Face cache.",
		"\nFlags:")
	o := &inspectOptions{}
	fs.BoolVar(&o.json, "json", false, "print JSON instead of a table")
	fs.StringVar(&o.revision, "revision", "main", "revision of a cached repo (branch, tag or commit)")
	pos, err := parseArgs(fs, args, 1, 1)
	if err != nil {
		return nil, err
	}
	o.target = pos[0]
	return o, nil
}

// resolveCheckpoint returns target if it exists on disk; otherwise target
// must be a repo id, looked up in the local Hugging Face cache
// ($HF_HUB_CACHE, $HF_HOME/hub or ~/.cache/huggingface/hub) without asking
// the Hub: the snapshot folder its revision points to.
func resolveCheckpoint(ctx context.Context, e *env, target, revision string) (string, error) {
	if _, err := os.Stat(target); err == nil {
		return target, nil
	} else if hub.ValidateRepoID(target) != nil {
		return "", err
	}
	c, err := hub.NewClient(hub.WithEnv(e.getenv), hub.WithOffline(true))
	if err != nil {
		return "", err
	}
	plan, err := c.PlanSnapshot(ctx, target, &hub.SnapshotOptions{Revision: revision})
	if err != nil {
		return "", fmt.Errorf("%s is neither a file nor a folder, and as a repo: %w", target, err)
	}
	return plan.Dir, nil
}

// inspectReport is what hfget inspect prints; its JSON form is the --json
// output.
type inspectReport struct {
	Path             string            `json:"path"`
	Format           string            `json:"format"`
	Files            []string          `json:"files"`
	Metadata         map[string]string `json:"metadata,omitempty"`
	TotalSize        int64             `json:"total_size,omitempty"` // the index's metadata.total_size
	PickleGlobals    []string          `json:"pickle_globals,omitempty"`
	Tensors          []inspectTensor   `json:"tensors"`
	Tied             [][]string        `json:"tied,omitempty"`
	Bytes            int64             `json:"bytes"`
	Parameters       int64             `json:"parameters"`
	UniqueParameters int64             `json:"unique_parameters"`
	DTypes           map[string]int    `json:"dtypes"` // tensors per dtype
}

// inspectTensor is one row of the table.
type inspectTensor struct {
	Name  string `json:"name"`
	DType string `json:"dtype"`
	Shape []int  `json:"shape"`
	Bytes int64  `json:"bytes"`
	File  string `json:"file"`
}

func newInspectReport(c *convert.Checkpoint) *inspectReport {
	r := &inspectReport{Path: c.Path(), Format: c.Format(), Files: c.Files(), Metadata: c.Metadata(),
		PickleGlobals: c.PickleGlobals(), Tied: c.Aliases(), DTypes: map[string]int{}, Tensors: []inspectTensor{}}
	if x := c.Index(); x != nil {
		r.TotalSize = x.TotalSize
	}
	dup := map[string]bool{}
	for _, g := range r.Tied {
		for _, n := range g[1:] {
			dup[n] = true
		}
	}
	for _, t := range c.Tensors() {
		r.Tensors = append(r.Tensors, inspectTensor{Name: t.Name, DType: t.DType, Shape: t.Shape, Bytes: t.Size, File: t.File})
		numel := int64(1)
		for _, d := range t.Shape {
			numel *= int64(d)
		}
		r.Parameters += numel
		r.Bytes += t.Size
		if !dup[t.Name] {
			r.UniqueParameters += numel
		}
		r.DTypes[t.DType]++
	}
	return r
}

// writeText prints the summary, then the table of tensors.
func (r *inspectReport) writeText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "path\t%s\n", r.Path)
	fmt.Fprintf(tw, "format\t%s\n", r.Format)
	if len(r.Files) > 1 {
		fmt.Fprintf(tw, "shards\t%d\n", len(r.Files))
	}
	if len(r.Metadata) > 0 {
		keys := make([]string, 0, len(r.Metadata))
		for k := range r.Metadata {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var kv []string
		for _, k := range keys {
			kv = append(kv, k+"="+r.Metadata[k])
		}
		fmt.Fprintf(tw, "metadata\t%s\n", strings.Join(kv, " "))
	}
	if len(r.PickleGlobals) > 0 {
		fmt.Fprintf(tw, "pickle globals\t%s\n", strings.Join(r.PickleGlobals, " "))
	}
	fmt.Fprintf(tw, "tensors\t%d (%s)\n", len(r.Tensors), dtypeCounts(r.DTypes))
	params := thousands(r.Parameters)
	if r.UniqueParameters != r.Parameters {
		params += fmt.Sprintf(" (%s without tied duplicates)", thousands(r.UniqueParameters))
	}
	fmt.Fprintf(tw, "parameters\t%s\n", params)
	fmt.Fprintf(tw, "bytes\t%s (%s)\n", thousands(r.Bytes), humanBytes(r.Bytes))
	if r.TotalSize > 0 {
		fmt.Fprintf(tw, "index total_size\t%s\n", thousands(r.TotalSize))
	}
	for _, g := range r.Tied {
		fmt.Fprintf(tw, "tied\t%s\n", strings.Join(g, " = "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	return r.writeTable(w)
}

// writeTable prints one row per tensor: names and dtypes aligned left,
// shapes and sizes right.
func (r *inspectReport) writeTable(w io.Writer) error {
	rows := [][]string{{"NAME", "DTYPE", "SHAPE", "BYTES", "FILE"}}
	for _, t := range r.Tensors {
		rows = append(rows, []string{t.Name, t.DType, shapeString(t.Shape), strconv.FormatInt(t.Bytes, 10), t.File})
	}
	cols := 4
	if len(r.Files) > 1 {
		cols = 5
	}
	width := make([]int, cols)
	for _, row := range rows {
		for i := range cols {
			width[i] = max(width[i], len(row[i]))
		}
	}
	for _, row := range rows {
		line := fmt.Sprintf("%-*s  %-*s  %*s  %*s", width[0], row[0], width[1], row[1], width[2], row[2], width[3], row[3])
		if cols == 5 {
			line += "  " + row[4]
		}
		if _, err := fmt.Fprintln(w, line); err != nil {
			return err
		}
	}
	return nil
}

// shapeString writes a shape as PyTorch prints a torch.Size: [512, 32].
func shapeString(shape []int) string {
	s := make([]string, len(shape))
	for i, d := range shape {
		s[i] = strconv.Itoa(d)
	}
	return "[" + strings.Join(s, ", ") + "]"
}

// dtypeCounts writes "F32 46, I64 1".
func dtypeCounts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []string
	for _, k := range keys {
		out = append(out, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(out, ", ")
}

// thousands writes n with comma separators: 1,234,567.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// humanBytes writes a size in decimal units, as the Hub shows them.
func humanBytes(n int64) string {
	units := []string{"B", "kB", "MB", "GB", "TB"}
	f := float64(n)
	i := 0
	for f >= 1000 && i < len(units)-1 {
		f /= 1000
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%d B", n)
	}
	return fmt.Sprintf("%.1f %s", f, units[i])
}
