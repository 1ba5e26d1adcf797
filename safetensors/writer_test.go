package safetensors

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRewriteFixtures rewrites every fixture (all written by Python's
// safetensors) from its tensors and metadata, given in shuffled order, and
// checks the bytes are the same.
func TestRewriteFixtures(t *testing.T) {
	t.Parallel()
	for _, path := range safetensorsFiles(t, fixturesDir) {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			f, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			tensors := tensorsOf(t, f.Reader)
			rand.New(rand.NewPCG(1, 2)).Shuffle(len(tensors), func(i, j int) {
				tensors[i], tensors[j] = tensors[j], tensors[i]
			})
			var buf bytes.Buffer
			if err := Write(&buf, tensors, f.Metadata()); err != nil {
				t.Fatal(err)
			}
			want := sha256.Sum256(readFile(t, path))
			if got := sha256.Sum256(buf.Bytes()); got != want {
				t.Errorf("rewritten sha256 %x, want %x", got, want)
			}
		})
	}
}

func tensorsOf(tb testing.TB, r *Reader) []Tensor {
	tb.Helper()
	var out []Tensor
	for _, ti := range r.Tensors() {
		b, err := r.Bytes(ti.Name)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, Tensor{Name: ti.Name, DType: ti.DType, Shape: ti.Shape, Data: b})
	}
	return out
}

// TestWriteHeader checks the exact bytes of small files against those the
// reference implementation's own tests give.
func TestWriteHeader(t *testing.T) {
	t.Parallel()
	six := f32Bytes(0, 1, 2, 3, 4, 5)
	for _, c := range []struct {
		name    string
		tensors []Tensor
		meta    map[string]string
		header  string
	}{
		{"no tensors", nil, nil, `{}      `},
		{"metadata only", nil, map[string]string{"framework": "pt"}, `{"__metadata__":{"framework":"pt"}}     `},
		{"empty metadata", nil, map[string]string{}, `{"__metadata__":{}}     `},
		{"one tensor", []Tensor{{"attn.0", F32, []int{1, 2, 3}, six}}, nil,
			`{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}`},
		{"padded", []Tensor{{"attn0", F32, []int{1, 1, 2, 3}, six}}, nil,
			`{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       `},
		{"alignment order then name", []Tensor{
			{"b", U8, []int{1}, []byte{1}},
			{"a", U8, []int{1}, []byte{2}},
			{"c", I64, []int{}, make([]byte, 8)},
			{"d", F16, []int{1}, []byte{0, 0x3c}},
		}, map[string]string{"z": "1", "a": "2"},
			`{"__metadata__":{"a":"2","z":"1"},"c":{"dtype":"I64","shape":[],"data_offsets":[0,8]},"d":{"dtype":"F16","shape":[1],"data_offsets":[8,10]},"a":{"dtype":"U8","shape":[1],"data_offsets":[10,11]},"b":{"dtype":"U8","shape":[1],"data_offsets":[11,12]}}`},
		{"escapes", []Tensor{{"q\"\\\b\f\n\r\t\x01\x1f\x7fé/<>&", U8, []int{0}, nil}}, nil,
			`{"q\"\\\b\f\n\r\t\u0001\u001f` + "\x7f" + `é/<>&":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}}  `},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			if err := Write(&buf, c.tensors, c.meta); err != nil {
				t.Fatal(err)
			}
			b := buf.Bytes()
			n := int(b[0]) | int(b[1])<<8
			if diff := cmp.Diff(c.header, string(b[8:8+n])); diff != "" {
				t.Errorf("header (-want +got):\n%s", diff)
			}
			r, err := NewReader(bytes.NewReader(b), int64(len(b)))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.meta, r.Metadata()); diff != "" {
				t.Errorf("metadata read back (-want +got):\n%s", diff)
			}
			for _, want := range c.tensors {
				got, err := r.Bytes(want.Name)
				if err != nil || !bytes.Equal(got, want.Data) {
					t.Errorf("%q read back as %v, %v; want %v", want.Name, got, err, want.Data)
				}
			}
		})
	}
}

func TestWriteErrors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name    string
		tensors []Tensor
		meta    map[string]string
		want    error
	}{
		{"data too short", []Tensor{{"x", F32, []int{2}, make([]byte, 7)}}, nil, ErrDTypeShape},
		{"unknown dtype", []Tensor{{"x", "F31", []int{2}, make([]byte, 8)}}, nil, ErrUnknownDType},
		{"negative dimension", []Tensor{{"x", U8, []int{-1}, nil}}, nil, ErrDTypeShape},
		{"overflow", []Tensor{{"x", F64, []int{1 << 62, 4}, nil}}, nil, ErrOverflow},
		{"duplicate", []Tensor{{"x", U8, nil, []byte{1}}, {"x", U8, nil, []byte{1}}}, nil, ErrInvalidHeader},
		{"reserved name", []Tensor{{"__metadata__", U8, nil, []byte{1}}}, nil, ErrInvalidHeader},
		{"invalid UTF-8 name", []Tensor{{"\xff", U8, nil, []byte{1}}}, nil, ErrInvalidHeader},
		{"invalid UTF-8 metadata", nil, map[string]string{"a": "\xff"}, ErrInvalidHeader},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			err := Write(&buf, c.tensors, c.meta)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if buf.Len() != 0 {
				t.Errorf("%d bytes written on error", buf.Len())
			}
			dir := t.TempDir()
			path := filepath.Join(dir, "model.safetensors")
			if err := WriteFile(path, c.tensors, c.meta); !errors.Is(err, c.want) {
				t.Fatalf("WriteFile err = %v, want %v", err, c.want)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("WriteFile left %v", entries)
			}
		})
	}
}

func TestWriteFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "model.safetensors")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	tensors := []Tensor{{"w", BF16, []int{2, 2}, []byte{0x80, 0x3f, 0, 0x40, 0x40, 0x40, 0x80, 0xbf}}}
	if err := WriteFile(path, tensors, map[string]string{"format": "pt"}); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("folder holds %d entries, want only the file", len(entries))
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := f.Float32("w")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]float32{1, 2, 3, -1}, got); diff != "" {
		t.Error(diff)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", st.Mode())
	}
}
