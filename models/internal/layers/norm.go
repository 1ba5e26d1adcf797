package layers

import (
	"github.com/hfgo/hfgo/internal/kernel"
	"github.com/hfgo/hfgo/models/internal/weights"
	"github.com/nlpodyssey/spago/nn"
)

// LayerNorm is torch.nn.LayerNorm over the last dimension: (x-mean) /
// sqrt(var+Eps)·Weight + Bias, with the biased variance.
type LayerNorm struct {
	nn.Module
	Weight, Bias *nn.Param
	Eps          float32
}

// LoadLayerNorm loads prefix.weight and prefix.bias, both of size dim.
// Legacy names (gamma, beta) are found when the loader aliases them.
func LoadLayerNorm(l *weights.Loader, prefix string, dim int, eps float32) (*LayerNorm, error) {
	w, err := l.Tensor(prefix+".weight", dim)
	if err != nil {
		return nil, err
	}
	b, err := l.Tensor(prefix+".bias", dim)
	if err != nil {
		return nil, err
	}
	return &LayerNorm{Weight: Param(w), Bias: Param(b), Eps: eps}, nil
}

// Forward normalises each of the rows of x (row stride ld) in place.
func (n *LayerNorm) Forward(x []float32, rows, ld int) {
	kernel.LayerNorm(x, rows, ld, Data(n.Weight), Data(n.Bias), n.Eps)
}

// ForwardTo writes the normalised rows of x (row stride ld) to dst (row
// stride ldd), leaving x as it is: a pre-norm block's input.
func (n *LayerNorm) ForwardTo(dst []float32, ldd int, x []float32, rows, ld int) {
	kernel.LayerNormTo(dst, ldd, x, rows, ld, Data(n.Weight), Data(n.Bias), n.Eps)
}

// AddForward adds residual (row stride ldr) to x and normalises the sums in
// place, in one pass: a post-norm block's LayerNorm(h + x).
func (n *LayerNorm) AddForward(x []float32, rows, ld int, residual []float32, ldr int) {
	kernel.AddLayerNorm(x, rows, ld, residual, ldr, Data(n.Weight), Data(n.Bias), n.Eps)
}

// AddForwardTo adds residual (row stride ldr) to x, keeping the sums in x,
// and writes their normalised rows to dst (row stride ldd), which may be
// residual itself: a pre-norm model's x += h; h = LayerNorm(x).
func (n *LayerNorm) AddForwardTo(dst []float32, ldd int, x []float32, rows, ld int, residual []float32, ldr int) {
	kernel.AddLayerNormTo(dst, ldd, x, rows, ld, residual, ldr, Data(n.Weight), Data(n.Bias), n.Eps)
}
