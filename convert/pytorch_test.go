package convert

import (
	"bytes"
	"encoding/hex"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestEdgeCases reads the pickle edge cases, zip and legacy, and checks
// every tensor against edge_cases.json (raw bytes, values, shape, dtype,
// stride, storage offset) and edge_cases_expected.safetensors.
func TestEdgeCases(t *testing.T) {
	t.Parallel()
	var ec edgeCases
	readJSON(t, filepath.Join(fixtures, "pickle_edge", "edge_cases.json"), &ec)
	want := openST(t, filepath.Join(fixtures, "pickle_edge", "edge_cases_expected.safetensors"))
	for _, file := range []string{"edge_cases.bin", "edge_cases_legacy.bin"} {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			sd := openSD(t, filepath.Join(fixtures, "pickle_edge", file))
			if len(sd.Tensors()) != len(ec.Tensors) {
				t.Errorf("%d tensors, want %d", len(sd.Tensors()), len(ec.Tensors))
			}
			if diff := cmp.Diff(slices.Sorted(slices.Values(ec.Pickle[file].Globals)), slices.Sorted(slices.Values(sd.Globals()))); diff != "" {
				t.Errorf("globals (-want +got):\n%s", diff)
			}
			for name, m := range ec.Tensors {
				got, ok := sd.Tensor(name)
				if !ok {
					t.Errorf("missing %s", name)
					continue
				}
				checkTensor(t, got, m)
				wb, err := want.Bytes(name)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(mustBytes(t, got), wb) {
					t.Errorf("%s: bytes differ from edge_cases_expected.safetensors", name)
				}
			}
			checkSharing(t, sd, ec.SharedStorage)
		})
	}
}

// checkTensor compares a tensor with its manifest entry.
func checkTensor(t *testing.T, got *Tensor, m manifestTensor) {
	t.Helper()
	name := got.Name
	if got.DType != torchDTypes[m.DType] {
		t.Errorf("%s: dtype %s, want %s (%s)", name, got.DType, torchDTypes[m.DType], m.DType)
	}
	if !slices.Equal(got.Shape, m.Shape) {
		t.Errorf("%s: shape %v, want %v", name, got.Shape, m.Shape)
	}
	if m.Stride != nil && !slices.Equal(got.ref.stride, m.Stride) {
		t.Errorf("%s: stride %v, want %v", name, got.ref.stride, m.Stride)
	}
	if got.ref.offset != m.StorageOffset || got.ref.storage.numel != m.StorageNumel {
		t.Errorf("%s: storage offset %d of %d, want %d of %d", name, got.ref.offset, got.ref.storage.numel, m.StorageOffset, m.StorageNumel)
	}
	if got.Contiguous() != m.Contiguous {
		t.Errorf("%s: contiguous %v, want %v", name, got.Contiguous(), m.Contiguous)
	}
	if m.RawLEHex != "" || m.Values != nil {
		raw, err := hex.DecodeString(m.RawLEHex)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(mustBytes(t, got), raw) {
			t.Errorf("%s: bytes %x, want %s", name, mustBytes(t, got), m.RawLEHex)
		}
		checkValues(t, got, m.Values)
	}
}

// checkValues compares Float32 with the JSON values (numbers or
// "nan"/"inf"/"-inf"); float32 values bit for bit, the others by value.
func checkValues(t *testing.T, got *Tensor, values []any) {
	t.Helper()
	f, err := got.Float32()
	if err != nil {
		t.Fatalf("%s: %v", got.Name, err)
	}
	if len(f) != len(values) {
		t.Fatalf("%s: %d values, want %d", got.Name, len(f), len(values))
	}
	for i, v := range values {
		var w float64
		switch x := v.(type) {
		case float64:
			w = x
		case bool:
			if x {
				w = 1
			}
		case string:
			w = map[string]float64{"nan": math.NaN(), "inf": math.Inf(1), "-inf": math.Inf(-1)}[x]
		}
		if math.IsNaN(w) {
			if !math.IsNaN(float64(f[i])) {
				t.Errorf("%s[%d] = %v, want NaN", got.Name, i, f[i])
			}
			continue
		}
		if f[i] != float32(w) {
			t.Errorf("%s[%d] = %v, want %v", got.Name, i, f[i], float32(w))
		}
	}
}

// checkSharing checks that exactly the manifest's groups share storage.
func checkSharing(t *testing.T, sd *StateDict, groups [][]string) {
	t.Helper()
	group := map[string]int{}
	for i, g := range groups {
		for _, n := range g {
			group[n] = i + 1
		}
	}
	ts := sd.Tensors()
	for i, a := range ts {
		for _, b := range ts[i+1:] {
			want := group[a.Name] != 0 && group[a.Name] == group[b.Name]
			if got := a.sharesStorage(b); got != want {
				t.Errorf("%s and %s share storage: %v, want %v", a.Name, b.Name, got, want)
			}
		}
	}
}

// TestFormatsBin reads every .bin of formats/ and checks each tensor
// against the manifest and bit for bit against model.safetensors (tied
// keys, absent there, against the tensor they share storage with).
func TestFormatsBin(t *testing.T) {
	t.Parallel()
	for _, model := range []string{"bert", "gpt2"} {
		m := formats(t, model)
		dir := filepath.Join(fixtures, "formats", model)
		want := openST(t, filepath.Join(dir, "model.safetensors"))
		for file, mf := range m.Files {
			if mf.Format == "safetensors" {
				continue
			}
			t.Run(model+"/"+file, func(t *testing.T) {
				t.Parallel()
				sd := openSD(t, filepath.Join(dir, file))
				wantFormat := map[string]string{"torch-zip": FormatPyTorch, "torch-legacy-pickle": FormatPyTorchLegacy}[mf.Format]
				if sd.Format() != wantFormat {
					t.Errorf("format %q, want %q", sd.Format(), wantFormat)
				}
				if diff := cmp.Diff(slices.Sorted(slices.Values(mf.Pickle.Globals)), slices.Sorted(slices.Values(sd.Globals()))); diff != "" {
					t.Errorf("globals (-want +got):\n%s", diff)
				}
				if len(sd.Tensors()) != len(mf.Tensors) {
					t.Errorf("%d tensors, want %d", len(sd.Tensors()), len(mf.Tensors))
				}
				for _, got := range sd.Tensors() {
					mt, ok := mf.Tensors[got.Name]
					if !ok {
						t.Errorf("unexpected tensor %s", got.Name)
						continue
					}
					checkTensor(t, got, mt)
					name := got.Name
					if _, ok := want.Tensor(name); !ok {
						name = tiedSource(t, sd, got)
					}
					wb, err := want.Bytes(name)
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(mustBytes(t, got), wb) {
						t.Errorf("%s: bytes differ from model.safetensors %s", got.Name, name)
					}
				}
				checkSharing(t, sd, mf.SharedStorage)
			})
		}
	}
}

// tiedSource returns the tensor of sd that got aliases and that
// model.safetensors keeps.
func tiedSource(t *testing.T, sd *StateDict, got *Tensor) string {
	t.Helper()
	for _, u := range sd.Tensors() {
		if u != got && got.aliases(u) {
			return u.Name
		}
	}
	t.Fatalf("%s: not in model.safetensors and aliases no tensor", got.Name)
	return ""
}
