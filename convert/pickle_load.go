package convert

import (
	"bytes"
	"errors"
	"fmt"
	"math/big"

	"github.com/nlpodyssey/gopickle/pickle"
	"github.com/nlpodyssey/gopickle/types"
)

// storageClass is a torch.*Storage global: the dtype of a storage named by
// a persistent id.
type storageClass struct {
	name string
	dt   dtype
	ok   bool // false for storages this package cannot represent
}

// dtypeObject is a torch dtype global (torch.float32), an argument of
// _rebuild_tensor_v3.
type dtypeObject struct {
	name string
	dt   dtype
}

// classMarker is an allowed class used only as a value (torch.Tensor).
type classMarker struct{ name string }

// rebuildKind selects what a rebuild function does with its arguments.
type rebuildKind int

const (
	rebuildTensor rebuildKind = iota
	rebuildTensorV2
	rebuildTensorV3
	rebuildParameter
	rebuildParameterWithState
	rebuildFromTypeV2
	torchSize
)

// rebuildFunc is a callable torch global: it builds a tensor reference
// from storage, offset, size and stride, and never runs anything else.
type rebuildFunc struct {
	name string
	kind rebuildKind
}

// allowedGlobals is the set of Python globals a checkpoint may name: what
// torch.save of a state dict emits, a subset of PyTorch's weights_only
// allow list. collections.OrderedDict is resolved by gopickle itself.
var allowedGlobals = map[string]any{
	"collections.OrderedDict":                    nil,
	"torch._utils._rebuild_tensor":               &rebuildFunc{"torch._utils._rebuild_tensor", rebuildTensor},
	"torch._utils._rebuild_tensor_v2":            &rebuildFunc{"torch._utils._rebuild_tensor_v2", rebuildTensorV2},
	"torch._utils._rebuild_tensor_v3":            &rebuildFunc{"torch._utils._rebuild_tensor_v3", rebuildTensorV3},
	"torch._utils._rebuild_parameter":            &rebuildFunc{"torch._utils._rebuild_parameter", rebuildParameter},
	"torch._utils._rebuild_parameter_with_state": &rebuildFunc{"torch._utils._rebuild_parameter_with_state", rebuildParameterWithState},
	"torch._tensor._rebuild_from_type_v2":        &rebuildFunc{"torch._tensor._rebuild_from_type_v2", rebuildFromTypeV2},
	"torch.Size":                                 &rebuildFunc{"torch.Size", torchSize},
	"torch.Tensor":                               &classMarker{"torch.Tensor"},
	"torch.nn.parameter.Parameter":               &classMarker{"torch.nn.parameter.Parameter"},
}

func init() {
	storages := []struct {
		name string
		dt   dtype
	}{
		{"DoubleStorage", dtF64}, {"FloatStorage", dtF32}, {"HalfStorage", dtF16},
		{"BFloat16Storage", dtBF16}, {"LongStorage", dtI64}, {"IntStorage", dtI32},
		{"ShortStorage", dtI16}, {"CharStorage", dtI8}, {"ByteStorage", dtU8},
		{"BoolStorage", dtBool}, {"UntypedStorage", dtU8},
	}
	for _, s := range storages {
		allowedGlobals["torch."+s.name] = &storageClass{"torch." + s.name, s.dt, true}
	}
	for _, s := range []string{"ComplexFloatStorage", "ComplexDoubleStorage",
		"QInt8Storage", "QUInt8Storage", "QInt32Storage", "QUInt4x2Storage", "QUInt2x4Storage"} {
		allowedGlobals["torch."+s] = &storageClass{name: "torch." + s}
	}
	dtypes := map[string]dtype{
		"float64": dtF64, "float32": dtF32, "float16": dtF16, "bfloat16": dtBF16,
		"int64": dtI64, "int32": dtI32, "int16": dtI16, "int8": dtI8,
		"uint64": dtU64, "uint32": dtU32, "uint16": dtU16, "uint8": dtU8, "bool": dtBool,
		"float8_e4m3fn": dtF8E4, "float8_e5m2": dtF8E5,
	}
	for n, dt := range dtypes {
		allowedGlobals["torch."+n] = &dtypeObject{"torch." + n, dt}
	}
}

// findGlobal resolves a GLOBAL for gopickle. scanPickle has already refused
// any name outside allowedGlobals; this refuses them again.
func findGlobal(module, name string) (any, error) {
	full := module + "." + name
	v, ok := allowedGlobals[full]
	if !ok || v == nil {
		return nil, &globalError{full}
	}
	return v, nil
}

// errUnpickler marks a failure inside gopickle that its own error returns
// did not catch; scanPickle is meant to make it unreachable.
var errUnpickler = errors.New("unpickler failure")

// unpickle scans and then loads the pickle at the start of data, with
// persistent ids resolved by persistent. It returns the value and the
// pickle's length.
func unpickle(data []byte, persistent func(*types.Tuple) (any, error)) (v any, s pickleScan, err error) {
	s, err = scanPickle(data)
	if err != nil {
		return nil, s, err
	}
	u := pickle.NewUnpickler(bytes.NewReader(data[:s.end]))
	u.FindClass = findGlobal
	u.PersistentLoad = func(pid any) (any, error) {
		t, ok := pid.(*types.Tuple)
		if !ok {
			return nil, fmt.Errorf("%w: persistent id is %s, want a tuple", ErrFormat, pyType(pid))
		}
		if persistent == nil {
			return nil, fmt.Errorf("%w: persistent id in a pickle that takes none", ErrFormat)
		}
		return persistent(t)
	}
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, fmt.Errorf("%w: %v", errUnpickler, r)
		}
	}()
	v, err = u.Load()
	if err != nil {
		var ge *globalError
		if !errors.As(err, &ge) && !errors.Is(err, ErrFormat) && !errors.Is(err, ErrUnsupported) {
			err = fmt.Errorf("%w: %v", ErrFormat, err)
		}
	}
	return v, s, err
}

// Call builds what the rebuild function builds.
func (f *rebuildFunc) Call(args ...any) (any, error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s: "+format, append([]any{ErrFormat, f.name}, a...)...)
	}
	switch f.kind {
	case torchSize:
		if len(args) != 1 {
			return nil, bad("%d arguments, want 1", len(args))
		}
		return args[0], nil
	case rebuildParameter, rebuildParameterWithState:
		want := 3 + int(f.kind-rebuildParameter)
		if len(args) != want {
			return nil, bad("%d arguments, want %d", len(args), want)
		}
		t, ok := args[0].(*tensorRef)
		if !ok {
			return nil, bad("data is %s, want a tensor", pyType(args[0]))
		}
		return t, nil
	case rebuildFromTypeV2:
		if len(args) != 4 {
			return nil, bad("%d arguments, want 4", len(args))
		}
		fn, ok := args[0].(*rebuildFunc)
		if !ok || fn.kind == rebuildFromTypeV2 || fn.kind == torchSize {
			return nil, bad("function is %s, want a tensor rebuild function", pyType(args[0]))
		}
		if c, ok := args[1].(*classMarker); !ok {
			return nil, bad("type is %s, want torch.Tensor or Parameter", pyType(args[1]))
		} else if c.name != "torch.Tensor" && c.name != "torch.nn.parameter.Parameter" {
			return nil, bad("type %s", c.name)
		}
		inner, ok := args[2].(*types.Tuple)
		if !ok {
			return nil, bad("arguments are %s, want a tuple", pyType(args[2]))
		}
		return fn.Call(*inner...)
	}
	return f.rebuild(args, bad)
}

// rebuild handles the _rebuild_tensor family: (storage, storage_offset,
// size, stride, ...).
func (f *rebuildFunc) rebuild(args []any, bad func(string, ...any) error) (any, error) {
	lo, hi := 4, 4
	switch f.kind {
	case rebuildTensorV2:
		lo, hi = 6, 7
	case rebuildTensorV3:
		lo, hi = 7, 8
	}
	if len(args) < lo || len(args) > hi {
		return nil, bad("%d arguments, want %d to %d", len(args), lo, hi)
	}
	st, ok := args[0].(*storage)
	if !ok {
		return nil, bad("storage is %s", pyType(args[0]))
	}
	t := &tensorRef{storage: st, dt: st.dt}
	if f.kind == rebuildTensorV3 {
		d, ok := args[6].(*dtypeObject)
		if !ok {
			return nil, bad("dtype is %s", pyType(args[6]))
		}
		t.dt = d.dt
	}
	var err error
	if t.offset, err = pyInt(args[1]); err != nil {
		return nil, bad("storage_offset: %v", err)
	}
	if t.shape, err = pyInts(args[2]); err != nil {
		return nil, bad("size: %v", err)
	}
	if t.stride, err = pyInts(args[3]); err != nil {
		return nil, bad("stride: %v", err)
	}
	if len(t.shape) != len(t.stride) {
		return nil, bad("size %v and stride %v differ in length", t.shape, t.stride)
	}
	return t, nil
}

// maxDims bounds a tensor's rank.
const maxDims = 64

// pyInt returns a non-negative Python int as int64.
func pyInt(v any) (int64, error) {
	switch x := v.(type) {
	case int:
		if x < 0 {
			return 0, fmt.Errorf("negative value %d", x)
		}
		return int64(x), nil
	case *big.Int:
		if !x.IsInt64() || x.Sign() < 0 {
			return 0, fmt.Errorf("value %v out of range", x)
		}
		return x.Int64(), nil
	}
	return 0, fmt.Errorf("%s, want an int", pyType(v))
}

// pyInts returns a tuple of non-negative ints.
func pyInts(v any) ([]int64, error) {
	var items []any
	switch x := v.(type) {
	case *types.Tuple:
		items = *x
	case *types.List:
		items = *x
	default:
		return nil, fmt.Errorf("%s, want a tuple", pyType(v))
	}
	if len(items) > maxDims {
		return nil, fmt.Errorf("%d dimensions, at most %d", len(items), maxDims)
	}
	out := make([]int64, len(items))
	for i, it := range items {
		n, err := pyInt(it)
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}

// pyType names the Python type of an unpickled value, for errors.
func pyType(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case bool:
		return "bool"
	case int, *big.Int:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case *types.Tuple:
		return "tuple"
	case *types.List:
		return "list"
	case *types.Dict:
		return "dict"
	case *types.OrderedDict:
		return "collections.OrderedDict"
	case *types.Set:
		return "set"
	case *tensorRef:
		return "torch.Tensor"
	case *storage:
		return "storage"
	case *storageClass:
		return x.name
	case *dtypeObject:
		return x.name
	case *classMarker:
		return x.name
	case *rebuildFunc:
		return x.name
	case *types.OrderedDictClass:
		return "collections.OrderedDict class"
	}
	return fmt.Sprintf("%T", v)
}
