package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hfgo/hfgo/hub"
)

func init() {
	commands["run"] = command{summary: "run a model on text (fill-mask, embed, classify, generate)", run: runRun}
}

// runOptions holds the flags of hfget run, parsed once for every task.
type runOptions struct {
	model string   // model folder
	task  string   // a key of runTasks
	texts []string // inputs, from the arguments or one per line of stdin
	json  bool     // JSON output instead of text

	top          int // fill-mask: predictions per mask; classify: labels shown (0: all)
	maxNewTokens int
	temperature  float64
	topK         int
	topP         float64
	seed         uint64
	// set holds the names of the flags given on the command line, so that a
	// task tells a default from a chosen value (e.g. whether to sample).
	set map[string]bool
}

// runTask is one task of hfget run; each task registers itself from its own
// file's init.
type runTask struct {
	summary string
	run     func(ctx context.Context, e *env, o *runOptions) error
}

// runTasks lists the tasks by name.
var runTasks = map[string]runTask{}

func runRun(ctx context.Context, e *env, args []string) int {
	o, err := parseRun(e, args)
	if err != nil {
		return usageExit(err)
	}
	if len(o.texts) == 0 {
		if o.texts, err = readLines(e.stdin); err != nil {
			fmt.Fprintf(e.stderr, "hfget run: reading stdin: %v\n", err)
			return exitFailure
		}
		if len(o.texts) == 0 {
			fmt.Fprintln(e.stderr, "hfget run: no TEXT, as arguments or lines of stdin")
			return exitUsage
		}
	}
	if o.model, err = resolveModel(ctx, e, o.model); err != nil {
		fmt.Fprintf(e.stderr, "hfget run: %v\n", err)
		return exitFailure
	}
	if o.task == "" {
		if o.task, err = inferTask(o.model); err != nil {
			fmt.Fprintf(e.stderr, "hfget run: %v\n", err)
			return exitFailure
		}
	}
	t, ok := runTasks[o.task]
	if !ok {
		fmt.Fprintf(e.stderr, "hfget run: unknown task %q (tasks: %s)\n", o.task, strings.Join(taskNames(), ", "))
		return exitUsage
	}
	if err := t.run(ctx, e, o); err != nil {
		fmt.Fprintf(e.stderr, "hfget run: %v\n", err)
		return exitFailure
	}
	return exitOK
}

func taskNames() []string { return slices.Sorted(maps.Keys(runTasks)) }

// parseRun parses hfget run's arguments: MODEL [TEXT...] with flags before,
// between or after them.
func parseRun(e *env, args []string) (*runOptions, error) {
	description := []string{
		"\nRuns the model in the folder MODEL, or of the repo id MODEL (downloaded into the",
		"Hugging Face cache), on each TEXT or else each line of stdin.",
		"generate decodes greedily, with the checkpoint's generation_config.json, unless",
		"--temperature, --top-k, --top-p or --seed is given: then it samples.",
		"\nTasks:",
	}
	for _, n := range taskNames() {
		description = append(description, fmt.Sprintf("  %-10s %s", n, runTasks[n].summary))
	}
	description = append(description, "\nFlags:")
	fs := newFlagSet(e, "run", "usage: hfget run MODEL [--task TASK] [flags] [TEXT...]", description...)
	o := &runOptions{}
	var seed int64
	fs.StringVar(&o.task, "task", "", "task: "+strings.Join(taskNames(), ", ")+" (default: from the model's config)")
	fs.BoolVar(&o.json, "json", false, "print JSON instead of text")
	fs.IntVar(&o.top, "top", 5, "fill-mask: predictions per mask; classify: labels per text (0: all)")
	fs.IntVar(&o.maxNewTokens, "max-new-tokens", 20, "generate: tokens to add")
	fs.Float64Var(&o.temperature, "temperature", 1, "generate: sampling temperature; 0 for greedy decoding")
	fs.IntVar(&o.topK, "top-k", 50, "generate: sample among the k most likely tokens (0: all)")
	fs.Float64Var(&o.topP, "top-p", 1, "generate: sample among the most likely tokens of total probability p")
	fs.Int64Var(&seed, "seed", 0, "generate: random seed (default: a random one)")
	pos, err := parseArgs(fs, args, 1, -1)
	if err != nil {
		return nil, err
	}
	o.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { o.set[f.Name] = true })
	o.seed = uint64(seed)
	if o.top < 0 || o.maxNewTokens < 1 || o.topK < 0 || !(o.temperature >= 0) || !(o.topP > 0 && o.topP <= 1) {
		fmt.Fprintln(e.stderr, "hfget run: --top, --top-k and --temperature must be >= 0, --max-new-tokens >= 1, --top-p in (0, 1]")
		return nil, errors.New("bad flag value")
	}
	o.model, o.texts = pos[0], pos[1:]
	return o, nil
}

// resolveModel returns the local folder of model: model itself when it
// exists or cannot be a repo id, else the snapshot of the repo id it names,
// downloaded into the Hugging Face cache (configs, tokenizer and one weight
// format) with a client configured from the environment.
func resolveModel(ctx context.Context, e *env, model string) (string, error) {
	if _, err := os.Stat(model); err == nil || !errors.Is(err, os.ErrNotExist) || hub.ValidateRepoID(model) != nil {
		return model, nil
	}
	c, err := hub.NewClient(hub.WithEnv(e.getenv))
	if err != nil {
		return "", err
	}
	dir, err := c.SnapshotDownload(ctx, model, &hub.SnapshotOptions{
		Select: hub.SelectDefault,
		Progress: func(ev hub.ProgressEvent) {
			if ev.Kind == hub.Completed && !ev.Cached && ev.Err == nil {
				fmt.Fprintf(e.stderr, "hfget run: downloaded %s (%d bytes)\n", ev.File, ev.Size)
			}
		},
	})
	if err != nil {
		return "", fmt.Errorf("%s is not a folder, and as a repo id: %w", model, err)
	}
	return dir, nil
}

// warnUnused logs the checkpoint tensors a model did not use to stderr, as
// transformers warns of them.
func warnUnused(e *env, names []string) {
	if len(names) > 0 {
		fmt.Fprintf(e.stderr, "hfget run: %d checkpoint tensors not used: %s\n", len(names), strings.Join(names, ", "))
	}
}

// readLines returns the non-empty lines of r.
func readLines(r io.Reader) ([]string, error) {
	if r == nil {
		return nil, nil
	}
	var lines []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		if l := strings.TrimRight(sc.Text(), "\r"); strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	return lines, sc.Err()
}

// inferTask picks the task from the config.json of the model folder (or of
// the folder of a weight file), as transformers' pipeline picks one from the
// architecture: generate for GPT-2, fill-mask for an MLM head, classify for
// a classifier, embed for a bare encoder or a sentence-transformers model.
func inferTask(model string) (string, error) {
	dir := model
	if st, err := os.Stat(model); err == nil && !st.IsDir() {
		dir = filepath.Dir(model)
	}
	var cfg struct {
		ModelType     string   `json:"model_type"`
		Architectures []string `json:"architectures"`
	}
	path := filepath.Join(dir, "config.json")
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		return "", fmt.Errorf("%s: %v", path, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "modules.json")); err == nil {
		return "embed", nil
	}
	arch := strings.Join(cfg.Architectures, " ")
	switch {
	case cfg.ModelType == "gpt2" || strings.Contains(arch, "LMHead") || strings.Contains(arch, "CausalLM"):
		return "generate", nil
	case strings.Contains(arch, "MaskedLM") || strings.Contains(arch, "PreTraining"):
		return "fill-mask", nil
	case strings.Contains(arch, "Classification"):
		return "classify", nil
	case cfg.ModelType == "bert":
		return "embed", nil
	}
	return "", fmt.Errorf("%s: cannot tell the task of model_type %q %v: pass --task", path, cfg.ModelType, cfg.Architectures)
}

// writeJSON prints v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
