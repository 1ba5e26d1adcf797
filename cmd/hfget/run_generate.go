package main

import (
	"context"
	"fmt"
	"math/rand/v2"

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
	p, err := loadGPT2(ctx, e, o)
	if err != nil {
		return err
	}
	defer p.Close()
	g := generationConfig(p, o)
	check := g
	check.Decode = p.Decode // as the pipeline sets it, for stop strings
	if err := check.Validate(); err != nil {
		return err // before anything is printed
	}
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
// --temperature, --top-k, --top-p or --seed is given, unless --temperature
// is 0, which means greedy decoding.
func generationConfig(p *gpt2.Pipeline, o *runOptions) gpt2.GenerationConfig {
	g := p.Generation
	g.MaxNewTokens = o.maxNewTokens
	for _, name := range []string{"temperature", "top-k", "top-p", "seed"} {
		if o.set[name] {
			g.DoSample = true
		}
	}
	if o.set["temperature"] && o.temperature == 0 {
		g.DoSample = false
	} else if o.set["temperature"] {
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

// loadGPT2 loads the generation pipeline of a model folder.
func loadGPT2(ctx context.Context, e *env, o *runOptions) (*gpt2.Pipeline, error) {
	p, err := gpt2.Load(ctx, o.model)
	if err != nil {
		return nil, err
	}
	warnUnused(e, p.Model.Unused)
	return p, nil
}
