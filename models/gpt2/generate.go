package gpt2

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"strings"

	"github.com/nlpodyssey/spago/mat"
)

// FinishReason tells why a sequence stopped.
type FinishReason string

// The reasons a sequence finishes; "" means it is still running.
const (
	FinishEOS    FinishReason = "eos"    // it produced an EOS token
	FinishLength FinishReason = "length" // it reached max_new_tokens / max_length
	FinishStop   FinishReason = "stop"   // its text now contains a stop string
)

// Step is one step of generation over a batch.
type Step struct {
	// Tokens holds the token chosen for each sequence; a sequence that
	// finished at an earlier step gets the pad id (-1 when there is none).
	Tokens []int
	// Finish tells, per sequence, whether it is finished after this step.
	Finish []FinishReason
	// Scores holds, with OutputScores, each sequence's processed scores
	// (vocab_size values) that the token was chosen from.
	Scores [][]float32
}

// Generation is the result of Generate.
type Generation struct {
	// Sequences holds, per prompt, the prompt followed by its new tokens,
	// up to and including the EOS that ended it; no padding.
	Sequences [][]int
	// Finish tells why each sequence stopped.
	Finish []FinishReason
	// Scores holds, with OutputScores, the processed scores of every step:
	// Scores[step][sequence] has vocab_size values.
	Scores [][][]float32
}

// Generate continues each prompt (token ids; prompts of different lengths
// are left-padded, as transformers batches them) by the rules of g, and
// returns the sequences once all are finished. Cancelling ctx stops it
// between two tokens with ctx's error.
func (m *Model) Generate(ctx context.Context, prompts [][]int, g GenerationConfig) (*Generation, error) {
	out := &Generation{Finish: make([]FinishReason, len(prompts))}
	for _, p := range prompts {
		if len(p) == 0 && len(g.BOSTokenID) > 0 {
			p = g.BOSTokenID[:1] // where Stream starts an empty prompt
		}
		out.Sequences = append(out.Sequences, slices.Clone(p))
	}
	for step, err := range m.Stream(ctx, prompts, g) {
		if err != nil {
			return nil, err
		}
		for b, tok := range step.Tokens {
			if out.Finish[b] == "" {
				out.Sequences[b] = append(out.Sequences[b], tok)
			}
		}
		copy(out.Finish, step.Finish)
		if step.Scores != nil {
			out.Scores = append(out.Scores, step.Scores)
		}
	}
	return out, nil
}

// Stream is Generate one step at a time: it yields each step as soon as its
// tokens are chosen, and stops when every sequence is finished, when the
// loop breaks, or when ctx is done (yielding ctx's error). An invalid
// config or prompt is yielded as an error before any step.
func (m *Model) Stream(ctx context.Context, prompts [][]int, g GenerationConfig) iter.Seq2[*Step, error] {
	return func(yield func(*Step, error) bool) {
		gen, err := m.newGenerator(ctx, prompts, &g)
		if err != nil {
			yield(nil, err)
			return
		}
		for {
			if err := ctx.Err(); err != nil {
				yield(nil, err)
				return
			}
			step, err := gen.next(ctx)
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(step, nil) || gen.done() {
				return
			}
		}
	}
}

// generator holds the state of one generation: the left-padded rows, their
// attention mask, the cache and the next-token logits.
type generator struct {
	m         *Model
	g         *GenerationConfig
	pick      *picker
	cache     *Cache
	ids, mask [][]int // padding, prompt, new tokens
	prompt    int     // padded prompt length
	maxNew    int
	pad       int // pad id of the outputs (-1: none)
	padIn     int // pad id fed to the model
	steps     int
	finish    []FinishReason
	logits    []float32 // batch x vocab, of the last forward pass
	last      []int     // the tokens chosen at the last step, not yet run
	maxStop   int       // longest stop string, in bytes
}

func (m *Model) newGenerator(ctx context.Context, prompts [][]int, g *GenerationConfig) (*generator, error) {
	if err := g.Validate(); err != nil {
		return nil, err
	}
	if len(prompts) == 0 {
		return nil, fmt.Errorf("%w: no prompt", ErrInput)
	}
	gen := &generator{m: m, g: g, pick: newPicker(g), pad: g.pad(), finish: make([]FinishReason, len(prompts))}
	gen.padIn = gen.pad
	if gen.padIn < 0 || gen.padIn >= m.Config.VocabSize {
		gen.padIn = 0 // masked or discarded: any valid id will do
	}
	prompts, err := startPrompts(prompts, g)
	if err != nil {
		return nil, err
	}
	longest := 0
	for _, p := range prompts {
		longest = max(longest, len(p))
	}
	gen.prompt, gen.maxNew = longest, g.MaxNewTokens
	if gen.maxNew == 0 {
		gen.maxNew = g.MaxLength - longest
		if gen.maxNew <= 0 {
			return nil, fmt.Errorf("%w: prompt of %d tokens reaches max_length %d; set max_new_tokens", ErrInput, longest, g.MaxLength)
		}
	}
	if longest+gen.maxNew > m.Config.NPositions {
		return nil, fmt.Errorf("%w: prompt of %d tokens + %d new tokens exceed n_positions %d", ErrInput, longest, gen.maxNew, m.Config.NPositions)
	}
	for _, p := range prompts {
		gen.leftPad(p)
	}
	for _, s := range g.StopStrings {
		gen.maxStop = max(gen.maxStop, len(s))
	}
	gen.cache = m.NewCache(len(prompts), longest+gen.maxNew)
	return gen, gen.prefill(ctx)
}

// startPrompts returns the prompts, an empty one replaced by bos_token_id
// (where transformers starts without input ids).
func startPrompts(prompts [][]int, g *GenerationConfig) ([][]int, error) {
	prompts = slices.Clone(prompts)
	for i, p := range prompts {
		if len(p) > 0 {
			continue
		}
		if len(g.BOSTokenID) == 0 {
			return nil, fmt.Errorf("%w: prompt %d is empty and there is no bos_token_id", ErrInput, i)
		}
		prompts[i] = g.BOSTokenID[:1]
	}
	return prompts, nil
}

// leftPad appends prompt p, padded on the left to the longest prompt, and
// its attention mask.
func (gen *generator) leftPad(p []int) {
	row := make([]int, gen.prompt, gen.prompt+gen.maxNew)
	mask := make([]int, gen.prompt, gen.prompt+gen.maxNew)
	pad := gen.prompt - len(p)
	for t := range pad {
		row[t] = gen.pad
	}
	copy(row[pad:], p)
	for t := pad; t < gen.prompt; t++ {
		mask[t] = 1
	}
	gen.ids, gen.mask = append(gen.ids, row), append(gen.mask, mask)
}

// prefill runs the padded prompts, with positions cumsum(mask)-1 (1 on
// padding), as transformers' prepare_inputs_for_generation.
func (gen *generator) prefill(ctx context.Context) error {
	in := Input{AttentionMask: gen.mask}
	for b, row := range gen.ids {
		ids := make([]int, len(row))
		pos := make([]int, len(row))
		n := 0
		for t, id := range row {
			ids[t], pos[t] = id, 1
			if gen.mask[b][t] == 1 {
				pos[t] = n
				n++
			} else {
				ids[t] = gen.padIn
			}
		}
		in.InputIDs, in.PositionIDs = append(in.InputIDs, ids), append(in.PositionIDs, pos)
	}
	return gen.forward(ctx, in)
}

func (gen *generator) forward(ctx context.Context, in Input) error {
	out, err := gen.m.Forward(ctx, in, &Options{Logits: LastLogits, Cache: gen.cache})
	if err != nil {
		return err
	}
	gen.logits = mat.Data[float32](out.Logits)
	return nil
}

// next runs the tokens of the previous step, if any, then chooses one token
// per sequence from the logits. It returns the step as soon as its tokens
// are chosen, so that they stream without waiting for the next pass.
func (gen *generator) next(ctx context.Context) (*Step, error) {
	if gen.last != nil {
		if err := gen.forward(ctx, gen.nextInput(gen.last)); err != nil {
			return nil, err
		}
	}
	batch, v := len(gen.ids), gen.m.Config.VocabSize
	step := &Step{Tokens: make([]int, batch), Finish: make([]FinishReason, batch)}
	for b := range batch {
		scores := gen.logits[b*v : (b+1)*v]
		if err := gen.pick.process(scores, gen.ids[b], gen.steps); err != nil {
			return nil, err
		}
		if gen.g.OutputScores {
			step.Scores = append(step.Scores, scores)
		}
		step.Tokens[b] = gen.pad
		if gen.finish[b] != "" {
			continue
		}
		tok, err := gen.pick.pick(scores)
		if err != nil {
			return nil, err
		}
		step.Tokens[b] = tok
	}
	gen.steps++
	for b, tok := range step.Tokens {
		gen.ids[b] = append(gen.ids[b], tok)
		gen.mask[b] = append(gen.mask[b], 1)
		if gen.finish[b] == "" {
			gen.finish[b] = gen.stopReason(b, tok)
		}
	}
	copy(step.Finish, gen.finish)
	gen.last = step.Tokens
	return step, nil
}

// nextInput is the batch x 1 input of the chosen tokens, at positions
// cumsum(mask)-1.
func (gen *generator) nextInput(tokens []int) Input {
	in := Input{}
	for b, tok := range tokens {
		n := 0
		for _, k := range gen.mask[b] {
			n += k
		}
		if tok < 0 {
			tok = gen.padIn
		}
		in.InputIDs = append(in.InputIDs, []int{tok})
		in.PositionIDs = append(in.PositionIDs, []int{n - 1})
	}
	return in
}

// stopReason tells whether sequence b is finished now that it ends in tok.
func (gen *generator) stopReason(b, tok int) FinishReason {
	for _, id := range gen.g.EOSTokenID {
		if tok == id {
			return FinishEOS
		}
	}
	if gen.maxStop > 0 && gen.hitsStopString(gen.ids[b][gen.prompt:]) {
		return FinishStop
	}
	if gen.steps >= gen.maxNew {
		return FinishLength
	}
	return ""
}

// hitsStopString reports whether the text of the generated tokens gained a
// stop string with the last one. Each token is at least one byte of text,
// so the last maxStop+1 tokens cover any new occurrence.
func (gen *generator) hitsStopString(ids []int) bool {
	window := ids[max(0, len(ids)-gen.maxStop-1):]
	text, before := gen.g.Decode(window), gen.g.Decode(window[:len(window)-1])
	for _, s := range gen.g.StopStrings {
		if strings.Contains(text, s) && !strings.Contains(before, s) {
			return true
		}
	}
	return false
}

func (gen *generator) done() bool {
	for _, f := range gen.finish {
		if f == "" {
			return false
		}
	}
	return true
}
