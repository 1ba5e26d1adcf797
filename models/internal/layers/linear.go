package layers

import (
	"github.com/hfgo/hfgo/internal/kernel"
	"github.com/hfgo/hfgo/models/internal/weights"
	"github.com/nlpodyssey/spago/mat"
	"github.com/nlpodyssey/spago/nn"
)

// Linear is an affine map of In features to Out features.
//
// By default the weight is stored Out×In, as torch.nn.Linear stores it, and
// y = x·Wᵀ + b. With InOut the weight is stored In×Out, as a GPT-2
// checkpoint stores a Conv1D's, and y = x·W + b (LoadConv1D transposes such
// a weight to Out×In instead). Bias is nil for a map without bias.
type Linear struct {
	nn.Module
	Weight  *nn.Param
	Bias    *nn.Param
	In, Out int
	InOut   bool

	packed *kernel.Packed
}

// Pack lays the weight out once in the kernel's panel format, so that
// Forward skips packing it on every call. The packed copy is as large as
// the weight: the weight is then held twice.
func (l *Linear) Pack() {
	ldw := l.In
	if l.InOut {
		ldw = l.Out
	}
	l.packed = kernel.PackB(!l.InOut, l.In, l.Out, Data(l.Weight), ldw)
}

// Param wraps m as a parameter without copying it (nn.NewParam would clone).
func Param(m *mat.Dense[float32]) *nn.Param {
	return &nn.Param{Matrix: m}
}

// Data returns the float32 values of a parameter, row-major, without copying.
func Data(p *nn.Param) []float32 {
	return mat.Data[float32](p.Matrix)
}

// LoadLinear loads prefix.weight (Out×In, or In×Out when inOut) and, when
// bias is true, prefix.bias (Out).
func LoadLinear(l *weights.Loader, prefix string, in, out int, bias, inOut bool) (*Linear, error) {
	shape := []int{out, in}
	if inOut {
		shape = []int{in, out}
	}
	w, err := l.Tensor(prefix+".weight", shape...)
	if err != nil {
		return nil, err
	}
	lin := &Linear{Weight: Param(w), In: in, Out: out, InOut: inOut}
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
	w := Data(l.Weight)
	ldw := l.In
	if l.InOut {
		ldw = l.Out
	}
	var bias []float32
	if l.Bias != nil {
		bias = Data(l.Bias)
	}
	if l.packed != nil {
		kernel.GemmPacked(rows, 1, x, ldx, l.packed, 0, y, ldy, bias)
		return
	}
	kernel.GemmBias(!l.InOut, rows, l.Out, l.In, 1, x, ldx, w, ldw, 0, y, ldy, bias)
}

// Output is where ForwardShared writes the map of one Linear: the rows×Out
// matrix Y with row stride LDY.
type Output struct {
	Linear *Linear
	Y      []float32
	LDY    int
}

// ForwardShared sets each output to the map of the same rows×In matrix x
// (row stride ldx), as Forward would, in one product over the cores when
// the weights are stored out×in and not packed: BERT's query, key and
// value.
func ForwardShared(x []float32, ldx int, rows int, outs ...Output) {
	bs := make([]kernel.SharedB, len(outs))
	for i, o := range outs {
		l := o.Linear
		if l.InOut || l.packed != nil || l.In != outs[0].Linear.In {
			for _, o := range outs {
				o.Linear.Forward(o.Y, o.LDY, x, ldx, rows)
			}
			return
		}
		bs[i] = kernel.SharedB{N: l.Out, B: Data(l.Weight), LDB: l.In, C: o.Y, LDC: o.LDY}
		if l.Bias != nil {
			bs[i].Bias = Data(l.Bias)
		}
	}
	if len(outs) > 0 {
		kernel.GemmShared(rows, outs[0].Linear.In, 1, x, ldx, 0, bs...)
	}
}
