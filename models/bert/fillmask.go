package bert

import (
	"context"
	"fmt"
	"slices"

	"github.com/nlpodyssey/spago/mat"
)

// Fill is one prediction for a mask token, with the fields of transformers'
// fill-mask pipeline.
type Fill struct {
	// Score is the probability of the token at the mask.
	Score float32 `json:"score"`
	// ID is the token id ("token" in transformers).
	ID int `json:"token"`
	// Token is the decoded token ("token_str").
	Token string `json:"token_str"`
	// Sequence is the text with the mask replaced by the token (special
	// tokens left out when the text has a single mask).
	Sequence string `json:"sequence"`
}

// FillMask predicts the topK most likely tokens for each mask token
// ([MASK]) of text: one list per mask, in order, best first.
func (p *Pipeline) FillMask(ctx context.Context, text string, topK int) ([][]Fill, error) {
	f, err := p.FillMaskBatch(ctx, []string{text}, topK)
	if err != nil {
		return nil, err
	}
	return f[0], nil
}

// FillMaskBatch runs FillMask on each text.
func (p *Pipeline) FillMaskBatch(ctx context.Context, texts []string, topK int) ([][][]Fill, error) {
	maskTok, maskID, ok := p.Tokenizer.SpecialToken("mask_token")
	if !ok {
		return nil, fmt.Errorf("%w: the tokenizer has no mask token", ErrNoHead)
	}
	if p.Model.MLM == nil {
		return nil, fmt.Errorf("%w: no MLM head (cls.predictions) for fill-mask", ErrNoHead)
	}
	_, padID, hasPad := p.Tokenizer.SpecialToken("pad_token")
	out := make([][][]Fill, len(texts))
	err := p.run(ctx, texts, nil, func(b *batch) error {
		var rows, owner []int // token rows at masks, and their sequence
		for s, ids := range b.in.IDs {
			found := false
			for t, id := range ids {
				if id == maskID && b.in.AttentionMask[s][t] == 1 {
					rows, owner, found = append(rows, s*b.out.SeqLen+t), append(owner, s), true
				}
			}
			if !found {
				return fmt.Errorf("%w: no mask token (%s) in %q", ErrInput, maskTok, texts[b.index[s]])
			}
		}
		logits, err := p.Model.MLMLogits(b.out, rows)
		if err != nil {
			return err
		}
		v := logits.Shape()[1]
		probs := mat.Data[float32](logits)
		softmaxRows(probs, len(rows), v)
		for i, r := range rows {
			s := owner[i]
			ids := b.in.IDs[s]
			single := countOf(ids, maskID) == 1
			var fills []Fill
			for _, id := range topIndices(probs[i*v:(i+1)*v], topK) {
				seq := slices.Clone(ids)
				seq[r-s*b.out.SeqLen] = id
				if hasPad {
					seq = slices.DeleteFunc(seq, func(x int) bool { return x == padID })
				}
				fills = append(fills, Fill{
					Score:    probs[i*v+id],
					ID:       id,
					Token:    p.Tokenizer.Decode([]int{id}, false),
					Sequence: p.Tokenizer.Decode(seq, single),
				})
			}
			out[b.index[s]] = append(out[b.index[s]], fills)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func countOf(ids []int, id int) int {
	n := 0
	for _, x := range ids {
		if x == id {
			n++
		}
	}
	return n
}

// topIndices returns the indices of the k largest values, largest first
// (ties: lower index first); k <= 0 or k > len(x) means all.
func topIndices(x []float32, k int) []int {
	if k <= 0 || k > len(x) {
		k = len(x)
	}
	better := func(a, b int) bool { return x[a] > x[b] || (x[a] == x[b] && a < b) }
	top := make([]int, 0, k+1)
	for i := range x {
		if len(top) == k && !better(i, top[k-1]) {
			continue
		}
		j, _ := slices.BinarySearchFunc(top, i, func(a, b int) int {
			if better(a, b) {
				return -1
			}
			return 1
		})
		top = slices.Insert(top, j, i)
		if len(top) > k {
			top = top[:k]
		}
	}
	return top
}
