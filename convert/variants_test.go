package convert

import (
	"bytes"
	"encoding/binary"
	"math"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRebuildVariants reads the other ways torch pickles a tensor: as an
// nn.Parameter, through _rebuild_tensor (v1), _rebuild_tensor_v3 with a
// dtype over an untyped storage, _rebuild_from_type_v2, and a torch.Size.
func TestRebuildVariants(t *testing.T) {
	t.Parallel()
	s := spec{key: "0", storage: "FloatStorage", numel: 6, size: []int{2, 3}, stride: []int{3, 1}}
	p := &pk{}
	p.op(opProto, 2, opEmptyDict, opMark)
	// parameter: _rebuild_parameter(tensor, True, OrderedDict())
	p.str("param").global("torch._utils", "_rebuild_parameter").op(opMark)
	p.tensor(s, false).op(opNewTrue).global("collections", "OrderedDict").op(opEmptyTuple, opReduce, opTuple, opReduce)
	// v1: _rebuild_tensor(storage, offset, size, stride) with a torch.Size
	p.str("v1").global("torch._utils", "_rebuild_tensor").op(opMark)
	p.op(opMark).str("storage").global("torch", "FloatStorage").str("0").str("cpu").int(6).op(opTuple, opBinPersID)
	p.int(3).global("torch", "Size").tuple(3).op(opTuple1, opReduce).tuple(1).op(opTuple, opReduce)
	// v3: an untyped byte storage read as int16
	p.str("v3").global("torch._utils", "_rebuild_tensor_v3").op(opMark)
	p.op(opMark).str("storage").global("torch", "UntypedStorage").str("1").str("cpu").int(8).op(opTuple, opBinPersID)
	p.int(1).tuple(3).tuple(1).op(opNewFalse).op(opNone).global("torch", "int16").op(opTuple, opReduce)
	// _rebuild_from_type_v2(_rebuild_tensor_v2, torch.Tensor, args, {})
	p.str("typed").global("torch._tensor", "_rebuild_from_type_v2").op(opMark)
	p.global("torch._utils", "_rebuild_tensor_v2").global("torch", "Tensor").op(opMark)
	p.op(opMark).str("storage").global("torch", "FloatStorage").str("0").str("cpu").int(6).op(opTuple, opBinPersID)
	p.int(0).tuple(6).tuple(1).op(opNewFalse, opNone).op(opTuple).op(opEmptyDict, opTuple, opReduce)
	p.op(opSetItems, opStop)
	i16 := []byte{1, 0, 2, 0, 3, 0, 4, 0}
	sd, err := ReadPyTorch(zipFile(t, p.b, map[string][]byte{"0": f32(6), "1": i16}), "variants.bin")
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name, dtype string
		shape       []int
		data        []byte
	}{
		{"param", "F32", []int{2, 3}, f32(6)},
		{"v1", "F32", []int{3}, f32(6)[12:]},
		{"v3", "I16", []int{3}, i16[2:]},
		{"typed", "F32", []int{6}, f32(6)},
	}
	for _, w := range want {
		x, ok := sd.Tensor(w.name)
		if !ok {
			t.Fatalf("no %s", w.name)
		}
		if x.DType != w.dtype || !slices.Equal(x.Shape, w.shape) || !bytes.Equal(mustBytes(t, x), w.data) {
			t.Errorf("%s: %s %v %x, want %s %v %x", w.name, x.DType, x.Shape, mustBytes(t, x), w.dtype, w.shape, w.data)
		}
	}
}

// TestNestedStateDict checks that nested dicts flatten with dots (int keys
// too), that non-tensor values are skipped and listed, and that a key set
// twice keeps its first place and last value, as in Python.
func TestNestedStateDict(t *testing.T) {
	t.Parallel()
	s := spec{key: "0", storage: "FloatStorage", numel: 6, size: []int{6}, stride: []int{1}}
	p := &pk{}
	p.op(opProto, 2, opEmptyDict, opMark)
	p.str("model").op(opEmptyDict, opMark).str("w").tensor(s, false).op(opBinInt1, 7).op(opEmptyDict).str("b").tensor(s, false).op(opSetItem, opSetItems)
	p.str("epoch").int(3)
	p.str("model2").op(opNone)
	p.str("model2").tensor(s, false)
	p.op(opSetItems, opStop)
	sd, err := ReadPyTorch(zipFile(t, p.b, map[string][]byte{"0": f32(6)}), "nested.bin")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"model.w", "model.7.b", "model2"}, sd.Names()); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"epoch"}, sd.Skipped()); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
}

// TestBigEndian reads storages written on a big-endian machine: a zip
// with byteorder "big" and a legacy file whose sys info says so.
func TestBigEndian(t *testing.T) {
	t.Parallel()
	be := make([]byte, 24)
	for i := range 6 {
		binary.BigEndian.PutUint32(be[4*i:], math.Float32bits(float32(i)))
	}
	zipData := makeZip(t, zipEntry{name: "a/data.pkl", data: stateDict(goodSpecs, false)}, zipEntry{name: "a/data/0", data: be},
		zipEntry{name: "a/byteorder", data: []byte("big")})
	legacy := legacyFile(stateDict(goodSpecs, true), []string{"0"}, []int{6}, [][]byte{be})
	legacy = bytes.Replace(legacy, []byte("little_endian\x88"), []byte("little_endian\x89"), 1)
	// The element count before the storage is big-endian too.
	i := bytes.LastIndex(legacy, be) - 8
	binary.BigEndian.PutUint64(legacy[i:], 6)
	for name, data := range map[string][]byte{"zip": zipData, "legacy": legacy} {
		sd, err := ReadPyTorch(data, name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		w, _ := sd.Tensor("w")
		wt, _ := sd.Tensor("wt")
		got, err := wt.Float32()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(mustBytes(t, w), f32(6)) || w.Contiguous() || !slices.Equal(got, []float32{0, 3, 1, 4, 2, 5}) {
			t.Errorf("%s: w %x, wt %v", name, mustBytes(t, w), got)
		}
	}
}

// TestLegacyViews reads a legacy storage view: a window of a root storage
// that a tensor's persistent id names through view_metadata.
func TestLegacyViews(t *testing.T) {
	t.Parallel()
	p := &pk{}
	p.op(opProto, 2, opEmptyDict).str("v")
	p.global("torch._utils", "_rebuild_tensor_v2").op(opMark)
	p.op(opMark).str("storage").global("torch", "FloatStorage").str("root").str("cpu").int(6)
	p.op(opMark).str("view").int(2).int(3).op(opTuple) // view_metadata: (key, offset, size)
	p.op(opTuple, opBinPersID)
	p.int(1).tuple(2).tuple(1).op(opNewFalse).global("collections", "OrderedDict").op(opEmptyTuple, opReduce, opTuple, opReduce)
	p.op(opSetItem, opStop)
	sd, err := ReadPyTorch(legacyFile(p.b, []string{"root"}, []int{6}, [][]byte{f32(6)}), "views.bin")
	if err != nil {
		t.Fatal(err)
	}
	v, _ := sd.Tensor("v")
	if got := mustBytes(t, v); !bytes.Equal(got, f32(6)[12:20]) {
		t.Errorf("view bytes %x, want elements 3 and 4", got)
	}
}
