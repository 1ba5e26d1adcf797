package kernel

import "math"

// MaskValue is the additive bias of a masked attention score, the float32
// minimum that transformers uses ((1 - mask) · torch.finfo(float32).min).
const MaskValue = -math.MaxFloat32

// AttentionConfig describes multi-head scaled dot-product attention over one
// sequence.
type AttentionConfig struct {
	Heads, HeadDim int
	// Scale multiplies Q·Kᵀ: 1/√HeadDim, times 1/(layer+1) for GPT-2's
	// scale_attn_by_inverse_layer_idx.
	Scale float32
	// Causal restricts query i, which sits at key position Past+i, to the
	// keys [0, Past+i]; a hidden score becomes MaskValue, as in GPT-2.
	Causal bool
	Past   int
}

// Attention computes, for each head h (the h-th block of HeadDim columns of
// q, k, v and out),
//
//	out_h = softmax(Scale·q_h·k_hᵀ [causal] + keyBias) · v_h
//
// q and out have qLen rows, k and v kLen rows, each with its row stride.
// keyBias is nil or holds one additive bias per key (0 to keep, MaskValue to
// mask padding). probs, when not nil, receives the probabilities as
// Heads×qLen×kLen.
func Attention(cfg AttentionConfig, out []float32, ldo int, q []float32, ldq int, k []float32, ldk int, v []float32, ldv int, qLen, kLen int, keyBias, probs []float32) {
	if keyBias != nil && len(keyBias) != kLen {
		panic("kernel: key bias length differs from key count")
	}
	if probs != nil && len(probs) < cfg.Heads*qLen*kLen {
		panic("kernel: probs shorter than heads×qLen×kLen")
	}
	d := cfg.HeadDim
	Parallel(cfg.Heads, func(lo, hi int) {
		scores := make([]float32, qLen*kLen)
		for h := lo; h < hi; h++ {
			c := h * d
			Gemm(true, qLen, kLen, d, cfg.Scale, q[c:], ldq, k[c:], ldk, 0, scores, kLen)
			maskScores(cfg, scores, qLen, kLen, keyBias)
			Softmax(scores, qLen, kLen, kLen)
			if probs != nil {
				copy(probs[h*qLen*kLen:(h+1)*qLen*kLen], scores)
			}
			Gemm(false, qLen, d, kLen, 1, scores, kLen, v[c:], ldv, 0, out[c:], ldo)
		}
	})
}

func maskScores(cfg AttentionConfig, s []float32, qLen, kLen int, keyBias []float32) {
	for i := 0; i < qLen; i++ {
		row := s[i*kLen : (i+1)*kLen]
		if cfg.Causal {
			for j := cfg.Past + i + 1; j < kLen; j++ {
				row[j] = MaskValue
			}
		}
		for j, b := range keyBias {
			row[j] += b
		}
	}
}
