package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"

	"github.com/hfgo/hfgo/hub"
	"github.com/hfgo/hfgo/models/gpt2"
)

func init() {
	runTasks["generate"] = runTask{summary: "continue each text, streaming the tokens as they come (GPT-2)", run: runGenerate}
}

// generation holds what hfget run --task generate prints with --json.
type generation struct {
	Prompt        string `json:"prompt"`
	GeneratedText string `json:"generated_text"`
}

func runGenerate(ctx context.Context, e *env, o *runOptions) error {
	p, err := loadGPT2(ctx, e, o.model)
	if err != nil {
		return err
	}
	defer p.Close()
	g := generationConfig(p, o)
	if o.json {
		texts, err := p.Generate(ctx, o.texts, g)
		if err != nil {
			return err
		}
		out := make([]generation, len(texts))
		for i, t := range texts {
			out[i] = generation{Prompt: o.texts[i], GeneratedText: o.texts[i] + t}
		}
		return writeJSON(e.stdout, out)
	}
	for i, prompt := range o.texts {
		if i > 0 {
			fmt.Fprintln(e.stdout)
		}
		fmt.Fprint(e.stdout, prompt)
		for piece, err := range p.Stream(ctx, prompt, g) {
			if err != nil {
				fmt.Fprintln(e.stdout)
				return err
			}
			fmt.Fprint(e.stdout, piece)
		}
		fmt.Fprintln(e.stdout)
	}
	return nil
}

// generationConfig starts from the checkpoint's generation config and
// applies the flags: --max-new-tokens always, and sampling as soon as
// --temperature, --top-k, --top-p or --seed is given.
func generationConfig(p *gpt2.Pipeline, o *runOptions) gpt2.GenerationConfig {
	g := p.Generation
	g.MaxNewTokens = o.maxNewTokens
	for _, name := range []string{"temperature", "top-k", "top-p", "seed"} {
		if o.set[name] {
			g.DoSample = true
		}
	}
	if o.set["temperature"] {
		g.Temperature = o.temperature
	}
	if o.set["top-k"] {
		g.TopK = o.topK
	}
	if o.set["top-p"] {
		g.TopP = o.topP
	}
	if o.set["seed"] {
		g.Rand = rand.New(rand.NewPCG(o.seed, 0))
	}
	return g
}

// loadGPT2 loads a model folder, or else downloads the repo of that id
// from the Hub into the cache (what generation needs only) and loads it.
func loadGPT2(ctx context.Context, e *env, model string) (*gpt2.Pipeline, error) {
	var p *gpt2.Pipeline
	var err error
	if _, statErr := os.Stat(model); statErr == nil || !looksLikeRepoID(model) {
		p, err = gpt2.Load(ctx, model)
	} else {
		var c *hub.Client
		if c, err = hub.NewClient(hub.WithEnv(e.getenv)); err != nil {
			return nil, err
		}
		fmt.Fprintf(e.stderr, "hfget run: fetching %s\n", model)
		p, err = gpt2.LoadRepo(ctx, c, model, &hub.SnapshotOptions{Progress: func(ev hub.ProgressEvent) {
			if ev.Kind == hub.Completed && ev.Err == nil && !ev.Cached {
				fmt.Fprintf(e.stderr, "hfget run: %s (%.1f MB)\n", ev.File, float64(ev.Size)/1e6)
			}
		}})
	}
	if err != nil {
		return nil, err
	}
	if u := p.Model.Unused; len(u) > 0 {
		fmt.Fprintf(e.stderr, "hfget run: %d checkpoint tensors not used: %s\n", len(u), strings.Join(u, ", "))
	}
	return p, nil
}

// looksLikeRepoID tells "gpt2" or "owner/name" from a path.
func looksLikeRepoID(s string) bool {
	if s == "" || strings.HasPrefix(s, ".") || strings.HasPrefix(s, "/") || strings.Count(s, "/") > 1 {
		return false
	}
	for _, r := range s {
		if !(r == '/' || r == '-' || r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}
