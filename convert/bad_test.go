package convert

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// evil returns a pickle that calls module.name("ls"), the classic
// __reduce__ payload.
func evil(module, name string) []byte {
	p := &pk{}
	return p.op(opProto, 2).global(module, name).str("ls").op(opTuple1, opReduce, opStop).b
}

// inDict puts a payload pickle (without PROTO/STOP) as the value of key
// "x" of a state dict.
func inDict(payload []byte) []byte {
	p := &pk{}
	p.op(opProto, 2, opEmptyDict).str("x")
	p.op(payload...)
	return p.op(opSetItem, opStop).b
}

// TestBadPickles feeds malicious and malformed pickles, in zip and legacy
// files, and checks each error: its sentinel and a message that names the
// file, the global or the tensor. Nothing may panic or hang.
func TestBadPickles(t *testing.T) {
	t.Parallel()
	deep := &pk{}
	deep.op(opProto, 2)
	for range 100 {
		deep.op(opMark)
	}
	nested := &pk{}
	nested.op(opProto, 2, opEmptyDict)
	for range 40 {
		nested.str("k").op(opEmptyDict)
	}
	for range 40 {
		nested.op(opSetItem)
	}
	nested.op(opStop)
	// A DAG of dicts, each holding the previous one four times: 4^14
	// paths if walked naively.
	dag := &pk{}
	dag.op(opProto, 2, opEmptyDict, opBinPut, 0)
	for i := range 14 {
		dag.op(opEmptyDict, opMark)
		for _, k := range []string{"a", "b", "c", "d"} {
			dag.str(k).op(opBinGet, byte(i))
		}
		dag.op(opSetItems, opBinPut, byte(i+1))
	}
	dag.op(opStop)
	odSpam := &pk{}
	odSpam.op(opProto, 2).global("collections", "OrderedDict").op(opBinPut, 0)
	for range 1 << 16 {
		odSpam.op(opBinGet, 0, opEmptyTuple, opReduce)
	}
	odSpam.op(opStop)
	self := &pk{}
	self.op(opProto, 2, opEmptyDict, opBinPut, 0).str("a").op(opBinGet, 0, opSetItem, opStop)
	bigView := goodSpecs[:1:1]
	bigView = append(bigView, spec{name: "bad", key: "0", storage: "FloatStorage", numel: 6, offset: 2, size: []int{5}, stride: []int{1}})
	expanded := []spec{{name: "e", key: "0", storage: "FloatStorage", numel: 6, size: []int{1000}, stride: []int{0}}}
	tests := []struct {
		name  string
		pkl   []byte
		specs []spec // or a state dict of these, pickled for each format
		want  error
		msg   string
	}{
		{"os.system", evil("posix", "system"), nil, ErrForbiddenGlobal, `forbidden global "posix.system"`},
		{"nt.system", evil("nt", "system"), nil, ErrForbiddenGlobal, `"nt.system"`},
		{"eval", evil("builtins", "eval"), nil, ErrForbiddenGlobal, `"builtins.eval"`},
		{"py2 eval", evil("__builtin__", "eval"), nil, ErrForbiddenGlobal, `"__builtin__.eval"`},
		{"object", evil("__builtin__", "object"), nil, ErrForbiddenGlobal, `"__builtin__.object"`},
		{"reconstructor", evil("copy_reg", "_reconstructor"), nil, ErrForbiddenGlobal, `"copy_reg._reconstructor"`},
		{"subprocess in a tensor", inDict((&pk{}).global("subprocess", "Popen").str("sh").op(opTuple1, opReduce).b), nil, ErrForbiddenGlobal, `"subprocess.Popen"`},
		{"torch.load", evil("torch", "load"), nil, ErrForbiddenGlobal, `"torch.load"`},
		{"stack global", []byte("\x80\x04\x8c\x02os\x8c\x06system\x93."), nil, ErrUnsupported, "opcode 0x8c"},
		{"frame", []byte("\x80\x04\x95\x00\x00\x00\x00\x00\x00\x00\x00N."), nil, ErrUnsupported, "opcode 0x95"},
		{"opcode 0xff", []byte("\x80\x02\xff."), nil, ErrUnsupported, "opcode 0xff"},
		{"huge string", []byte("\x80\x02X\xff\xff\xff\x7f"), nil, ErrFormat, "past the end"},
		{"no stop", []byte("\x80\x02}"), nil, ErrFormat, "no STOP"},
		{"empty", nil, nil, ErrFormat, ""},
		{"deep marks", deep.b, nil, ErrLimit, "nested deeper"},
		{"dict spam", append(append([]byte{opProto, 2}, bytes.Repeat([]byte{opEmptyDict}, 1<<20)...), opStop), nil, ErrLimit, "more objects than"},
		{"OrderedDict spam", odSpam.b, nil, ErrLimit, "more objects than"},
		{"nested dicts", nested.b, nil, ErrLimit, "nested deeper"},
		{"dag of dicts", dag.b, nil, ErrLimit, "exceed"},
		{"self", self.b, nil, ErrFormat, "contains itself"},
		{"odd setitems", []byte("\x80\x02}(X\x01\x00\x00\x00au."), nil, ErrFormat, "odd"},
		{"memo before put", []byte("\x80\x02h\x05."), nil, ErrFormat, "memo slot 5"},
		{"stack underflow", []byte("\x80\x02R."), nil, ErrFormat, "needs 2 stack items"},
		{"empty long1", []byte("\x80\x02\x8a\x00."), nil, ErrUnsupported, "LONG1"},
		{"list", []byte("\x80\x02]."), nil, ErrFormat, "not a state dict"},
		{"int key", []byte("\x80\x02}G\x00\x00\x00\x00\x00\x00\x00\x00Ns."), nil, ErrFormat, "key is float"},
		{"not storage", inDict([]byte("(X\x06\x00\x00\x00moduleNtQ")), nil, ErrFormat, "persistent id"},
		{"view past storage", nil, bigView, ErrFormat, `tensor "bad"`},
		{"expanded", nil, expanded, ErrUnsupported, `tensor "e": unsupported: expanded view`},
		{"negative size", nil, []spec{{name: "n", key: "0", storage: "FloatStorage", numel: 6, size: []int{-1}, stride: []int{1}}}, ErrFormat, "negative"},
		{"bad rebuild args", inDict((&pk{}).global("torch._utils", "_rebuild_tensor_v2").op(opEmptyTuple, opReduce).b), nil, ErrFormat, "0 arguments"},
		{"complex storage", nil, []spec{{name: "c", key: "0", storage: "ComplexFloatStorage", numel: 1, size: []int{1}, stride: []int{1}}}, ErrUnsupported, "torch.ComplexFloatStorage"},
	}
	for _, tt := range tests {
		for _, kind := range []string{"zip", "legacy"} {
			t.Run(tt.name+"/"+kind, func(t *testing.T) {
				t.Parallel()
				var data []byte
				switch {
				case kind == "zip" && tt.specs != nil:
					data = zipFile(t, stateDict(tt.specs, false), map[string][]byte{"0": f32(6)})
				case kind == "zip":
					data = zipFile(t, tt.pkl, map[string][]byte{"0": f32(6)})
				case tt.specs != nil:
					data = legacyFile(stateDict(tt.specs, true), []string{"0"}, []int{6}, [][]byte{f32(6)})
				default:
					data = legacyFile(tt.pkl, nil, nil, nil)
				}
				start := time.Now()
				sd, err := ReadPyTorch(data, "pytorch_model.bin")
				if err == nil {
					// Legacy pickles whose storages are never listed fail
					// later; the zip ones must fail here.
					t.Fatalf("read %d tensors, want an error", len(sd.Tensors()))
				}
				if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.msg) || !strings.HasPrefix(err.Error(), "convert: pytorch_model.bin: ") {
					t.Errorf("error %q\nwant %v containing %q", err, tt.want, tt.msg)
				}
				if errors.Is(err, errUnpickler) {
					t.Errorf("gopickle failed where the scan should have refused: %v", err)
				}
				if d := time.Since(start); d > 2*time.Second {
					t.Errorf("took %v", d)
				}
			})
		}
	}
}

// TestBadZips checks archives that are truncated, lie about entry sizes,
// repeat entries or lack data.
func TestBadZips(t *testing.T) {
	t.Parallel()
	pkl := stateDict(goodSpecs, false)
	good := zipFile(t, pkl, map[string][]byte{"0": f32(6)})
	// lying rewrites the central directory sizes of entry name.
	lying := func(name string, size uint32) []byte {
		b := bytes.Clone(good)
		i := bytes.Index(b, append([]byte("PK\x01\x02"), b[bytes.Index(b, []byte("PK\x01\x02"))+4:][:0]...))
		for i >= 0 {
			n := int(binary.LittleEndian.Uint16(b[i+28:]))
			if string(b[i+46:i+46+n]) == name {
				binary.LittleEndian.PutUint32(b[i+20:], size)
				binary.LittleEndian.PutUint32(b[i+24:], size)
				return b
			}
			j := bytes.Index(b[i+4:], []byte("PK\x01\x02"))
			if j < 0 {
				break
			}
			i += 4 + j
		}
		t.Fatalf("no central entry %s", name)
		return nil
	}
	tests := []struct {
		name string
		data []byte
		want error
		msg  string
	}{
		{"truncated", good[:len(good)/2], ErrFormat, "zip"},
		{"truncated end", good[:len(good)-10], ErrFormat, "zip"},
		{"size past end", lying("archive/data/0", 1<<30), ErrFormat, "past the end"},
		{"size overlaps", lying("archive/data.pkl", uint32(len(pkl)+100)), ErrFormat, "overlaps"},
		{"size into next header", lying("archive/data.pkl", uint32(len(pkl)+10)), ErrFormat, "10 bytes after the pickle"},
		{"storage too short", zipFile(t, pkl, map[string][]byte{"0": f32(5)}), ErrFormat, `tensor "w": malformed checkpoint: storage "0" holds 20 bytes, its 6 F32 elements need 24`},
		{"storage missing", zipFile(t, pkl, nil), ErrFormat, `tensor "w": malformed checkpoint: storage "0" has no data`},
		{"duplicate", makeZip(t, zipEntry{name: "a/data.pkl", data: pkl}, zipEntry{name: "a/data/0", data: f32(6)}, zipEntry{name: "a/data/0", data: f32(6)}), ErrFormat, `duplicate zip entry "a/data/0"`},
		{"no data.pkl", makeZip(t, zipEntry{name: "a/data/0", data: f32(6)}), ErrFormat, "without <folder>/data.pkl"},
		{"two pickles", makeZip(t, zipEntry{name: "a/data.pkl", data: pkl}, zipEntry{name: "b/data.pkl", data: pkl}), ErrFormat, "two pickles"},
		{"compressed storage", makeZip(t, zipEntry{name: "a/data.pkl", data: pkl}, zipEntry{name: "a/data/0", data: f32(6), deflate: true}), ErrUnsupported, "compressed"},
		{"byteorder", makeZip(t, zipEntry{name: "a/data.pkl", data: pkl}, zipEntry{name: "a/data/0", data: f32(6)}, zipEntry{name: "a/byteorder", data: []byte("middle")}), ErrFormat, "byteorder"},
		{"trailing pickle bytes", zipFile(t, append(bytes.Clone(pkl), 'N'), map[string][]byte{"0": f32(6)}), ErrFormat, "after the pickle"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ReadPyTorch(tt.data, "pytorch_model.bin")
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %v\nwant %v containing %q", err, tt.want, tt.msg)
			}
		})
	}
}

// TestCompressedPickle checks that a deflated data.pkl (torch never writes
// one, a re-zipped archive may) is read.
func TestCompressedPickle(t *testing.T) {
	t.Parallel()
	data := makeZip(t, zipEntry{name: "a/data.pkl", data: stateDict(goodSpecs, false), deflate: true}, zipEntry{name: "a/data/0", data: f32(6)})
	sd, err := ReadPyTorch(data, "x")
	if err != nil || len(sd.Tensors()) != 2 {
		t.Fatalf("ReadPyTorch: %v", err)
	}
}

// TestBadLegacy checks the storage section of legacy files.
func TestBadLegacy(t *testing.T) {
	t.Parallel()
	pkl := stateDict(goodSpecs, true)
	good := legacyFile(pkl, []string{"0"}, []int{6}, [][]byte{f32(6)})
	tests := []struct {
		name string
		data []byte
		want error
		msg  string
	}{
		{"truncated data", good[:len(good)-1], ErrFormat, `storage "0": 24 bytes of F32 past the end`},
		{"truncated count", good[:len(good)-26], ErrFormat, `storage "0": file truncated`},
		{"count mismatch", legacyFile(pkl, []string{"0"}, []int{5}, [][]byte{f32(5)}), ErrFormat, "holds 5 elements, its persistent id says 6"},
		{"unknown key", legacyFile(pkl, []string{"9"}, []int{6}, [][]byte{f32(6)}), ErrFormat, `storage "9" in the key list is used by no tensor`},
		{"key twice", legacyFile(pkl, []string{"0", "0"}, []int{6, 6}, [][]byte{f32(6), f32(6)}), ErrFormat, "listed twice"},
		{"key missing", legacyFile(pkl, nil, nil, nil), ErrFormat, `tensor "w": malformed checkpoint: storage "0" has no data`},
		{"bad magic", append([]byte{opProto, 2, opLong1, 10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, opStop}, good[15:]...), ErrFormat, "magic"},
		{"magic only", good[:15], ErrFormat, "no STOP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ReadPyTorch(tt.data, "old.bin")
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %v\nwant %v containing %q", err, tt.want, tt.msg)
			}
		})
	}
}

// TestCorruptStorage flips one byte of a storage: reading succeeds (the
// data is not touched), but the first access to the tensors of that
// storage fails its CRC-32 check, naming file, tensor and storage.
func TestCorruptStorage(t *testing.T) {
	t.Parallel()
	data := zipFile(t, stateDict(goodSpecs, false), map[string][]byte{"0": f32(6)})
	i := bytes.Index(data, f32(6))
	data[i+5] ^= 1
	sd, err := ReadPyTorch(data, "pytorch_model.bin")
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range sd.Tensors() {
		_, err := x.Float32()
		want := `convert: pytorch_model.bin: tensor "` + x.Name + `": malformed checkpoint: storage "0" fails its CRC-32 check`
		if !errors.Is(err, ErrFormat) || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", x.Name, err, want)
		}
	}
}

// TestManyAliases opens a file of 20,000 tensors viewing one storage: the
// alias grouping (and so inspect and convert) stays linear.
func TestManyAliases(t *testing.T) {
	t.Parallel()
	var specs []spec
	for i := range 20000 {
		specs = append(specs, spec{name: fmt.Sprint("t", i), key: "0", storage: "FloatStorage", numel: 6, offset: i % 2, size: []int{4}, stride: []int{1}})
	}
	sd, err := ReadPyTorch(zipFile(t, stateDict(specs, false), map[string][]byte{"0": f32(6)}), "many.bin")
	if err != nil {
		t.Fatal(err)
	}
	c, err := newCheckpoint("many.bin", sd.Format(), []part{&ptPart{path: "many.bin", sd: sd}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	groups := c.Aliases()
	if len(groups) != 2 || len(groups[0]) != 10000 || len(groups[1]) != 10000 {
		t.Errorf("%d groups", len(groups))
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Aliases took %v", d)
	}
}

// TestConvertExpansion refuses to write thousands of copies of one storage
// viewed through overlapping, non-identical views.
func TestConvertExpansion(t *testing.T) {
	t.Parallel()
	const n = 4000 // views of a 64 KiB storage: 256 MB of copies
	var specs []spec
	for i := range n {
		specs = append(specs, spec{name: fmt.Sprint("t", i), key: "0", storage: "FloatStorage", numel: 1 << 14, offset: i, size: []int{1<<14 - n}, stride: []int{1}})
	}
	src := filepath.Join(t.TempDir(), "pytorch_model.bin")
	if err := os.WriteFile(src, zipFile(t, stateDict(specs, false), map[string][]byte{"0": make([]byte, 1<<16)}), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	_, err := Convert(context.Background(), src, out, nil)
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "copies") {
		t.Errorf("error %v, want ErrLimit", err)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("left %d files", len(entries))
	}
}
