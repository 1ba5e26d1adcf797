package verify

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hfgo/hfgo/safetensors"
)

const fixtures = "../testdata/fixtures"

// copyDir copies the files of src (not its sub-folders) into a new temporary
// folder, leaving out the names in skip.
func copyDir(t testing.TB, src string, skip ...string) string {
	t.Helper()
	dst := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() || slices.Contains(skip, e.Name()) {
			continue
		}
		copyFile(t, filepath.Join(src, e.Name()), filepath.Join(dst, e.Name()))
	}
	return dst
}

func copyFile(t testing.TB, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// rewriteSafetensors writes src to dst after edit has changed its tensors
// (raw bytes, by name); edit may add or delete tensors.
func rewriteSafetensors(t testing.TB, src, dst string, edit func(map[string]*safetensors.Tensor)) {
	t.Helper()
	f, err := safetensors.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	tensors := map[string]*safetensors.Tensor{}
	for _, ti := range f.Tensors() {
		b, err := f.Bytes(ti.Name)
		if err != nil {
			t.Fatal(err)
		}
		tensors[ti.Name] = &safetensors.Tensor{Name: ti.Name, DType: ti.DType, Shape: ti.Shape, Data: slices.Clone(b)}
	}
	meta := f.Metadata()
	f.Close()
	edit(tensors)
	var out []safetensors.Tensor
	for _, n := range slices.Sorted(func(yield func(string) bool) {
		for n := range tensors {
			if !yield(n) {
				return
			}
		}
	}) {
		out = append(out, *tensors[n])
	}
	if err := safetensors.WriteFile(dst, out, meta); err != nil {
		t.Fatal(err)
	}
}

// addF32 adds d to element i of an F32 tensor's bytes.
func addF32(t testing.TB, ts map[string]*safetensors.Tensor, name string, i int, d float32) {
	t.Helper()
	x, ok := ts[name]
	if !ok || x.DType != safetensors.F32 {
		t.Fatalf("no F32 tensor %s", name)
	}
	v := math.Float32frombits(binary.LittleEndian.Uint32(x.Data[4*i:]))
	binary.LittleEndian.PutUint32(x.Data[4*i:], math.Float32bits(v+d))
}

// addI64 adds d to element i of an I64 tensor's bytes.
func addI64(t testing.TB, ts map[string]*safetensors.Tensor, name string, i int, d int64) {
	t.Helper()
	x, ok := ts[name]
	if !ok || x.DType != safetensors.I64 {
		t.Fatalf("no I64 tensor %s", name)
	}
	v := int64(binary.LittleEndian.Uint64(x.Data[8*i:]))
	binary.LittleEndian.PutUint64(x.Data[8*i:], uint64(v+d))
}

// editJSON rewrites the JSON file at path through edit.
func editJSON(t testing.TB, path string, edit func(map[string]any)) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	edit(v)
	if b, err = json.Marshal(v); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// statuses maps row names to statuses.
func statuses(r *Report) map[string]Status {
	m := map[string]Status{}
	for _, row := range r.Rows {
		m[row.Name] = row.Status
	}
	return m
}

// failing lists the names of failing rows.
func failing(r *Report) []string {
	var out []string
	for _, row := range r.Failures() {
		out = append(out, row.Name)
	}
	return out
}

// wantStatus checks the status of named rows.
func wantStatus(t *testing.T, r *Report, want map[string]Status) {
	t.Helper()
	got := statuses(r)
	for name, s := range want {
		if got[name] != s {
			row, _ := r.Row(name)
			t.Errorf("row %q: status %q, want %q (%s)", name, got[name], s, row.Detail)
		}
	}
}

// rowDetail returns the detail of the named row.
func rowDetail(r *Report, name string) string {
	row, _ := r.Row(name)
	return row.Detail
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
