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
// from the strided q, k and v, with the mask and softmax applied between
// them. A single query (decoding) reads each key and value row once for all
// the heads instead.
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
	if qLen == 1 {
		att.decode()
		return
	}
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

// heads computes the heads [lo, hi) with one scratch space.
func (a *attention) heads(lo, hi int) {
	qb, ld := scoreBlock(a.qLen, a.kLen)
	sc := attentionScratches.get()
	sc.scores = growSlice(&sc.scores, qb*ld)
	for h := lo; h < hi; h++ {
		var pr []float32
		if a.probs != nil {
			pr = a.probs[h*a.qLen*a.kLen : (h+1)*a.qLen*a.kLen]
		}
		attendHead(best, a.cfg, h, a.out, a.ldo, a.q, a.ldq, a.k, a.ldk, a.v, a.ldv, a.qLen, a.kLen, a.keyBias, sc, ld, pr)
	}
	attentionScratches.put(sc)
}

// attentionScratch holds a block of scores (a block of queries by the
// keys, row stride ld), a head's values packed for the product with them,
// padding for the last queries of a block, and the small arrays a single
// query's products hand to the kernels.
type attentionScratch struct {
	scores, values, pad []float32
	s4, one, x4         [4]float32
}

var attentionScratches freeList[attentionScratch]

// scoreBlock returns how many queries a head scores at a time, so that
// their scores (about 256 KiB) stay in L2 between the two products, and
// the row stride of the scores: a few floats over kLen, so that rows are
// not a multiple of 4 KiB apart.
func scoreBlock(qLen, kLen int) (rows, ld int) {
	ld = roundUp(kLen, 16)
	if ld%256 == 0 {
		ld += 16
	}
	return min(qLen, max(16, 65536/ld/16*16)), ld
}

// attendHead computes head h on the calling goroutine, a block of queries
// at a time (as many as sc.scores holds rows of ld floats).
func attendHead(im *impl, cfg AttentionConfig, h int, out []float32, ldo int, q []float32, ldq int, k []float32, ldk int, v []float32, ldv int, qLen, kLen int, keyBias []float32, sc *attentionScratch, ld int, probs []float32) {
	c := h * cfg.HeadDim
	d := cfg.HeadDim
	if kLen == 0 {
		for i := 0; i < qLen; i++ {
			clear(out[i*ldo+c : i*ldo+c+d])
		}
		return
	}
	scores := sc.scores
	qb := len(scores) / ld
	// Values·probabilities as values read like a weight: panels of 16 of
	// the head's columns, packed once for all the blocks of queries.
	packed := d%16 == 0 && qLen > 1
	if packed {
		vp := growSlice(&sc.values, d*kLen)
		for i := 0; i < d; i += 16 {
			for p := 0; p < kLen; p++ {
				copy(vp[i*kLen+p*16:i*kLen+p*16+16], v[p*ldv+c+i:])
			}
		}
	}
	for q0 := 0; q0 < qLen; q0 += qb {
		rows := min(qb, qLen-q0)
		product(im, true, rows, kLen, d, cfg.Scale, q[q0*ldq+c:], ldq, k[c:], ldk, scores, ld)
		blk := cfg
		blk.Past += q0
		maskScores(blk, scores, rows, kLen, ld, keyBias)
		for i := 0; i < rows; i++ {
			row := scores[i*ld : i*ld+kLen]
			softmaxRow(im, row)
			if probs != nil {
				copy(probs[(q0+i)*kLen:], row)
			}
		}
		if packed {
			valuesTimesProbs(im, sc, d, kLen, rows, ld, out[q0*ldo+c:], ldo)
			continue
		}
		product(im, false, rows, d, kLen, 1, scores, ld, v[c:], ldv, out[q0*ldo+c:], ldo)
	}
}

// valuesTimesProbs sets the rows×d block of out (row stride ldo) to the
// probabilities in sc.scores times the packed values: the in-place kernel
// with the probabilities as the weight (six queries a tile) and tiles
// stored untransposed, a row of out per query.
func valuesTimesProbs(im *impl, sc *attentionScratch, d, kLen, rows, ld int, out []float32, ldo int) {
	const tn, tm = 6, 16
	full := rows / tn
	for i := 0; i < d; i += tm {
		vp := sc.values[i*kLen : (i+tm)*kLen]
		if full > 0 {
			im.tile16(kLen, vp, sc.scores, ld, out[i:], ldo, nil, flagDirect, full)
		}
		if r0 := full * tn; r0 < rows {
			pad := growSlice(&sc.pad, tn*kLen)
			clear(pad)
			for r := r0; r < rows; r++ {
				copy(pad[(r-r0)*kLen:(r-r0+1)*kLen], sc.scores[r*ld:])
			}
			var tile [tn * tm]float32
			im.tile16(kLen, vp, pad, kLen, tile[:], 0, nil, flagScratch, 1)
			for r := r0; r < rows; r++ {
				copy(out[r*ldo+i:r*ldo+i+tm], tile[(r-r0)*tm:])
			}
		}
	}
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

func maskScores(cfg AttentionConfig, s []float32, qLen, kLen, ld int, keyBias []float32) {
	for i := 0; i < qLen; i++ {
		row := s[i*ld : i*ld+kLen]
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
