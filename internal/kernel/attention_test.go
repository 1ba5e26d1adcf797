package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// refAttention is the float64 definition of Attention: out and probs.
func refAttention(cfg AttentionConfig, q []float32, ldq int, k []float32, ldk int, v []float32, ldv int, qLen, kLen int, keyBias []float32) (out [][]float64, probs []float64) {
	d := cfg.HeadDim
	out = make([][]float64, qLen)
	for i := range out {
		out[i] = make([]float64, cfg.Heads*d)
	}
	probs = make([]float64, cfg.Heads*qLen*kLen)
	for h := 0; h < cfg.Heads; h++ {
		for i := 0; i < qLen; i++ {
			s := make([]float64, kLen)
			mx := math.Inf(-1)
			for j := range s {
				var dot float64
				for c := h * d; c < (h+1)*d; c++ {
					dot += float64(q[i*ldq+c]) * float64(k[j*ldk+c])
				}
				s[j] = dot * float64(cfg.Scale)
				if cfg.Causal && j > cfg.Past+i {
					s[j] = MaskValue
				}
				if keyBias != nil {
					s[j] += float64(keyBias[j])
				}
				mx = math.Max(mx, s[j])
			}
			var sum float64
			for j := range s {
				s[j] = math.Exp(s[j] - mx)
				sum += s[j]
			}
			for j := range s {
				s[j] /= sum
				probs[(h*qLen+i)*kLen+j] = s[j]
				for c := 0; c < d; c++ {
					out[i][h*d+c] += s[j] * float64(v[j*ldv+h*d+c])
				}
			}
		}
	}
	return out, probs
}

func TestAttention(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		heads, d       int
		qLen, kLen     int
		causal         bool
		past           int
		pad            bool // mask the first two keys
		withProbs      bool
		ldPad, outPadd int
	}{
		{"bert", 4, 16, 9, 9, false, 0, true, true, 0, 0},
		{"bert strided", 3, 8, 17, 17, false, 0, false, false, 5, 3},
		{"gpt2 prefill", 2, 64, 33, 33, true, 0, false, true, 0, 0},
		{"gpt2 decode", 12, 64, 1, 40, true, 39, false, true, 0, 0},
		{"gpt2 decode padded, strided", 4, 64, 1, 23, true, 22, true, true, 3, 2},
		{"gpt2 decode, heads over the cores", 12, 64, 1, 401, true, 400, false, true, 0, 0},
		{"gpt2 chunk", 2, 32, 5, 12, true, 7, true, false, 1, 0},
		{"one key", 2, 4, 1, 1, true, 0, false, true, 0, 0},
		{"bert-base heads", 12, 64, 40, 40, false, 0, true, true, 0, 0},
		{"head dim 16, odd queries", 2, 16, 13, 21, false, 0, true, true, 2, 1},
	}
	for _, tt := range tests {
		r := rand.New(rand.NewPCG(uint64(tt.qLen), uint64(tt.kLen)))
		hid := tt.heads * tt.d
		ld := hid + tt.ldPad
		q, k, v := randSlice(r, tt.qLen*ld), randSlice(r, tt.kLen*ld), randSlice(r, tt.kLen*ld)
		for i := range q {
			q[i] *= 3
		}
		ldo := hid + tt.outPadd
		out := randSlice(r, tt.qLen*ldo)
		var keyBias, probs []float32
		if tt.pad {
			keyBias = make([]float32, tt.kLen)
			keyBias[0], keyBias[1] = MaskValue, MaskValue
		}
		if tt.withProbs {
			probs = make([]float32, tt.heads*tt.qLen*tt.kLen)
		}
		cfg := AttentionConfig{Heads: tt.heads, HeadDim: tt.d, Scale: float32(1 / math.Sqrt(float64(tt.d))), Causal: tt.causal, Past: tt.past}
		wantOut, wantProbs := refAttention(cfg, q, ld, k, ld, v, ld, tt.qLen, tt.kLen, keyBias)
		Attention(cfg, out, ldo, q, ld, k, ld, v, ld, tt.qLen, tt.kLen, keyBias, probs)
		for i := 0; i < tt.qLen; i++ {
			checkClose(t, tt.name+" out", out[i*ldo:i*ldo+hid], wantOut[i], 1e-5, 1e-4)
		}
		if probs != nil {
			checkClose(t, tt.name+" probs", probs, wantProbs, 1e-6, 1e-4)
		}
		// Each implementation, with the queries of a head in blocks of 4
		// rows (the causal mask and the probabilities move with them).
		for _, im := range impls() {
			got := make([]float32, len(out))
			allProbs := make([]float32, tt.heads*tt.qLen*tt.kLen)
			_, lds := scoreBlock(tt.qLen, tt.kLen)
			sc := &attentionScratch{scores: make([]float32, 4*lds)}
			for h := 0; h < tt.heads; h++ {
				attendHead(im, cfg, h, got, ldo, q, ld, k, ld, v, ld, tt.qLen, tt.kLen, keyBias, sc, lds, allProbs[h*tt.qLen*tt.kLen:])
			}
			for i := 0; i < tt.qLen; i++ {
				checkClose(t, im.name+" "+tt.name+" out", got[i*ldo:i*ldo+hid], wantOut[i], 1e-5, 1e-4)
			}
			checkClose(t, im.name+" "+tt.name+" probs", allProbs, wantProbs, 1e-6, 1e-4)
			if tt.qLen == 1 {
				checkDecode(t, im, cfg, tt.name, q, k, v, ld, tt.kLen, keyBias, wantOut[0], wantProbs)
			}
		}
	}
}

func TestParallelCoversRange(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 2, 3, 17, 1000} {
		seen := make([]int32, n)
		Parallel(n, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				seen[i]++
			}
		})
		for i, s := range seen {
			if s != 1 {
				t.Fatalf("n=%d: index %d visited %d times", n, i, s)
			}
		}
	}
}

// checkDecode runs the single-query path on im in two ranges of heads.
func checkDecode(t *testing.T, im *impl, cfg AttentionConfig, name string, q, k, v []float32, ld, kLen int, keyBias []float32, wantOut, wantProbs []float64) {
	t.Helper()
	hid := cfg.Heads * cfg.HeadDim
	out := make([]float32, hid)
	probs := make([]float32, cfg.Heads*kLen)
	a := attention{cfg: cfg, out: out, ldo: hid, q: q, ldq: ld, k: k, ldk: ld, v: v, ldv: ld, qLen: 1, kLen: kLen, keyBias: keyBias, probs: probs}
	mid := cfg.Heads / 2
	a.decodeHeads(im, 0, mid)
	a.decodeHeads(im, mid, cfg.Heads)
	checkClose(t, im.name+" "+name+" decode out", out, wantOut, 1e-5, 1e-4)
	checkClose(t, im.name+" "+name+" decode probs", probs, wantProbs, 1e-6, 1e-4)
}

// TestAttentionDecodeMasked masks half of a single query's keys, then every
// key (transformers then spreads the probability evenly), on the decoding
// path.
func TestAttentionDecodeMasked(t *testing.T) {
	t.Parallel()
	const heads, d, kLen = 3, 16, 30
	r := rand.New(rand.NewPCG(11, 12))
	hid := heads * d
	q, k, v := randSlice(r, hid), randSlice(r, kLen*hid), randSlice(r, kLen*hid)
	cfg := AttentionConfig{Heads: heads, HeadDim: d, Scale: 0.25, Causal: true, Past: kLen - 1}
	for _, masked := range []int{15, kLen} {
		keyBias := make([]float32, kLen)
		for j := range masked {
			keyBias[j] = MaskValue
		}
		wantOut, wantProbs := refAttention(cfg, q, hid, k, hid, v, hid, 1, kLen, keyBias)
		for _, im := range impls() {
			checkDecode(t, im, cfg, fmt.Sprintf("%d keys masked", masked), q, k, v, hid, kLen, keyBias, wantOut[0], wantProbs)
		}
	}
}
