package kernel

import "runtime"

// decode computes the attention of a single query (a decoding step) for all
// heads: the keys and then the values are read row after row, each row for
// all the heads of the range at once, so that the cache streams sequential
// memory instead of a column slice of it per head. Past a few dozen keys
// the heads are split into one contiguous range per core.
func (a *attention) decode() {
	heads := a.cfg.Heads
	if heads*a.kLen*a.cfg.HeadDim < decodeSerialWork {
		a.decodeHeads(best, 0, heads)
		return
	}
	parts := min(runtime.GOMAXPROCS(0), heads)
	shared := *a // escapes to the goroutines; a stays on the caller's stack
	onCores(parts, parts, func(p int) {
		shared.decodeHeads(best, p*heads/parts, (p+1)*heads/parts)
	})
}

// decodeHeads computes the heads [lo, hi) of a single query.
func (a *attention) decodeHeads(im *impl, lo, hi int) {
	d, kLen := a.cfg.HeadDim, a.kLen
	if kLen == 0 {
		clear(a.out[lo*d : hi*d])
		return
	}
	_, ld := scoreBlock(1, kLen)
	sc := attentionScratches.get()
	defer attentionScratches.put(sc)
	scores := growSlice(&sc.scores, (hi-lo)*ld)
	a.decodeScores(im, sc, lo, hi, scores, ld)
	for h := lo; h < hi; h++ {
		row := scores[(h-lo)*ld : (h-lo)*ld+kLen]
		maskScores(a.cfg, row, 1, kLen, ld, a.keyBias)
		softmaxRow(im, row)
		if a.probs != nil {
			copy(a.probs[h*kLen:(h+1)*kLen], row)
		}
		clear(a.out[h*d : (h+1)*d])
	}
	a.decodeValues(im, sc, lo, hi, scores, ld)
}

// decodeScores sets row h-lo of scores (stride ld) to Scale·q_h·k_hᵀ for
// the heads [lo, hi), four keys at a time.
func (a *attention) decodeScores(im *impl, sc *attentionScratch, lo, hi int, scores []float32, ld int) {
	d, kLen, ldk := a.cfg.HeadDim, a.kLen, a.ldk
	s := &sc.s4
	for j := 0; j < kLen; j += 4 {
		w := min(4, kLen-j)
		for h := lo; h < hi; h++ {
			c := h * d
			if w == 4 {
				im.dot4(d, a.q[c:], a.k[j*ldk+c:], ldk, s)
			} else {
				for r := range w {
					im.dot4(d, a.q[c:], a.k[(j+r)*ldk+c:], 0, &sc.one)
					s[r] = sc.one[0]
				}
			}
			row := scores[(h-lo)*ld+j:]
			for r := range w {
				row[r] = a.cfg.Scale * s[r]
			}
		}
	}
}

// decodeValues adds Σ_j p_h[j]·v_h[j] to the cleared out_h for the heads
// [lo, hi), four values at a time: consecutive products go to different
// heads, so that none waits for the last one's sum.
func (a *attention) decodeValues(im *impl, sc *attentionScratch, lo, hi int, scores []float32, ld int) {
	d, kLen, ldv := a.cfg.HeadDim, a.kLen, a.ldv
	x := &sc.x4
	for j := 0; j < kLen; j += 4 {
		w := min(4, kLen-j)
		for h := lo; h < hi; h++ {
			c := h * d
			p := scores[(h-lo)*ld+j:]
			if w == 4 {
				*x = [4]float32{p[0], p[1], p[2], p[3]}
				im.axpy4(d, x, a.v[j*ldv+c:], ldv, a.out[c:c+d])
				continue
			}
			for r := range w {
				// One row: the other three carry weight 0 and read it again.
				*x = [4]float32{p[r]}
				im.axpy4(d, x, a.v[(j+r)*ldv+c:], 0, a.out[c:c+d])
			}
		}
	}
}

// decodeSerialWork is the number of multiply-adds of a single query's
// attention below which it runs on the calling goroutine: the keys and
// values come from DRAM (a decoding step streams the weights between two
// layers' attention), and two cores read them faster than one once there
// are more than a few dozen.
const decodeSerialWork = 1 << 14
