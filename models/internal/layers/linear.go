package layers

import (
	"github.com/hfgo/hfgo/internal/kernel"
	"github.com/hfgo/hfgo/models/internal/weights"
	"github.com/nlpodyssey/spago/mat"
	"github.com/nlpodyssey/spago/nn"
)

// Linear is an affine map of In features to Out features, y = x·Wᵀ + b,
// with the weight stored Out×In as torch.nn.Linear stores it (LoadConv1D
// transposes a GPT-2 Conv1D's In×Out weight to that layout). Bias is nil
// for a map without bias.
type Linear struct {
	nn.Module
	Weight  *nn.Param
	Bias    *nn.Param
	In, Out int
}

// Param wraps m as a parameter without copying it (nn.NewParam would clone).
func Param(m *mat.Dense[float32]) *nn.Param {
	return &nn.Param{Matrix: m}
}

// Data returns the float32 values of a parameter, row-major, without copying.
func Data(p *nn.Param) []float32 {
	return mat.Data[float32](p.Matrix)
}

// LoadLinear loads prefix.weight (Out×In) and, when bias is true,
// prefix.bias (Out).
func LoadLinear(l *weights.Loader, prefix string, in, out int, bias bool) (*Linear, error) {
	w, err := l.Tensor(prefix+".weight", out, in)
	if err != nil {
		return nil, err
	}
	lin := &Linear{Weight: Param(w), In: in, Out: out}
	if bias {
		b, err := l.Tensor(prefix+".bias", out)
		if err != nil {
			return nil, err
		}
		lin.Bias = Param(b)
	}
	return lin, nil
}

// LoadConv1D loads a Conv1D (GPT-2's layer, weight stored In×Out in the
// checkpoint) as a Linear whose weight is stored Out×In: the layout whose
// products are fastest both for many rows and for single-token decoding.
// The weight is transposed once, into memory of the model's own, and the
// checkpoint's copy is given back (weights.Loader.Transposed).
func LoadConv1D(l *weights.Loader, prefix string, in, out int) (*Linear, error) {
	w, err := l.Transposed(prefix+".weight", in, out)
	if err != nil {
		return nil, err
	}
	b, err := l.Tensor(prefix+".bias", out)
	if err != nil {
		return nil, err
	}
	return &Linear{Weight: Param(w), Bias: Param(b), In: in, Out: out}, nil
}

// Forward sets the rows×Out matrix y (row stride ldy) to the map of the
// rows×In matrix x (row stride ldx).
func (l *Linear) Forward(y []float32, ldy int, x []float32, ldx int, rows int) {
	kernel.GemmBias(true, rows, l.Out, l.In, 1, x, ldx, Data(l.Weight), l.In, 0, y, ldy, l.bias())
}

// bias returns the bias values, or nil.
func (l *Linear) bias() []float32 {
	if l.Bias == nil {
		return nil
	}
	return Data(l.Bias)
}

// Output is where ForwardShared writes the map of one Linear: the rows×Out
// matrix Y with row stride LDY.
type Output struct {
	Linear *Linear
	Y      []float32
	LDY    int
}

// ForwardShared sets each output to the map of the same rows×In matrix x
// (row stride ldx), as Forward would, in one product over the cores: BERT's
// query, key and value. The maps must share In.
func ForwardShared(x []float32, ldx int, rows int, outs ...Output) {
	if len(outs) == 0 {
		return
	}
	in := outs[0].Linear.In
	bs := make([]kernel.SharedB, len(outs))
	for i, o := range outs {
		l := o.Linear
		if l.In != in {
			panic("layers: ForwardShared over maps of different input widths")
		}
		bs[i] = kernel.SharedB{N: l.Out, B: Data(l.Weight), LDB: l.In, C: o.Y, LDC: o.LDY, Bias: l.bias()}
	}
	kernel.GemmShared(rows, in, 1, x, ldx, 0, bs...)
}
