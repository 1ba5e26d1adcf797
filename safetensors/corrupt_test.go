package safetensors

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// corruptCase is a malformed file and the error it must give.
type corruptCase struct {
	name   string
	file   []byte
	want   error  // sentinel for errors.Is
	tensor string // tensor the error must name, if any
}

// withLength returns an 8-byte header length n followed by rest.
func withLength(n uint64, rest string) []byte {
	return append(binary.LittleEndian.AppendUint64(nil, n), rest...)
}

// truncatedFixture returns a real fixture cut short by cut bytes.
func truncatedFixture(tb testing.TB, cut int) []byte {
	b := readFile(tb, filepath.Join(fixturesDir, "formats", "bert", "model.safetensors"))
	return b[:len(b)-cut]
}

func corruptCases(tb testing.TB) []corruptCase {
	x := func(dtype, shape, offs string) string {
		return `"x":{"dtype":"` + dtype + `","shape":` + shape + `,"data_offsets":` + offs + `}`
	}
	eight := make([]byte, 8)
	return []corruptCase{
		{"empty file", nil, ErrTruncated, ""},
		{"7 bytes", []byte{2, 0, 0, 0, 0, 0, 0}, ErrTruncated, ""},
		{"header length over the limit", withLength(MaxHeaderSize+1, "{}"), ErrHeaderTooLarge, ""},
		{"header length 2^64-1", withLength(1<<64-1, "{}"), ErrHeaderTooLarge, ""},
		{"header past the end", withLength(100, `{"x":1}`), ErrTruncated, ""},
		{"header length zero", withLength(0, ""), ErrInvalidHeader, ""},
		{"invalid UTF-8", rawFile("{\"\xff\":{}}", nil), ErrInvalidHeader, ""},
		{"leading space", rawFile(` {}`, nil), ErrInvalidHeader, ""},
		{"unterminated JSON", rawFile(`{"x":`, nil), ErrInvalidHeader, "x"},
		{"unterminated object", rawFile(`{"__metadata__":{}`, nil), ErrInvalidHeader, ""},
		{"JSON array", rawFile(`[]`, nil), ErrInvalidHeader, ""},
		{"data after the object", rawFile(`{} x`, nil), ErrInvalidHeader, ""},
		{"trailing comma", rawFile(`{"__metadata__":{},}`, nil), ErrInvalidHeader, ""},
		{"metadata value not a string", rawFile(`{"__metadata__":{"format":1}}`, nil), ErrInvalidHeader, ""},
		{"metadata not an object", rawFile(`{"__metadata__":"pt"}`, nil), ErrInvalidHeader, ""},
		{"duplicate metadata", rawFile(`{"__metadata__":{},"__metadata__":{}}`, nil), ErrInvalidHeader, ""},
		{"entry not an object", rawFile(`{"x":[1]}`, nil), ErrInvalidHeader, "x"},
		{"unknown dtype", rawFile(`{`+x("F33", "[2]", "[0,8]")+`}`, eight), ErrUnknownDType, "x"},
		{"dtype null", rawFile(`{"x":{"dtype":null,"shape":[2],"data_offsets":[0,8]}}`, eight), ErrInvalidHeader, "x"},
		{"negative dimension", rawFile(`{`+x("F32", "[-2]", "[0,8]")+`}`, eight), ErrInvalidHeader, "x"},
		{"float dimension", rawFile(`{`+x("F32", "[2.0]", "[0,8]")+`}`, eight), ErrInvalidHeader, "x"},
		{"exponent dimension", rawFile(`{`+x("F32", "[2e0]", "[0,8]")+`}`, eight), ErrInvalidHeader, "x"},
		{"shape not an array", rawFile(`{`+x("F32", "2", "[0,8]")+`}`, eight), ErrInvalidHeader, "x"},
		{"three offsets", rawFile(`{`+x("F32", "[2]", "[0,8,8]")+`}`, eight), ErrInvalidHeader, "x"},
		{"offset beyond int64", rawFile(`{`+x("F32", "[2]", "[0,9223372036854775808]")+`}`, eight), ErrInvalidHeader, "x"},
		{"missing shape", rawFile(`{"x":{"dtype":"F32","data_offsets":[0,8]}}`, eight), ErrInvalidHeader, "x"},
		{"duplicate field", rawFile(`{"x":{"dtype":"F32","dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, eight), ErrInvalidHeader, "x"},
		{"duplicate tensor", rawFile(`{`+x("F32", "[2]", "[0,8]")+`,`+x("F32", "[2]", "[0,8]")+`}`, eight), ErrInvalidHeader, "x"},
		{"lone surrogate", rawFile(`{"\ud800":{}}`, nil), ErrInvalidHeader, ""},
		{"deep nesting", rawFile(`{"x":{"extra":`+strings.Repeat("[", 200)+strings.Repeat("]", 200)+`}}`, nil), ErrInvalidHeader, "x"},
		{"end before begin", rawFile(`{`+x("F32", "[2]", "[8,0]")+`}`, eight), ErrInvalidOffsets, "x"},
		{"gap", rawFile(`{`+x("F32", "[1]", "[4,8]")+`}`, eight), ErrInvalidOffsets, "x"},
		{"overlap", rawFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},`+x("F32", "[2]", "[4,12]")+`}`, make([]byte, 12)), ErrInvalidOffsets, "x"},
		{"bytes after the last tensor", rawFile(`{`+x("F32", "[2]", "[0,8]")+`}`, make([]byte, 9)), ErrInvalidOffsets, ""},
		{"tensor past the end", rawFile(`{`+x("F32", "[4]", "[0,16]")+`}`, eight), ErrTruncated, "x"},
		{"offsets out of range", rawFile(`{`+x("U8", "[4000000000]", "[0,4000000000]")+`}`, eight), ErrTruncated, "x"},
		{"dtype and shape mismatch", rawFile(`{`+x("F32", "[3]", "[0,8]")+`}`, eight), ErrDTypeShape, "x"},
		{"F4 not a whole byte", rawFile(`{`+x("F4", "[3]", "[0,2]")+`}`, eight[:2]), ErrDTypeShape, "x"},
		{"shape product overflows", rawFile(`{`+x("F32", "[4294967296,4294967296,2]", "[0,8]")+`}`, eight), ErrOverflow, "x"},
		{"byte size overflows", rawFile(`{`+x("F64", "[4611686018427387904]", "[0,8]")+`}`, eight), ErrOverflow, "x"},
		{"truncated fixture", truncatedFixture(tb, 4), ErrTruncated, "cls.seq_relationship.weight"},
		{"Git LFS pointer", []byte("version https://git-lfs.github.com/spec/v1\noid sha256:" + strings.Repeat("0", 64) + "\nsize 440473133\n"), ErrInvalidHeader, ""},
	}
}

func TestCorrupt(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, c := range corruptCases(t) {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := NewReader(bytes.NewReader(c.file), int64(len(c.file)))
			checkCorrupt(t, err, c, "")

			path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".safetensors")
			if err := os.WriteFile(path, c.file, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err = Open(path)
			checkCorrupt(t, err, c, path)
		})
	}
}

func checkCorrupt(t *testing.T, err error, c corruptCase, file string) {
	t.Helper()
	if !errors.Is(err, c.want) {
		t.Fatalf("err = %v, want %v", err, c.want)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err %T is not an *Error", err)
	}
	if e.File != file || e.Tensor != c.tensor {
		t.Errorf("error names file %q tensor %q, want %q and %q (%v)", e.File, e.Tensor, file, c.tensor, err)
	}
	prefix := "safetensors: "
	if file != "" {
		prefix += file + ": "
	}
	if c.tensor != "" {
		prefix += `tensor "` + c.tensor + `": `
	}
	if msg := err.Error(); !strings.HasPrefix(msg, prefix) {
		t.Errorf("message %q does not start with %q", msg, prefix)
	}
}

// TestValidEdges checks inputs the reference implementation accepts.
func TestValidEdges(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name  string
		file  []byte
		names []string
		meta  map[string]string
	}{
		{"empty header", rawFile(`{}`, nil), []string{}, nil},
		{"padded header", rawFile(`{}      `, nil), []string{}, nil},
		{"null metadata", rawFile(`{"__metadata__":null}`, nil), []string{}, nil},
		{"empty metadata", rawFile(`{"__metadata__":{}}`, nil), []string{}, map[string]string{}},
		{"unknown fields ignored", rawFile(`{"x":{"extra":{"a":[1,-2.5e3,null,true]},"dtype":"U8","shape":[2],"data_offsets":[0,2]}}`, []byte{1, 2}), []string{"x"}, nil},
		{"escaped name", rawFile(`{"a\"\u00e9\ud83d\ude00":{"dtype":"U8","shape":[],"data_offsets":[0,1]}}`, []byte{1}), []string{"a\"é😀"}, nil},
		{"zero-size tensors share offsets", rawFile(`{"b":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"a":{"dtype":"I64","shape":[2,0],"data_offsets":[0,0]}}`, nil), []string{"a", "b"}, nil},
		{"any offset order", rawFile(`{"b":{"dtype":"U8","shape":[1],"data_offsets":[1,2]},"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}`, []byte{1, 2}), []string{"a", "b"}, nil},
		{"F4 pair", rawFile(`{"x":{"dtype":"F4","shape":[2],"data_offsets":[0,1]}}`, []byte{0x21}), []string{"x"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r, err := NewReader(bytes.NewReader(c.file), int64(len(c.file)))
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Names(); !equalStrings(got, c.names) {
				t.Errorf("Names = %q, want %q", got, c.names)
			}
			if got := r.Metadata(); (got == nil) != (c.meta == nil) || len(got) != len(c.meta) {
				t.Errorf("Metadata = %#v, want %#v", got, c.meta)
			}
		})
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
