package verify

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/hfgo/hfgo/models/gpt2"
	"github.com/nlpodyssey/spago/mat"
)

// runGPT2 loads the model and computes every output of every input: the
// full forward pass, the same logits one token at a time through the KV
// cache, and greedy generation.
func runGPT2(ctx context.Context, path string, man *manifest, exp *expected, inputs []modelInput, res *results) {
	m, err := gpt2.LoadModel(ctx, path)
	if err != nil {
		res.all = fmt.Errorf("loading the model: %v", err)
		return
	}
	defer m.Close()
	gen, genErr := generationConfig(path, &m.Config)
	cols := columns(exp, "logits_cols")
	for _, in := range inputs {
		if res.prefix[in.name] != nil {
			continue
		}
		if err := gpt2Outputs(ctx, m, in, cols, res); err != nil {
			res.prefix[in.name] = err
			continue
		}
		if err := incrementalLogits(ctx, m, in, cols, res); err != nil {
			res.cannot(err, incrementalNames(in.name)...)
		}
		if in.generatedNewToken > 0 {
			err := genErr
			if err == nil {
				err = generate(ctx, m, gen, in, cols, res)
			}
			res.cannot(err, generateNames(in.name)...)
		}
	}
}

// generationConfig reads the model's generation_config.json, as generate()
// starts from it.
func generationConfig(path string, c *gpt2.Config) (gpt2.GenerationConfig, error) {
	dir := path
	if fi, err := os.Stat(path); err == nil && !fi.IsDir() {
		dir = filepath.Dir(path)
	}
	g, err := gpt2.LoadGenerationConfig(dir, c)
	if err != nil {
		return g, fmt.Errorf("generation config: %v", err)
	}
	return g, nil
}

func gpt2Outputs(ctx context.Context, m *gpt2.Model, in modelInput, cols []int64, res *results) error {
	out, err := m.Forward(ctx, gpt2.Input{InputIDs: in.ids, AttentionMask: in.mask, TokenTypeIDs: in.types},
		&gpt2.Options{Logits: gpt2.AllLogits, HiddenStates: true, Attentions: true})
	if err != nil {
		return fmt.Errorf("forward pass: %v", err)
	}
	p := in.name + "."
	B, L, E := out.Batch, out.SeqLen, m.Config.NEmbd
	summarize(res, in.name, "logits", mat.Data[float32](out.Logits), []int{B, L}, m.Config.VocabSize, cols)
	res.put(p+"last_hidden_state", floats(mat.Data[float32](out.LastHiddenState), B, L, E))
	for i, h := range out.HiddenStates {
		res.put(fmt.Sprintf("%shidden_states.%d", p, i), floats(mat.Data[float32](h), B, L, E))
	}
	for i, a := range out.Attentions {
		res.put(fmt.Sprintf("%sattentions.%d", p, i), floats(mat.Data[float32](a), B, m.Config.NHead, L, L))
	}
	return nil
}

func incrementalNames(prefix string) []string {
	return summaryNames(prefix + ".incremental_logits")
}

func generateNames(prefix string) []string {
	return append(summaryNames(prefix+".generate_scores"), prefix+".generated_ids")
}

func summaryNames(base string) []string {
	return []string{base, base + "_sel", base + "_argmax", base + "_max", base + "_logsumexp"}
}

// incrementalLogits runs the input one token per call with the KV cache, as
// transformers does with past_key_values, and summarizes the logits.
func incrementalLogits(ctx context.Context, m *gpt2.Model, in modelInput, cols []int64, res *results) error {
	B, L := len(in.ids), len(in.ids[0])
	cache := m.NewCache(B, max(L, 1))
	v := m.Config.VocabSize
	logits := make([]float32, B*L*v)
	for t := range L {
		step := gpt2.Input{InputIDs: column(in.ids, t)}
		if in.mask != nil {
			step.AttentionMask = column(in.mask, t)
		}
		out, err := m.Forward(ctx, step, &gpt2.Options{Logits: gpt2.LastLogits, Cache: cache})
		if err != nil {
			return fmt.Errorf("incremental pass at position %d: %v", t, err)
		}
		d := mat.Data[float32](out.Logits)
		for b := range B {
			copy(logits[(b*L+t)*v:(b*L+t+1)*v], d[b*v:(b+1)*v])
		}
	}
	summarize(res, in.name, "incremental_logits", logits, []int{B, L}, v, cols)
	return nil
}

// column returns position t of every row, as a batch of one-token rows.
func column(rows [][]int, t int) [][]int {
	out := make([][]int, len(rows))
	for b, r := range rows {
		out[b] = []int{r[t]}
	}
	return out
}

// generate runs greedy generation as the reference did (generate with
// do_sample=False, num_beams=1, max_new_tokens, pad_token_id=eos over the
// model's generation_config.json) and stores the sequence and the scores of
// every step.
func generate(ctx context.Context, m *gpt2.Model, g gpt2.GenerationConfig, in modelInput, cols []int64, res *results) error {
	if len(in.ids) != 1 {
		return errors.New("generation is compared for a single prompt only")
	}
	if in.mask != nil && slices.Contains(in.mask[0], 0) {
		return errors.New("generation is compared for an unpadded prompt only")
	}
	g.DoSample, g.NumBeams, g.NumReturnSequences = false, 1, 1
	g.MaxNewTokens = in.generatedNewToken
	g.OutputScores = true
	if len(g.PadTokenID) == 0 {
		g.PadTokenID = g.EOSTokenID
	}
	gen, err := m.Generate(ctx, [][]int{in.ids[0]}, g)
	if err != nil {
		return fmt.Errorf("generation: %v", err)
	}
	seq := gen.Sequences[0]
	ids := make([]int64, len(seq))
	for i, v := range seq {
		ids[i] = int64(v)
	}
	res.put(in.name+".generated_ids", ints(ids, 1, len(ids)))
	v := m.Config.VocabSize
	var scores []float32
	for _, step := range gen.Scores {
		if len(step[0]) != v {
			return fmt.Errorf("generation gave %d scores a step, want %d", len(step[0]), v)
		}
		scores = append(scores, step[0]...)
	}
	summarize(res, in.name, "generate_scores", scores, []int{1, len(gen.Scores)}, v, cols)
	return nil
}
