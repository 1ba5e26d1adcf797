package convert

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"math"
	"testing"
)

// pk builds a pickle opcode by opcode, as a malicious or hand-made
// checkpoint would be written.
type pk struct{ b []byte }

func (p *pk) op(ops ...byte) *pk { p.b = append(p.b, ops...); return p }

func (p *pk) global(module, name string) *pk {
	return p.op(opGlobal).op([]byte(module + "\n" + name + "\n")...)
}

func (p *pk) str(s string) *pk {
	p.op(opBinUnicode).op(binary.LittleEndian.AppendUint32(nil, uint32(len(s)))...)
	return p.op([]byte(s)...)
}

func (p *pk) int(n int) *pk {
	return p.op(opBinInt).op(binary.LittleEndian.AppendUint32(nil, uint32(int32(n)))...)
}

func (p *pk) tuple(ns ...int) *pk {
	p.op(opMark)
	for _, n := range ns {
		p.int(n)
	}
	return p.op(opTuple)
}

// spec is one tensor of a hand-made state dict.
type spec struct {
	name, key, storage string // storage class, e.g. "FloatStorage"
	numel, offset      int
	size, stride       []int
}

// tensor writes the _rebuild_tensor_v2 call of s; legacy adds the sixth
// persistent id field.
func (p *pk) tensor(s spec, legacy bool) *pk {
	p.global("torch._utils", "_rebuild_tensor_v2").op(opMark)
	p.op(opMark).str("storage").global("torch", s.storage).str(s.key).str("cpu").int(s.numel)
	if legacy {
		p.op(opNone)
	}
	p.op(opTuple, opBinPersID)
	p.int(s.offset).tuple(s.size...).tuple(s.stride...)
	p.op(opNewFalse).global("collections", "OrderedDict").op(opEmptyTuple, opReduce)
	return p.op(opTuple, opReduce)
}

// stateDict pickles specs as torch.save pickles a dict of tensors.
func stateDict(specs []spec, legacy bool) []byte {
	p := &pk{}
	p.op(opProto, 2, opEmptyDict, opMark)
	for _, s := range specs {
		p.str(s.name).tensor(s, legacy)
	}
	return p.op(opSetItems, opStop).b
}

// zipEntry is one file of a hand-made zip.
type zipEntry struct {
	name    string
	data    []byte
	deflate bool
}

// makeZip writes entries as torch.save lays them out (stored, unless
// deflate).
func makeZip(t testing.TB, entries ...zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		m := zip.Store
		if e.deflate {
			m = zip.Deflate
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: m})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(e.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// zipCheckpoint writes a zip checkpoint in folder "archive" with data.pkl
// and the given storages.
func zipFile(t testing.TB, pkl []byte, storages map[string][]byte) []byte {
	entries := []zipEntry{{name: "archive/data.pkl", data: pkl}}
	for k, v := range storages {
		entries = append(entries, zipEntry{name: "archive/data/" + k, data: v})
	}
	entries = append(entries, zipEntry{name: "archive/version", data: []byte("3\n")})
	return makeZip(t, entries...)
}

// legacyFile writes a legacy checkpoint: the header pickles, the state
// dict pickle, the key list and the storages (numel elements of size es).
func legacyFile(pkl []byte, keys []string, numel []int, data [][]byte) []byte {
	b := []byte{opProto, 2, opLong1, 10}
	b = append(b, legacyMagic.Bytes()...)
	// LONG1 is little-endian: reverse the big-endian bytes.
	for i, j := 4, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	b = append(b, opStop)
	b = append(b, opProto, 2, opBinInt2, 0xe9, 0x03, opStop)
	info := &pk{}
	info.op(opProto, 2, opEmptyDict, opMark).str("little_endian").op(opNewTrue).op(opSetItems, opStop)
	b = append(b, info.b...)
	b = append(b, pkl...)
	kl := &pk{}
	kl.op(opProto, 2, opEmptyList, opMark)
	for _, k := range keys {
		kl.str(k)
	}
	b = append(b, kl.op(opAppends, opStop).b...)
	for i := range keys {
		b = binary.LittleEndian.AppendUint64(b, uint64(numel[i]))
		b = append(b, data[i]...)
	}
	return b
}

// f32 returns n float32 values 0, 1, 2, ... as bytes.
func f32(n int) []byte {
	var b []byte
	for i := range n {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(i)))
	}
	return b
}

// goodSpecs is a small valid state dict: a matrix and a transposed view of
// it.
var goodSpecs = []spec{
	{name: "w", key: "0", storage: "FloatStorage", numel: 6, size: []int{2, 3}, stride: []int{3, 1}},
	{name: "wt", key: "0", storage: "FloatStorage", numel: 6, size: []int{3, 2}, stride: []int{1, 3}},
}

// TestBuilders checks that the hand-made files read back, so that the bad
// variants fail for the reason each test gives.
func TestBuilders(t *testing.T) {
	t.Parallel()
	for name, data := range map[string][]byte{
		"zip":    zipFile(t, stateDict(goodSpecs, false), map[string][]byte{"0": f32(6)}),
		"legacy": legacyFile(stateDict(goodSpecs, true), []string{"0"}, []int{6}, [][]byte{f32(6)}),
	} {
		sd, err := ReadPyTorch(data, name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(sd.Tensors()) != 2 || !bytes.Equal(mustBytes(t, sd.Tensors()[0]), f32(6)) || sd.Tensors()[1].Contiguous() {
			t.Errorf("%s: read back wrong", name)
		}
	}
}
