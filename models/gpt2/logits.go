package gpt2

import (
	"cmp"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
)

// ErrScores is returned when sampling meets scores that are not a
// distribution (NaN, or every token filtered out).
var ErrScores = errors.New("gpt2: scores are not a probability distribution")

// negInf is the score of a filtered token, as transformers' filter_value.
var negInf = float32(math.Inf(-1))

// picker applies transformers' logits processors and warpers, in its order
// (repetition penalty, minimum length; then, when sampling, temperature,
// top-k, top-p), and picks the next token of a row.
type picker struct {
	g       *GenerationConfig
	rnd     *rand.Rand
	minKeep int         // transformers' min_tokens_to_keep: 1 without beams
	idx     []int       // scratch: candidate ids
	probs   []float64   // scratch: probabilities
	heap    []float32   // scratch: top-k
	seen    map[int]int // scratch: ids already penalised
}

func newPicker(g *GenerationConfig) *picker {
	r := g.Rand
	if r == nil {
		r = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	return &picker{g: g, rnd: r, minKeep: 1, seen: map[int]int{}}
}

// process turns the next-token logits of a row into its scores, in place.
// ids is the row so far (padding, prompt and new tokens), newTokens the
// number generated.
func (p *picker) process(scores []float32, ids []int, newTokens int) error {
	g := p.g
	for _, s := range scores {
		if math.IsNaN(float64(s)) {
			return ErrScores
		}
	}
	if g.RepetitionPenalty != 1 {
		p.penalize(scores, ids, float32(g.RepetitionPenalty))
	}
	if len(ids) < g.MinLength || newTokens < g.MinNewTokens {
		for _, id := range g.EOSTokenID {
			if id >= 0 && id < len(scores) {
				scores[id] = negInf
			}
		}
	}
	if !g.DoSample {
		return nil
	}
	if g.Temperature != 1 {
		t := float32(g.Temperature)
		for i := range scores {
			scores[i] /= t
		}
	}
	if g.TopK > 0 {
		p.topK(scores, max(g.TopK, p.minKeep))
	}
	if g.TopP < 1 {
		p.topP(scores, g.TopP)
	}
	return nil
}

// penalize applies RepetitionPenaltyLogitsProcessor: once per distinct id.
func (p *picker) penalize(scores []float32, ids []int, penalty float32) {
	clear(p.seen)
	for _, id := range ids {
		if id < 0 || id >= len(scores) || p.seen[id] > 0 {
			continue
		}
		p.seen[id] = 1
		if s := scores[id]; s < 0 {
			scores[id] = s * penalty
		} else {
			scores[id] = s / penalty
		}
	}
}

// topK applies TopKLogitsWarper: every score below the k-th largest is
// filtered, so ties with the k-th are kept.
func (p *picker) topK(scores []float32, k int) {
	if k >= len(scores) {
		return
	}
	if cap(p.heap) < k {
		p.heap = make([]float32, 0, k)
	}
	kth := kthLargest(scores, k, p.heap)
	for i, s := range scores {
		if s < kth {
			scores[i] = negInf
		}
	}
}

// topP applies TopPLogitsWarper: sort ascending, filter the tokens whose
// cumulative probability stays at or below 1-top_p, keep at least minKeep.
// Filtered tokens have probability 0 and are at the low end, so only the
// others are sorted.
func (p *picker) topP(scores []float32, topP float64) {
	p.idx = p.idx[:0]
	mx := negInf
	for i, s := range scores {
		if s > negInf {
			p.idx = append(p.idx, i)
			if s > mx {
				mx = s
			}
		}
	}
	slices.SortStableFunc(p.idx, func(a, b int) int { return cmp.Compare(scores[a], scores[b]) })
	var sum float64
	for _, i := range p.idx {
		sum += math.Exp(float64(scores[i] - mx))
	}
	limit := float32(1 - topP)
	var cum float64
	for n, i := range p.idx {
		cum += math.Exp(float64(scores[i]-mx)) / sum
		if float32(cum) > limit || n >= len(p.idx)-p.minKeep {
			break
		}
		scores[i] = negInf
	}
}

// pick returns the greedy choice, or a sample of softmax(scores).
func (p *picker) pick(scores []float32) (int, error) {
	if !p.g.DoSample {
		return argmax(scores), nil
	}
	mx := negInf
	for _, s := range scores {
		if s > mx {
			mx = s
		}
	}
	if math.IsInf(float64(mx), 0) {
		return 0, ErrScores
	}
	probs := p.scratchProbs(len(scores))
	var sum float64
	for i, s := range scores {
		probs[i] = 0
		if s > negInf {
			probs[i] = math.Exp(float64(s - mx))
			sum += probs[i]
		}
	}
	u := p.rnd.Float64() * sum
	last := 0
	for i, q := range probs {
		if q == 0 {
			continue
		}
		last = i
		if u < q {
			return i, nil
		}
		u -= q
	}
	return last, nil // rounding left u just above the total
}

func (p *picker) scratchProbs(n int) []float64 {
	if cap(p.probs) < n {
		p.probs = make([]float64, n)
	}
	return p.probs[:n]
}

// argmax returns the first index of the largest score, as torch.argmax.
func argmax(scores []float32) int {
	best := 0
	for i, s := range scores {
		if s > scores[best] || (math.IsNaN(float64(s)) && !math.IsNaN(float64(scores[best]))) {
			best = i
		}
	}
	return best
}

// kthLargest returns the k-th largest of scores (1-based) in one pass,
// keeping the k largest seen so far in heap, a min-heap (scratch of any
// capacity).
func kthLargest(scores []float32, k int, heap []float32) float32 {
	heap = append(heap[:0], scores[:k]...)
	for i := k/2 - 1; i >= 0; i-- {
		siftDown(heap, i)
	}
	for _, s := range scores[k:] {
		if s > heap[0] {
			heap[0] = s
			siftDown(heap, 0)
		}
	}
	return heap[0]
}

// siftDown restores the min-heap order below i.
func siftDown(h []float32, i int) {
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		if r := l + 1; r < len(h) && h[r] < h[l] {
			l = r
		}
		if h[i] <= h[l] {
			return
		}
		h[i], h[l] = h[l], h[i]
		i = l
	}
}
