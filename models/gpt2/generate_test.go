package gpt2

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hfgo/hfgo/models/internal/fixture"
	"github.com/nlpodyssey/spago/mat"
)

// fixtureGeneration loads the gpt2 fixture's model and generation config,
// set up as the fixtures ran generate(): greedy, 20 new tokens.
func fixtureGeneration(t testing.TB) (*Model, GenerationConfig) {
	t.Helper()
	p := loadFixturePipeline(t)
	g := p.Generation
	g.MaxNewTokens = 20
	return p.Model, g
}

func TestGreedyMatchesTransformers(t *testing.T) {
	t.Parallel()
	p := loadFixturePipeline(t)
	g := p.Generation
	g.MaxNewTokens, g.OutputScores = 20, true
	exp := fixture.Open(t, filepath.Join(fixtures, "gpt2", "expected.safetensors"))
	for _, in := range readManifest(t).Inputs {
		t.Run(in.Name, func(t *testing.T) {
			t.Parallel()
			ids := fixtureIDs(t, p, exp, in.Name, in.Text)
			out, err := p.Model.Generate(context.Background(), [][]int{ids}, g)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := exp.Ints(t, in.Name+".generated_ids")
			if diff := cmp.Diff(want, out.Sequences[0]); diff != "" {
				t.Errorf("generated ids (-want +got):\n%s", diff)
			}
			if out.Finish[0] != FinishLength {
				t.Errorf("finish %q, want %q", out.Finish[0], FinishLength)
			}
			var scores [][]float32
			for _, s := range out.Scores {
				scores = append(scores, s[0])
			}
			fixture.CheckLogits(t, exp, in.Name+".generate_scores", "logits_cols", scores)
		})
	}
}

// TestCachedMatchesUncached runs greedy decoding twice: through the cache,
// and by running the whole sequence again for every token.
func TestCachedMatchesUncached(t *testing.T) {
	t.Parallel()
	m, g := fixtureGeneration(t)
	g.OutputScores = true
	prompt := readManifest(t).Inputs[1].InputIDs
	cached, err := m.Generate(context.Background(), [][]int{prompt}, g)
	if err != nil {
		t.Fatal(err)
	}
	seq := slices.Clone(prompt)
	for step := range g.MaxNewTokens {
		out, err := m.Forward(context.Background(), Input{InputIDs: [][]int{seq}}, &Options{Logits: LastLogits})
		if err != nil {
			t.Fatal(err)
		}
		logits := mat.Data[float32](out.Logits)
		fixture.Close(t, fmt.Sprintf("step %d logits", step), cached.Scores[step][0], logits)
		seq = append(seq, argmax(logits))
	}
	if diff := cmp.Diff(seq, cached.Sequences[0]); diff != "" {
		t.Errorf("cached decoding differs from full passes (-full +cached):\n%s", diff)
	}
}

// TestBatchLeftPadding generates from the four fixture prompts at once:
// each row must get the tokens that prompt gets alone.
func TestBatchLeftPadding(t *testing.T) {
	t.Parallel()
	m, g := fixtureGeneration(t)
	var prompts, want [][]int
	for _, in := range readManifest(t).Inputs {
		prompts = append(prompts, in.InputIDs)
		want = append(want, in.GeneratedIDs)
	}
	out, err := m.Generate(context.Background(), prompts, g)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, out.Sequences); diff != "" {
		t.Errorf("batched generation (-alone +batched):\n%s", diff)
	}
}

func TestSamplingSeed(t *testing.T) {
	t.Parallel()
	m, g := fixtureGeneration(t)
	g.DoSample, g.Temperature, g.TopK, g.TopP = true, 0.9, 40, 0.95
	prompt := [][]int{readManifest(t).Inputs[0].InputIDs}
	sample := func(seed uint64) []int {
		g.Rand = rand.New(rand.NewPCG(seed, 0))
		out, err := m.Generate(context.Background(), prompt, g)
		if err != nil {
			t.Fatal(err)
		}
		return out.Sequences[0]
	}
	a, b, c := sample(1), sample(1), sample(2)
	if !slices.Equal(a, b) {
		t.Errorf("seed 1 gave %v, then %v", a, b)
	}
	if slices.Equal(a, c) {
		t.Errorf("seeds 1 and 2 gave the same sample %v", a)
	}
	greedy := readManifest(t).Inputs[0].GeneratedIDs
	if slices.Equal(a, greedy) {
		t.Errorf("sampling gave the greedy sequence")
	}
}

func TestStopConditions(t *testing.T) {
	t.Parallel()
	m, g := fixtureGeneration(t)
	man := readManifest(t)
	p0, p1 := man.Inputs[0], man.Inputs[1]
	// Greedy p0 continues 9364 44539 44539 ...; p1 continues 26275 48347 ...
	decode := func(ids []int) string { return fmt.Sprint(ids) }
	tests := []struct {
		name    string
		prompts [][]int
		edit    func(*GenerationConfig)
		want    [][]int
		finish  []FinishReason
	}{
		{
			name: "eos", prompts: [][]int{p0.InputIDs, p1.InputIDs},
			edit:   func(g *GenerationConfig) { g.EOSTokenID = TokenIDs{44539} },
			want:   [][]int{p0.GeneratedIDs[:len(p0.InputIDs)+2], p1.GeneratedIDs},
			finish: []FinishReason{FinishEOS, FinishLength},
		},
		{
			name: "max new tokens", prompts: [][]int{p0.InputIDs},
			edit:   func(g *GenerationConfig) { g.MaxNewTokens = 3 },
			want:   [][]int{p0.GeneratedIDs[:len(p0.InputIDs)+3]},
			finish: []FinishReason{FinishLength},
		},
		{
			name: "max length", prompts: [][]int{p0.InputIDs},
			edit:   func(g *GenerationConfig) { g.MaxNewTokens, g.MaxLength = 0, len(p0.InputIDs)+4 },
			want:   [][]int{p0.GeneratedIDs[:len(p0.InputIDs)+4]},
			finish: []FinishReason{FinishLength},
		},
		{
			name: "stop string", prompts: [][]int{p0.InputIDs, p1.InputIDs},
			edit: func(g *GenerationConfig) {
				g.StopStrings, g.Decode = Strings{"44539 44539"}, decode
			},
			want:   [][]int{p0.GeneratedIDs[:len(p0.InputIDs)+3], p1.GeneratedIDs},
			finish: []FinishReason{FinishStop, FinishLength},
		},
		{
			name: "min new tokens keep eos out", prompts: [][]int{p0.InputIDs},
			edit: func(g *GenerationConfig) {
				g.EOSTokenID, g.MinNewTokens, g.MaxNewTokens = TokenIDs{9364}, 2, 2
			},
			finish: []FinishReason{FinishLength},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := g
			tc.edit(&g)
			out, err := m.Generate(context.Background(), tc.prompts, g)
			if err != nil {
				t.Fatal(err)
			}
			if tc.want != nil {
				if diff := cmp.Diff(tc.want, out.Sequences); diff != "" {
					t.Errorf("sequences (-want +got):\n%s", diff)
				}
			}
			if diff := cmp.Diff(tc.finish, out.Finish); diff != "" {
				t.Errorf("finish (-want +got):\n%s", diff)
			}
			for _, seq := range out.Sequences {
				if tc.name == "min new tokens keep eos out" && slices.Contains(seq[len(p0.InputIDs):], 9364) {
					t.Errorf("eos 9364 chosen before min_new_tokens: %v", seq)
				}
			}
		})
	}
}

func TestStreamCancelAndBreak(t *testing.T) {
	t.Parallel()
	m, g := fixtureGeneration(t)
	prompt := [][]int{readManifest(t).Inputs[0].InputIDs}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	steps := 0
	var got error
	for _, err := range m.Stream(ctx, prompt, g) {
		if err != nil {
			got = err
			break
		}
		steps++
		cancel()
	}
	if steps != 1 || !errors.Is(got, context.Canceled) {
		t.Errorf("after cancel: %d steps, error %v; want 1 step and context.Canceled", steps, got)
	}
	steps = 0
	for range m.Stream(context.Background(), prompt, g) {
		steps++
		if steps == 2 {
			break
		}
	}
	if steps != 2 {
		t.Errorf("break after 2 steps ran %d", steps)
	}
}

func TestGenerateErrors(t *testing.T) {
	t.Parallel()
	m, g := fixtureGeneration(t)
	tests := []struct {
		name    string
		prompts [][]int
		edit    func(*GenerationConfig)
		want    error
	}{
		{"no prompt", nil, func(*GenerationConfig) {}, ErrInput},
		{"id outside vocab", [][]int{{1, 50257}}, func(*GenerationConfig) {}, ErrInput},
		{"past n_positions", [][]int{{1, 2}}, func(g *GenerationConfig) { g.MaxNewTokens = 63 }, ErrInput},
		{"prompt reaches max_length", [][]int{{1, 2}}, func(g *GenerationConfig) { g.MaxNewTokens, g.MaxLength = 0, 2 }, ErrInput},
		{"beams", [][]int{{1}}, func(g *GenerationConfig) { g.NumBeams = 4 }, ErrConfig},
		{"zero temperature", [][]int{{1}}, func(g *GenerationConfig) { g.DoSample, g.Temperature = true, 0 }, ErrConfig},
		{"top_p above 1", [][]int{{1}}, func(g *GenerationConfig) { g.TopP = 1.5 }, ErrConfig},
		{"stop strings without decode", [][]int{{1}}, func(g *GenerationConfig) { g.StopStrings = Strings{"x"} }, ErrConfig},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := g
			tc.edit(&g)
			_, err := m.Generate(context.Background(), tc.prompts, g)
			if !errors.Is(err, tc.want) {
				t.Errorf("error %v, want %v", err, tc.want)
			}
		})
	}
}

// TestRepetitionPenaltyGreedy checks each token of a penalised greedy run
// against an independent computation: a full forward pass over the
// sequence so far, the penalty applied by hand, then the argmax.
func TestRepetitionPenaltyGreedy(t *testing.T) {
	t.Parallel()
	m, g := fixtureGeneration(t)
	g.RepetitionPenalty, g.MaxNewTokens = 1.3, 10
	prompt := readManifest(t).Inputs[0].InputIDs
	out, err := m.Generate(context.Background(), [][]int{prompt}, g)
	if err != nil {
		t.Fatal(err)
	}
	seq := slices.Clone(prompt)
	for range g.MaxNewTokens {
		o, err := m.Forward(context.Background(), Input{InputIDs: [][]int{seq}}, &Options{Logits: LastLogits})
		if err != nil {
			t.Fatal(err)
		}
		logits := slices.Clone(mat.Data[float32](o.Logits))
		seen := map[int]bool{}
		for _, id := range seq {
			if !seen[id] {
				seen[id] = true
				if logits[id] < 0 {
					logits[id] *= 1.3
				} else {
					logits[id] /= 1.3
				}
			}
		}
		seq = append(seq, argmax(logits))
	}
	if diff := cmp.Diff(seq, out.Sequences[0]); diff != "" {
		t.Errorf("penalised greedy (-independent +Generate):\n%s", diff)
	}
	if slices.Equal(seq, readManifest(t).Inputs[0].GeneratedIDs[:len(seq)]) {
		t.Error("the penalty changed nothing")
	}
}
