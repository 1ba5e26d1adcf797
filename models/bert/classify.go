package bert

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/nlpodyssey/spago/mat"
)

// LabelScore is one label of a classification and its score.
type LabelScore struct {
	// Label is the class name (id2label).
	Label string `json:"label"`
	// Score is its probability: softmax over the labels, or a sigmoid.
	Score float32 `json:"score"`
}

// Classify scores every label of a sequence classifier on text, best
// first: softmax over the labels, or a sigmoid per label for a
// multi-label or single-output model (as transformers' text-classification
// pipeline chooses).
func (p *Pipeline) Classify(ctx context.Context, text string) ([]LabelScore, error) {
	c, err := p.ClassifyBatch(ctx, []string{text})
	if err != nil {
		return nil, err
	}
	return c[0], nil
}

// ClassifyBatch runs Classify on each text.
func (p *Pipeline) ClassifyBatch(ctx context.Context, texts []string) ([][]LabelScore, error) {
	return p.classify(ctx, texts, nil)
}

// ClassifyPairs scores the labels of each pair of texts (first[i],
// second[i]) encoded together, as a cross-encoder or an NLI model reads
// them ([CLS] a [SEP] b [SEP]).
func (p *Pipeline) ClassifyPairs(ctx context.Context, first, second []string) ([][]LabelScore, error) {
	if len(first) != len(second) {
		return nil, fmt.Errorf("%w: %d first texts, %d second texts", ErrInput, len(first), len(second))
	}
	return p.classify(ctx, first, second)
}

func (p *Pipeline) classify(ctx context.Context, texts, pairs []string) ([][]LabelScore, error) {
	cl := p.Model.Classifier
	if cl == nil || cl.PerToken {
		return nil, fmt.Errorf("%w: no sequence classifier (classifier with BertForSequenceClassification)", ErrNoHead)
	}
	labels := p.Model.Config.Labels
	out := make([][]LabelScore, len(texts))
	err := p.run(ctx, texts, pairs, func(b *batch) error {
		logits, err := p.Model.ClassifierLogits(b.out)
		if err != nil {
			return err
		}
		k := len(labels)
		scores := mat.Data[float32](logits)
		p.score(scores, b.out.Batch, k)
		for s := range b.out.Batch {
			ls := make([]LabelScore, k)
			for j := range ls {
				ls[j] = LabelScore{Label: labels[j], Score: scores[s*k+j]}
			}
			slices.SortStableFunc(ls, func(a, b LabelScore) int { return -compare(a.Score, b.Score) })
			out[b.index[s]] = ls
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// score turns logits into scores as transformers' text-classification
// pipeline does by default: sigmoid for problem_type
// multi_label_classification or a single label, else softmax.
func (p *Pipeline) score(x []float32, rows, k int) {
	c := p.Model.Config
	if c.ProblemType == "multi_label_classification" || k == 1 {
		for i, v := range x {
			x[i] = float32(1 / (1 + math.Exp(-float64(v))))
		}
		return
	}
	softmaxRows(x, rows, k)
}

func compare(a, b float32) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TokenLabel is the label of one token, with the fields of transformers'
// token-classification pipeline (aggregation_strategy "none").
type TokenLabel struct {
	// Entity is the label.
	Entity string `json:"entity"`
	// Score is the label's probability (softmax over the labels).
	Score float32 `json:"score"`
	// Index is the token's position in the encoded sequence.
	Index int `json:"index"`
	// Word is the token.
	Word string `json:"word"`
	// Start and End are the byte offsets of the token in the text (Python
	// gives character offsets: the same for ASCII text).
	Start int `json:"start"`
	End   int `json:"end"`
}

// ClassifyTokens labels each token of text with a token classifier, leaving
// out special tokens and the label "O", as transformers' ner pipeline does.
func (p *Pipeline) ClassifyTokens(ctx context.Context, text string) ([]TokenLabel, error) {
	c, err := p.ClassifyTokensBatch(ctx, []string{text})
	if err != nil {
		return nil, err
	}
	return c[0], nil
}

// ClassifyTokensBatch runs ClassifyTokens on each text.
func (p *Pipeline) ClassifyTokensBatch(ctx context.Context, texts []string) ([][]TokenLabel, error) {
	cl := p.Model.Classifier
	if cl == nil || !cl.PerToken {
		return nil, fmt.Errorf("%w: no token classifier (classifier with BertForTokenClassification)", ErrNoHead)
	}
	labels := p.Model.Config.Labels
	out := make([][]TokenLabel, len(texts))
	err := p.run(ctx, texts, nil, func(b *batch) error {
		logits, err := p.Model.ClassifierLogits(b.out)
		if err != nil {
			return err
		}
		k, n := len(labels), b.out.SeqLen
		probs := mat.Data[float32](logits)
		softmaxRows(probs, b.out.Batch*n, k)
		for s, enc := range b.encs {
			res := []TokenLabel{}
			for t := range enc.IDs {
				if enc.SpecialTokensMask[t] == 1 || enc.AttentionMask[t] == 0 {
					continue
				}
				row := probs[(s*n+t)*k : (s*n+t+1)*k]
				best := topIndices(row, 1)[0]
				if labels[best] == "O" {
					continue
				}
				res = append(res, TokenLabel{Entity: labels[best], Score: row[best], Index: t,
					Word: enc.Tokens[t], Start: enc.Offsets[t][0], End: enc.Offsets[t][1]})
			}
			out[b.index[s]] = res
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
