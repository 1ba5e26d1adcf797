package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// manifestFile is one safetensors entry of a formats/*/manifest.json.
type manifestFile struct {
	Bytes       int64             `json:"bytes"`
	Format      string            `json:"format"`
	HeaderBytes int64             `json:"header_bytes"`
	Metadata    map[string]string `json:"metadata"`
	Tensors     map[string]struct {
		DType       DType   `json:"dtype"`
		Shape       []int   `json:"shape"`
		DataOffsets []int64 `json:"data_offsets"`
	} `json:"tensors"`
}

func TestManifestLayout(t *testing.T) {
	t.Parallel()
	for _, model := range []string{"bert", "gpt2"} {
		dir := filepath.Join(fixturesDir, "formats", model)
		var m struct {
			Files map[string]manifestFile `json:"files"`
		}
		readJSON(t, filepath.Join(dir, "manifest.json"), &m)
		checked := 0
		for path, want := range m.Files {
			if want.Format != "safetensors" {
				continue
			}
			checked++
			t.Run(model+"/"+path, func(t *testing.T) {
				t.Parallel()
				f, err := Open(filepath.Join(dir, path))
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				if got := f.DataOffset(); got != 8+want.HeaderBytes {
					t.Errorf("DataOffset = %d, want %d", got, 8+want.HeaderBytes)
				}
				if diff := cmp.Diff(want.Metadata, f.Metadata()); diff != "" {
					t.Errorf("metadata (-want +got):\n%s", diff)
				}
				got := map[string]TensorInfo{}
				for _, ti := range f.Tensors() {
					got[ti.Name] = ti
				}
				if len(got) != len(want.Tensors) {
					t.Errorf("%d tensors, want %d", len(got), len(want.Tensors))
				}
				for name, w := range want.Tensors {
					g := got[name]
					wantInfo := TensorInfo{Name: name, DType: w.DType, Shape: w.Shape, Begin: w.DataOffsets[0], End: w.DataOffsets[1]}
					if diff := cmp.Diff(wantInfo, g); diff != "" {
						t.Errorf("tensor %s (-want +got):\n%s", name, diff)
					}
				}
			})
		}
		if checked < 6 {
			t.Fatalf("%s: only %d safetensors files in the manifest", model, checked)
		}
	}
}

// TestFixturesRead reads every fixture through Open and NewReader and
// checks the two agree with an independent decode of the file's bytes.
func TestFixturesRead(t *testing.T) {
	t.Parallel()
	for _, path := range safetensorsFiles(t, fixturesDir) {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			whole := readFile(t, path)
			f, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			r, err := NewReader(bytes.NewReader(whole), int64(len(whole)))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(f.Tensors(), r.Tensors()); diff != "" {
				t.Fatalf("Open and NewReader disagree (-open +reader):\n%s", diff)
			}
			infos := f.Tensors()
			if !slices.IsSortedFunc(infos, func(a, b TensorInfo) int { return int(a.Begin - b.Begin) }) {
				t.Error("Tensors not in data-offset order")
			}
			for _, ti := range infos {
				want := whole[f.DataOffset()+ti.Begin : f.DataOffset()+ti.End]
				checkTensor(t, f.Reader, ti, want)
				checkTensor(t, r, ti, want)
			}
		})
	}
}

func checkTensor(t *testing.T, r *Reader, ti TensorInfo, raw []byte) {
	t.Helper()
	b, err := r.Bytes(ti.Name)
	if err != nil || !bytes.Equal(b, raw) {
		t.Fatalf("Bytes(%q) = %d bytes, %v; want the file's %d bytes", ti.Name, len(b), err, len(raw))
	}
	var want []float32
	switch ti.DType {
	case F32:
		for i := 0; i < len(raw); i += 4 {
			want = append(want, math.Float32frombits(binary.LittleEndian.Uint32(raw[i:])))
		}
	case F16:
		for i := 0; i < len(raw); i += 2 {
			want = append(want, refHalf(binary.LittleEndian.Uint16(raw[i:])))
		}
	case BF16:
		for i := 0; i < len(raw); i += 2 {
			want = append(want, math.Float32frombits(uint32(raw[i])<<16|uint32(raw[i+1])<<24))
		}
	case F64:
		for i := 0; i < len(raw); i += 8 {
			want = append(want, float32(math.Float64frombits(binary.LittleEndian.Uint64(raw[i:]))))
		}
	default:
		if _, err := r.Float32(ti.Name); !errors.Is(err, ErrDType) {
			t.Errorf("Float32(%q) of %s: err = %v, want ErrDType", ti.Name, ti.DType, err)
		}
		return
	}
	got, err := r.Float32(ti.Name)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != ti.Len() || len(got) != len(want) {
		t.Fatalf("Float32(%q): %d values, want %d", ti.Name, len(got), ti.Len())
	}
	for i := range got {
		if !sameFloat(got[i], want[i]) {
			t.Fatalf("Float32(%q)[%d] = %v, want %v", ti.Name, i, got[i], want[i])
		}
	}
}

// TestFloat32ZeroCopy checks that an aligned F32 tensor of a File is a view
// of the mapping and that an unaligned one is copied.
func TestFloat32ZeroCopy(t *testing.T) {
	t.Parallel()
	f, err := Open(filepath.Join(fixturesDir, "formats", "bert", "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	name := "bert.embeddings.word_embeddings.weight"
	v, err := f.Float32(name)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := f.Bytes(name)
	if littleEndian && (&v[0] != (*float32)(unsafePointer(b))) {
		t.Error("aligned F32 tensor of a File was copied")
	}

	// One byte of padding in the data section leaves the F32 tensor
	// unaligned: Float32 must copy and still decode it.
	dir := t.TempDir()
	path := filepath.Join(dir, "unaligned.safetensors")
	hdr := `{"pad":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"x":{"dtype":"F32","shape":[2],"data_offsets":[1,9]}}`
	hdr += string(bytes.Repeat([]byte(" "), (8-len(hdr)%8)%8))
	if err := os.WriteFile(path, rawFile(hdr, append([]byte{7}, f32Bytes(1.5, -2)...)), 0o644); err != nil {
		t.Fatal(err)
	}
	u, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	got, err := u.Float32("x")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]float32{1.5, -2}, got); diff != "" {
		t.Error(diff)
	}
	raw, _ := u.Bytes("x")
	if (*float32)(unsafePointer(raw)) == &got[0] {
		t.Error("unaligned tensor returned as a view")
	}
}

// TestEdgeCases reads the typed tensors of pickle_edge against the values
// listed in edge_cases.json.
func TestEdgeCases(t *testing.T) {
	t.Parallel()
	var m struct {
		Tensors map[string]struct {
			DType  string            `json:"dtype"`
			Shape  []int             `json:"shape"`
			Values []json.RawMessage `json:"values"`
			RawHex string            `json:"raw_le_hex"`
		} `json:"tensors"`
	}
	readJSON(t, filepath.Join(fixturesDir, "pickle_edge", "edge_cases.json"), &m)
	f, err := Open(filepath.Join(fixturesDir, "pickle_edge", "edge_cases_expected.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for name, want := range m.Tensors {
		info, ok := f.Tensor(name)
		if !ok {
			t.Errorf("tensor %s missing", name)
			continue
		}
		if diff := cmp.Diff(want.Shape, info.Shape); diff != "" {
			t.Errorf("%s shape (-want +got):\n%s", name, diff)
		}
		raw, err := f.Bytes(name)
		if err != nil || hex.EncodeToString(raw) != want.RawHex {
			t.Errorf("%s: Bytes = %x, %v; want %s", name, raw, err, want.RawHex)
		}
		switch want.DType {
		case "float32", "float16", "bfloat16", "float64":
			got, err := f.Float32(name)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want.Values) {
				t.Fatalf("%s: %d values, want %d", name, len(got), len(want.Values))
			}
			for i, v := range want.Values {
				if w := jsonFloat(v); !sameFloat(got[i], w) {
					t.Errorf("%s[%d] = %v, want %v", name, i, got[i], w)
				}
			}
		case "bool":
			got, err := f.Bool(name)
			if err != nil {
				t.Fatal(err)
			}
			for i, v := range want.Values {
				if w := string(v) == "true"; got[i] != w {
					t.Errorf("%s[%d] = %v, want %v", name, i, got[i], w)
				}
			}
		default:
			got, err := f.Int64(name)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want.Values) {
				t.Fatalf("%s: %d values, want %d", name, len(got), len(want.Values))
			}
			for i, v := range want.Values {
				w, err := strconv.ParseInt(string(v), 10, 64)
				if err != nil || got[i] != w {
					t.Errorf("%s[%d] = %d, want %s", name, i, got[i], v)
				}
			}
		}
	}
}

// jsonFloat converts an edge_cases.json value to float32 ("nan", "inf" and
// "-inf" are strings).
func jsonFloat(v json.RawMessage) float32 {
	switch string(v) {
	case `"nan"`:
		return float32(math.NaN())
	case `"inf"`:
		return float32(math.Inf(1))
	case `"-inf"`:
		return float32(math.Inf(-1))
	}
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil {
		panic(err)
	}
	return float32(f)
}
