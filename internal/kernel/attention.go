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
//
// Heads are spread over the cores; each head is two products read in place
// from the strided q, k and v (a matrix-vector product when qLen is 1, as in
// decoding), with the mask and softmax applied between them.
func Attention(cfg AttentionConfig, out []float32, ldo int, q []float32, ldq int, k []float32, ldk int, v []float32, ldv int, qLen, kLen int, keyBias, probs []float32) {
	if keyBias != nil && len(keyBias) != kLen {
		panic("kernel: key bias length differs from key count")
	}
	if probs != nil && len(probs) < cfg.Heads*qLen*kLen {
		panic("kernel: probs shorter than heads×qLen×kLen")
	}
	hid := cfg.Heads * cfg.HeadDim
	checkRows(q, qLen, hid, ldq)
	checkRows(k, kLen, hid, ldk)
	checkRows(v, kLen, hid, ldv)
	checkRows(out, qLen, hid, ldo)
	if qLen == 0 || cfg.Heads == 0 {
		return
	}
	att := attention{cfg: cfg, out: out, ldo: ldo, q: q, ldq: ldq, k: k, ldk: ldk, v: v, ldv: ldv, qLen: qLen, kLen: kLen, keyBias: keyBias, probs: probs}
	if cfg.Heads*qLen*kLen*cfg.HeadDim < serialWork {
		att.heads(0, cfg.Heads)
		return
	}
	shared := att // escapes to the goroutines; att stays on the stack
	Parallel(cfg.Heads, shared.heads)
}

// attention holds the operands of one Attention call.
type attention struct {
	cfg                AttentionConfig
	out, q, k, v       []float32
	ldo, ldq, ldk, ldv int
	qLen, kLen         int
	keyBias, probs     []float32
}

// heads computes the heads [lo, hi) with one scratch buffer of scores.
func (a *attention) heads(lo, hi int) {
	n := a.qLen * a.kLen
	buf := scoreBuffers.get()
	if cap(*buf) < n {
		*buf = make([]float32, n)
	}
	for h := lo; h < hi; h++ {
		var pr []float32
		if a.probs != nil {
			pr = a.probs[h*n : (h+1)*n]
		}
		attendHead(best, a.cfg, h, a.out, a.ldo, a.q, a.ldq, a.k, a.ldk, a.v, a.ldv, a.qLen, a.kLen, a.keyBias, (*buf)[:n], pr)
	}
	scoreBuffers.put(buf)
}

var scoreBuffers freeList[[]float32]

// attendHead computes head h on the calling goroutine, using scores
// (qLen×kLen) as scratch.
func attendHead(im *impl, cfg AttentionConfig, h int, out []float32, ldo int, q []float32, ldq int, k []float32, ldk int, v []float32, ldv int, qLen, kLen int, keyBias, scores, probs []float32) {
	c := h * cfg.HeadDim
	d := cfg.HeadDim
	if kLen == 0 {
		for i := 0; i < qLen; i++ {
			clear(out[i*ldo+c : i*ldo+c+d])
		}
		return
	}
	product(im, true, qLen, kLen, d, cfg.Scale, q[c:], ldq, k[c:], ldk, scores, kLen)
	maskScores(cfg, scores, qLen, kLen, keyBias)
	for i := 0; i < qLen; i++ {
		softmaxRow(im, scores[i*kLen:(i+1)*kLen])
	}
	if probs != nil {
		copy(probs, scores)
	}
	product(im, false, qLen, d, kLen, 1, scores, kLen, v[c:], ldv, out[c:], ldo)
}

// product is C = alpha·A·op(B) on the calling goroutine, a matrix-vector
// product when m is 1.
func product(im *impl, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	ob := operandB{b: b, ldb: ldb, trans: transB}
	if m == 1 {
		gemvRange(im, &gemvJob{n: n, k: k, alpha: alpha, x: a, b: ob, y: c}, 0, n)
		return
	}
	gemmSerial(im, &gemmJob{m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: ob, c: c, ldc: ldc})
}

func maskScores(cfg AttentionConfig, s []float32, qLen, kLen int, keyBias []float32) {
	for i := 0; i < qLen; i++ {
		row := s[i*kLen : (i+1)*kLen]
		if cfg.Causal {
			for j := max(cfg.Past+i+1, 0); j < kLen; j++ {
				row[j] = MaskValue
			}
		}
		if keyBias != nil {
			Add(row, keyBias)
		}
	}
}
