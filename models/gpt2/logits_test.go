package gpt2

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var inf = math.Inf(-1)

func f32s(v ...float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

// logs returns log(p) for each probability.
func logs(p ...float64) []float32 {
	out := make([]float32, len(p))
	for i, x := range p {
		out[i] = float32(math.Log(x))
	}
	return out
}

func TestProcess(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		g      GenerationConfig
		scores []float32
		ids    []int
		newTok int
		want   []float32
	}{
		{
			name:   "repetition penalty once per id, prompt included",
			g:      GenerationConfig{RepetitionPenalty: 2, TopP: 1},
			scores: f32s(2, -2, 1, 0.5), ids: []int{0, 1, 0, 0},
			want: f32s(1, -4, 1, 0.5),
		},
		{
			name:   "greedy ignores the sampling warpers",
			g:      GenerationConfig{RepetitionPenalty: 1, Temperature: 0.5, TopK: 1, TopP: 0.1},
			scores: f32s(1, 2, 3),
			want:   f32s(1, 2, 3),
		},
		{
			name:   "temperature",
			g:      GenerationConfig{DoSample: true, RepetitionPenalty: 1, Temperature: 0.5, TopP: 1},
			scores: f32s(1, -2, 3),
			want:   f32s(2, -4, 6),
		},
		{
			name:   "top-k keeps ties with the k-th",
			g:      GenerationConfig{DoSample: true, RepetitionPenalty: 1, Temperature: 1, TopK: 2, TopP: 1},
			scores: f32s(1, 3, 2, 3, 3),
			want:   f32s(inf, 3, inf, 3, 3),
		},
		{
			name:   "top-k",
			g:      GenerationConfig{DoSample: true, RepetitionPenalty: 1, Temperature: 1, TopK: 2, TopP: 1},
			scores: f32s(1, 4, 2, 3, -1),
			want:   f32s(inf, 4, inf, 3, inf),
		},
		{
			name:   "top-p keeps the smallest set above p",
			g:      GenerationConfig{DoSample: true, RepetitionPenalty: 1, Temperature: 1, TopP: 0.75},
			scores: logs(0.5, 0.3, 0.15, 0.05),
			want:   append(logs(0.5, 0.3), float32(inf), float32(inf)),
		},
		{
			name:   "top-p keeps at least one token",
			g:      GenerationConfig{DoSample: true, RepetitionPenalty: 1, Temperature: 1, TopP: 0},
			scores: logs(0.2, 0.5, 0.3),
			want:   []float32{float32(inf), float32(math.Log(0.5)), float32(inf)},
		},
		{
			name:   "top-k then top-p renormalises over the kept tokens",
			g:      GenerationConfig{DoSample: true, RepetitionPenalty: 1, Temperature: 1, TopK: 2, TopP: 0.6},
			scores: logs(0.4, 0.35, 0.25),
			// after top-k: 0.4/0.75 = 0.533, 0.35/0.75 = 0.467; ascending cum
			// 0.467 <= 0.4 is false, so both stay.
			want: append(logs(0.4, 0.35), float32(inf)),
		},
		{
			name:   "min_new_tokens masks every eos",
			g:      GenerationConfig{RepetitionPenalty: 1, TopP: 1, MinNewTokens: 2, EOSTokenID: TokenIDs{0, 2}},
			scores: f32s(1, 2, 3), newTok: 1,
			want: f32s(inf, 2, inf),
		},
		{
			name:   "min_length counts the prompt",
			g:      GenerationConfig{RepetitionPenalty: 1, TopP: 1, MinLength: 3, EOSTokenID: TokenIDs{0}},
			scores: f32s(1, 2, 3), ids: []int{1, 1, 1}, newTok: 0,
			want: f32s(1, 2, 3),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := newPicker(&tc.g)
			scores := slices.Clone(tc.scores)
			if err := p.process(scores, tc.ids, tc.newTok); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, scores); diff != "" {
				t.Errorf("scores (-want +got):\n%s", diff)
			}
		})
	}
}

func TestProcessNaN(t *testing.T) {
	t.Parallel()
	g := GenerationConfig{RepetitionPenalty: 1, TopP: 1}
	if err := newPicker(&g).process(f32s(1, math.NaN()), nil, 0); err != ErrScores {
		t.Errorf("NaN scores: %v, want ErrScores", err)
	}
}

func TestPickGreedyFirstMax(t *testing.T) {
	t.Parallel()
	g := GenerationConfig{}
	got, err := newPicker(&g).pick(f32s(1, 3, 2, 3))
	if err != nil || got != 1 {
		t.Errorf("pick = %d, %v; want 1", got, err)
	}
}

// TestPickSamplesSoftmax draws many samples and compares the frequencies
// with the softmax of the scores.
func TestPickSamplesSoftmax(t *testing.T) {
	t.Parallel()
	probs := []float64{0.5, 0.3, 0.2, 0}
	g := GenerationConfig{DoSample: true, Rand: rand.New(rand.NewPCG(9, 9))}
	p := newPicker(&g)
	scores := logs(probs...)
	const n = 20000
	counts := make([]int, len(probs))
	for range n {
		i, err := p.pick(scores)
		if err != nil {
			t.Fatal(err)
		}
		counts[i]++
	}
	for i, want := range probs {
		if got := float64(counts[i]) / n; math.Abs(got-want) > 0.015 {
			t.Errorf("token %d drawn %.3f of the time, want %.3f", i, got, want)
		}
	}
	if _, err := p.pick(f32s(inf, inf)); err != ErrScores {
		t.Errorf("all filtered: %v, want ErrScores", err)
	}
}

func TestKthLargest(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 1))
	for range 200 {
		n := 1 + r.IntN(50)
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(r.IntN(8)) // many ties
		}
		k := 1 + r.IntN(n)
		sorted := slices.Clone(v)
		slices.Sort(sorted)
		want := sorted[n-k]
		if got := kthLargest(v, k, nil); got != want {
			t.Fatalf("kthLargest(%v, %d) = %v, want %v", v, k, got, want)
		}
	}
}
