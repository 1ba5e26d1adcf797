package verify

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/hfgo/hfgo/convert"
	"github.com/hfgo/hfgo/safetensors"
	"github.com/x448/float16"
)

// edgeCases is edge_cases.json: the tensors of one state dict saved as
// several PyTorch files, with their exact bytes.
type edgeCases struct {
	Files   map[string]string `json:"files"`
	Tensors edgeTensors       `json:"tensors"`
}

type edgeTensor struct {
	DType  string `json:"dtype"` // torch name: float32, int64, bool...
	Shape  []int  `json:"shape"`
	RawHex string `json:"raw_le_hex"`
}

// edgeTensors is the "tensors" object in file order.
type edgeTensors struct {
	names []string
	specs map[string]edgeTensor
}

func (t *edgeTensors) UnmarshalJSON(b []byte) error {
	var table tensorTable
	if err := table.UnmarshalJSON(b); err != nil {
		return err
	}
	t.names = table.Names
	return json.Unmarshal(b, &t.specs)
}

// verifyPickle verifies a pickle edge-case folder: every tensor of every
// PyTorch file edge_cases.json lists must have the dtype, shape and bytes
// it records, and those of edge_cases_expected.safetensors.
func verifyPickle(dir string, opts *Options) (*Report, error) {
	if opts.Model != "" {
		return nil, fmt.Errorf("%w: %s: a pickle reference verifies the files it holds; a model does not apply", ErrReference, dir)
	}
	var ec edgeCases
	if err := readJSON(filepath.Join(dir, "edge_cases.json"), &ec); err != nil {
		return nil, err
	}
	if len(ec.Tensors.names) == 0 {
		return nil, fmt.Errorf("%w: %s: no tensors", ErrReference, filepath.Join(dir, "edge_cases.json"))
	}
	want := map[string][]byte{}
	for _, n := range ec.Tensors.names {
		raw, err := hex.DecodeString(ec.Tensors.specs[n].RawHex)
		if err != nil {
			return nil, fmt.Errorf("%w: edge_cases.json: %s: raw_le_hex: %v", ErrReference, n, err)
		}
		want[n] = raw
	}
	rep := &Report{Path: dir, Kind: KindPickle, Tolerance: Exact}
	files := slices.Sorted(func(yield func(string) bool) {
		for f := range ec.Files {
			if !yield(f) {
				return
			}
		}
	})
	for _, f := range files {
		path := filepath.Join(dir, f)
		switch {
		case strings.HasSuffix(f, ".safetensors"):
			rep.merge(f+": ", safetensorsEdgeRows(path, ec, want))
		case strings.HasSuffix(f, ".bin"):
			rep.merge(f+": ", pickleEdgeRows(path, ec, want))
		}
	}
	return rep, nil
}

// edgeSource is one file's view of a tensor: dtype, shape and bytes.
type edgeSource func(name string) (dtype string, shape []int, raw []byte, ok bool, err error)

// edgeRows compares every tensor edge_cases.json lists with what src reads,
// and fails the tensors of the file it does not list.
func edgeRows(ec edgeCases, want map[string][]byte, src edgeSource, names []string) *Report {
	sub := &Report{}
	for _, n := range ec.Tensors.names {
		spec := ec.Tensors.specs[n]
		dtype, shape, raw, ok, err := src(n)
		switch {
		case err != nil:
			sub.add(failRow(n, spec.Shape, "%v", err))
		case !ok:
			sub.add(failRow(n, spec.Shape, "missing from the file"))
		case dtype != spec.DType:
			sub.add(failRow(n, spec.Shape, "dtype %s, want %s", dtype, spec.DType))
		case !slices.Equal(shape, spec.Shape):
			sub.add(failRow(n, spec.Shape, "shape %v, want %v", shape, spec.Shape))
		default:
			sub.add(bytesRow(n, spec, raw, want[n]))
		}
	}
	listed := map[string]bool{}
	for _, n := range ec.Tensors.names {
		listed[n] = true
	}
	for _, n := range names {
		if !listed[n] {
			sub.add(failRow(n, nil, "not listed in edge_cases.json"))
		}
	}
	return sub
}

// bytesRow passes when the bytes are identical; its errors are those of the
// decoded values.
func bytesRow(name string, spec edgeTensor, got, want []byte) Row {
	g, w := decodeValues(spec.DType, got), decodeValues(spec.DType, want)
	r := compareFunc(name, len(g), len(w), spec.Shape, Exact, func(i int) (float64, float64) { return g[i], w[i] })
	if r.Status == Pass && !bytes.Equal(got, want) {
		r.Status = Fail
		r.Detail = "the values are equal but not the bytes (NaN payload or signed zero)"
	}
	return r
}

func pickleEdgeRows(path string, ec edgeCases, want map[string][]byte) *Report {
	sd, err := convert.OpenPyTorch(path)
	if err != nil {
		sub := &Report{}
		sub.add(failRow("state dict", nil, "%v", err))
		return sub
	}
	defer sd.Close()
	return edgeRows(ec, want, func(n string) (string, []int, []byte, bool, error) {
		t, ok := sd.Tensor(n)
		if !ok {
			return "", nil, nil, false, nil
		}
		raw, err := t.Bytes()
		return dtypeName(safetensors.DType(t.DType)), t.Shape, raw, true, err
	}, sd.Names())
}

func safetensorsEdgeRows(path string, ec edgeCases, want map[string][]byte) *Report {
	f, err := safetensors.Open(path)
	if err != nil {
		sub := &Report{}
		sub.add(failRow("file", nil, "%v", err))
		return sub
	}
	defer f.Close()
	names := f.Names()
	sort.Strings(names)
	return edgeRows(ec, want, func(n string) (string, []int, []byte, bool, error) {
		ti, ok := f.Tensor(n)
		if !ok {
			return "", nil, nil, false, nil
		}
		raw, err := f.Bytes(n)
		return dtypeName(ti.DType), ti.Shape, raw, true, err
	}, names)
}

// decodeValues decodes little-endian bytes of a torch dtype to float64
// (nil for a length that does not fit the dtype).
func decodeValues(dtype string, b []byte) []float64 {
	size := map[string]int{"float64": 8, "int64": 8, "float32": 4, "int32": 4, "float16": 2, "bfloat16": 2, "int16": 2, "int8": 1, "uint8": 1, "bool": 1}[dtype]
	if size == 0 || len(b)%size != 0 {
		return nil
	}
	out := make([]float64, len(b)/size)
	le := binary.LittleEndian
	for i := range out {
		p := b[i*size:]
		switch dtype {
		case "float64":
			out[i] = math.Float64frombits(le.Uint64(p))
		case "int64":
			out[i] = float64(int64(le.Uint64(p)))
		case "float32":
			out[i] = float64(math.Float32frombits(le.Uint32(p)))
		case "int32":
			out[i] = float64(int32(le.Uint32(p)))
		case "float16":
			out[i] = float64(float16.Frombits(le.Uint16(p)).Float32())
		case "bfloat16":
			out[i] = float64(math.Float32frombits(uint32(le.Uint16(p)) << 16))
		case "int16":
			out[i] = float64(int16(le.Uint16(p)))
		case "int8":
			out[i] = float64(int8(p[0]))
		default: // uint8, bool
			out[i] = float64(p[0])
		}
	}
	return out
}
