package bert

import (
	"fmt"

	"github.com/hfgo/hfgo/internal/kernel"
	"github.com/nlpodyssey/spago/mat"
)

// MLMLogits returns the masked-language-model logits (vocab_size columns)
// of the given token rows of out (row b·SeqLen+t is token t of sequence b),
// in that order; nil rows means every token.
func (m *Model) MLMLogits(out *Output, rows []int) (*mat.Dense[float32], error) {
	if m.closed.Load() {
		return nil, ErrClosed
	}
	if m.MLM == nil {
		return nil, fmt.Errorf("%w: no MLM head (cls.predictions)", ErrNoHead)
	}
	h, total := m.Config.HiddenSize, out.Batch*out.SeqLen
	x := mat.Data[float32](out.LastHiddenState)
	var t []float32
	if rows == nil {
		t = make([]float32, total*h)
		m.MLM.Transform.Forward(t, h, x, h, total)
		rows = make([]int, total)
	} else {
		sel := make([]float32, len(rows)*h)
		for i, r := range rows {
			if r < 0 || r >= total {
				return nil, fmt.Errorf("%w: token row %d outside [0, %d)", ErrInput, r, total)
			}
			copy(sel[i*h:(i+1)*h], x[r*h:(r+1)*h])
		}
		t = make([]float32, len(rows)*h)
		m.MLM.Transform.Forward(t, h, sel, h, len(rows))
	}
	m.act(t)
	m.MLM.Norm.Forward(t, len(rows), h)
	v := m.MLM.Decoder.Out
	logits := make([]float32, len(rows)*v)
	m.MLM.Decoder.Forward(logits, v, t, h, len(rows))
	return dense(logits, len(rows), v), nil
}

// NSPLogits returns the next-sentence-prediction logits, Batch×2 (column 0:
// the second segment follows the first).
func (m *Model) NSPLogits(out *Output) (*mat.Dense[float32], error) {
	if m.closed.Load() {
		return nil, ErrClosed
	}
	if m.NSP == nil || out.PoolerOutput == nil {
		return nil, fmt.Errorf("%w: no next-sentence head (cls.seq_relationship and pooler)", ErrNoHead)
	}
	h := m.Config.HiddenSize
	logits := make([]float32, out.Batch*2)
	m.NSP.Forward(logits, 2, mat.Data[float32](out.PoolerOutput), h, out.Batch)
	return dense(logits, out.Batch, 2), nil
}

// ClassifierLogits returns the classification logits (one column per
// label): Batch rows for a sequence classifier, Batch·SeqLen rows for a
// token classifier.
func (m *Model) ClassifierLogits(out *Output) (*mat.Dense[float32], error) {
	if m.closed.Load() {
		return nil, ErrClosed
	}
	if m.Classifier == nil {
		return nil, fmt.Errorf("%w: no classifier", ErrNoHead)
	}
	lin, h := m.Classifier.Linear, m.Config.HiddenSize
	x, rows := out.PoolerOutput, out.Batch
	if m.Classifier.PerToken {
		x, rows = out.LastHiddenState, out.Batch*out.SeqLen
	}
	if x == nil {
		return nil, fmt.Errorf("%w: sequence classifier without a pooler output", ErrNoHead)
	}
	logits := make([]float32, rows*lin.Out)
	lin.Forward(logits, lin.Out, mat.Data[float32](x), h, rows)
	return dense(logits, rows, lin.Out), nil
}

// softmaxRows turns each row of logits into probabilities in place.
func softmaxRows(x []float32, rows, cols int) {
	kernel.Softmax(x, rows, cols, cols)
}
