package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/hfgo/hfgo/models/bert"
)

func init() {
	runTasks["fill-mask"] = runTask{summary: "predict the [MASK] tokens of each text (BERT)", run: runFillMask}
	runTasks["embed"] = runTask{summary: "print a sentence embedding per text (BERT, sentence-transformers)", run: runEmbed}
	runTasks["classify"] = runTask{summary: "label each text, or each token for a token classifier (BERT)", run: runClassify}
}

// loadBERT loads the pipeline of a BERT model folder.
func loadBERT(ctx context.Context, e *env, o *runOptions) (*bert.Pipeline, error) {
	p, err := bert.Load(ctx, o.model)
	if err != nil {
		return nil, err
	}
	warnUnused(e, p.Model.Unexpected)
	return p, nil
}

func runFillMask(ctx context.Context, e *env, o *runOptions) error {
	p, err := loadBERT(ctx, e, o)
	if err != nil {
		return err
	}
	defer p.Close()
	res, err := p.FillMaskBatch(ctx, o.texts, o.top)
	if err != nil {
		return err
	}
	if o.json {
		return writeJSON(e.stdout, res)
	}
	for i, masks := range res {
		if len(o.texts) > 1 {
			fmt.Fprintf(e.stdout, "%s\n", o.texts[i])
		}
		for m, fills := range masks {
			if len(masks) > 1 {
				fmt.Fprintf(e.stdout, "mask %d:\n", m+1)
			}
			for _, f := range fills {
				fmt.Fprintf(e.stdout, "%.4f  %-15s %s\n", f.Score, f.Token, f.Sequence)
			}
		}
	}
	return nil
}

func runEmbed(ctx context.Context, e *env, o *runOptions) error {
	p, err := loadBERT(ctx, e, o)
	if err != nil {
		return err
	}
	defer p.Close()
	embs, err := p.EmbedBatch(ctx, o.texts)
	if err != nil {
		return err
	}
	if o.json {
		return writeJSON(e.stdout, embs)
	}
	for _, emb := range embs {
		parts := make([]string, len(emb))
		for j, v := range emb {
			parts[j] = fmt.Sprintf("%.6g", v)
		}
		fmt.Fprintln(e.stdout, strings.Join(parts, " "))
	}
	return nil
}

func runClassify(ctx context.Context, e *env, o *runOptions) error {
	p, err := loadBERT(ctx, e, o)
	if err != nil {
		return err
	}
	defer p.Close()
	if p.Model.Classifier != nil && p.Model.Classifier.PerToken {
		return classifyTokens(ctx, e, o, p)
	}
	res, err := p.ClassifyBatch(ctx, o.texts)
	if err != nil {
		return err
	}
	for i := range res {
		if o.top > 0 && o.top < len(res[i]) {
			res[i] = res[i][:o.top]
		}
	}
	if o.json {
		return writeJSON(e.stdout, res)
	}
	for i, labels := range res {
		if len(o.texts) > 1 {
			fmt.Fprintf(e.stdout, "%s\n", o.texts[i])
		}
		for _, l := range labels {
			fmt.Fprintf(e.stdout, "%.4f  %s\n", l.Score, l.Label)
		}
	}
	return nil
}

func classifyTokens(ctx context.Context, e *env, o *runOptions, p *bert.Pipeline) error {
	res, err := p.ClassifyTokensBatch(ctx, o.texts)
	if err != nil {
		return err
	}
	if o.json {
		return writeJSON(e.stdout, res)
	}
	for i, tokens := range res {
		if len(o.texts) > 1 {
			fmt.Fprintf(e.stdout, "%s\n", o.texts[i])
		}
		for _, t := range tokens {
			fmt.Fprintf(e.stdout, "%-15s %-10s %.4f  [%d:%d]\n", t.Word, t.Entity, t.Score, t.Start, t.End)
		}
	}
	return nil
}
