package layers

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/hfgo/hfgo/internal/kernel"
)

// ErrActivation is returned for an activation name that transformers'
// ACT2FN does not define, or that is not implemented here.
var ErrActivation = errors.New("unknown activation")

var activations = map[string]kernel.Activation{
	"gelu":              kernel.GELU,
	"gelu_python":       kernel.GELU,
	"gelu_new":          kernel.GELUTanh,
	"gelu_pytorch_tanh": kernel.GELUTanh,
	"gelu_fast":         kernel.GELUFast,
	"quick_gelu":        kernel.QuickGELU,
	"relu":              kernel.ReLU,
	"tanh":              kernel.Tanh,
	"linear":            func([]float32) {},
}

// Activation returns the in-place function that transformers' ACT2FN calls
// name: "gelu" is the exact erf form, "gelu_new" and "gelu_pytorch_tanh" the
// tanh form.
func Activation(name string) (kernel.Activation, error) {
	if f, ok := activations[name]; ok {
		return f, nil
	}
	return nil, fmt.Errorf("%w %q (known: %v)", ErrActivation, name, Activations())
}

// Activations lists the known activation names, sorted.
func Activations() []string {
	return slices.Sorted(maps.Keys(activations))
}
