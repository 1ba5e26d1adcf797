package safetensors

import (
	"bytes"
	"errors"
	"path/filepath"
	"runtime"
	"testing"
)

// parseAllocLimit bounds the bytes NewReader may allocate for an input of n
// bytes: linear in the input, whatever its header claims.
func parseAllocLimit(n int) uint64 { return 16*uint64(n) + 256<<10 }

var sentinels = []error{
	ErrTruncated, ErrHeaderTooLarge, ErrInvalidHeader, ErrUnknownDType,
	ErrInvalidOffsets, ErrDTypeShape, ErrOverflow,
}

// FuzzReader parses arbitrary files: no panic, no hang, allocation linear
// in the input, the same answer from memory and from an io.ReaderAt, and a
// valid file survives a write and a re-read.
func FuzzReader(f *testing.F) {
	for _, path := range safetensorsFiles(f, testdataDir) {
		f.Add(readFile(f, path))
	}
	for _, c := range corruptCases(f) {
		f.Add(c.file)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		r, err := NewReader(bytes.NewReader(data), int64(len(data)))
		runtime.ReadMemStats(&after)
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > parseAllocLimit(len(data)) {
			t.Fatalf("parsing %d bytes allocated %d", len(data), alloc)
		}
		m, merr := newReader("", nil, data, int64(len(data)))
		if (err == nil) != (merr == nil) {
			t.Fatalf("reader err %v, memory err %v", err, merr)
		}
		if err != nil {
			checkFuzzError(t, err)
			return
		}
		tensors := readAll(t, r, m)
		var buf bytes.Buffer
		if err := Write(&buf, tensors, r.Metadata()); err != nil {
			t.Fatalf("rewriting a valid file: %v", err)
		}
		again, err := NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatalf("reading a rewritten file: %v", err)
		}
		for _, want := range tensors {
			got, err := again.Bytes(want.Name)
			if err != nil || !bytes.Equal(got, want.Data) {
				t.Fatalf("tensor %q changed in a rewrite (%v)", want.Name, err)
			}
		}
	})
}

func checkFuzzError(t *testing.T, err error) {
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not an *Error", err)
	}
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return
		}
	}
	t.Fatalf("error %v wraps no sentinel", err)
}

// readAll reads every tensor through r and m, which must agree, with every
// typed reader.
func readAll(t *testing.T, r, m *Reader) []Tensor {
	var out []Tensor
	for _, ti := range r.Tensors() {
		b, err := r.Bytes(ti.Name)
		if err != nil {
			t.Fatal(err)
		}
		mb, err := m.Bytes(ti.Name)
		if err != nil || !bytes.Equal(b, mb) {
			t.Fatalf("tensor %q differs between reader and memory (%v)", ti.Name, err)
		}
		if int64(len(b)) != ti.End-ti.Begin {
			t.Fatalf("tensor %q: %d bytes for offsets [%d, %d]", ti.Name, len(b), ti.Begin, ti.End)
		}
		for _, read := range []func(string) (int, error){
			func(n string) (int, error) { v, err := r.Float32(n); return len(v), err },
			func(n string) (int, error) { v, err := m.Float32(n); return len(v), err },
			func(n string) (int, error) { v, err := r.Int64(n); return len(v), err },
			func(n string) (int, error) { v, err := r.Bool(n); return len(v), err },
		} {
			if n, err := read(ti.Name); err == nil && ti.DType.Size() > 0 && n != ti.Len() {
				t.Fatalf("tensor %q: %d values, want %d", ti.Name, n, ti.Len())
			} else if err != nil && !errors.Is(err, ErrDType) {
				t.Fatalf("tensor %q: %v", ti.Name, err)
			}
		}
		out = append(out, Tensor{Name: ti.Name, DType: ti.DType, Shape: ti.Shape, Data: b})
	}
	return out
}

// FuzzIndex parses arbitrary sharded indexes.
func FuzzIndex(f *testing.F) {
	for _, model := range []string{"bert", "gpt2"} {
		f.Add(readFile(f, filepath.Join(fixturesDir, "formats", model, "sharded_safetensors", "model.safetensors.index.json")))
	}
	f.Add([]byte(`{"metadata":{"total_size":1,"x":[{"a":null}]},"weight_map":{"a":"b","c":"d"}}`))
	f.Add([]byte(`{"weight_map":{"a":"b","a":"d"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ix, err := parseIndex(data)
		if err != nil {
			if !errors.Is(err, ErrInvalidIndex) {
				t.Fatalf("error %v is not ErrInvalidIndex", err)
			}
			return
		}
		if ix.weightMap == nil {
			t.Fatal("index without a weight map accepted")
		}
		names := ix.shardNames()
		for _, shard := range ix.weightMap {
			found := false
			for _, n := range names {
				found = found || n == shard
			}
			if !found {
				t.Fatalf("shard %q missing from shardNames", shard)
			}
		}
	})
}
