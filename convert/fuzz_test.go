package convert

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/metrics"
	"slices"
	"strings"
	"testing"
)

// seedFiles returns the files under testdata's fixtures whose names end
// with suffix.
func seedFiles(f *testing.F, suffix string) [][]byte {
	var out [][]byte
	err := filepath.WalkDir(fixtures, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, suffix) {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			out = append(out, b)
		}
		return err
	})
	if err != nil || len(out) == 0 {
		f.Fatalf("no %s seeds: %v", suffix, err)
	}
	return out
}

// FuzzPickle reads arbitrary bytes as a PyTorch checkpoint, zip or legacy,
// and materialises every tensor. It must never panic or hang, never get
// past the scan into a gopickle failure, and never allocate more than the
// scan's bound for the input's size. Seeds: every .bin of the fixtures and
// hand-made malicious and valid files.
func FuzzPickle(f *testing.F) {
	for _, b := range seedFiles(f, ".bin") {
		f.Add(b)
	}
	for _, pkl := range [][]byte{
		stateDict(goodSpecs, false), evil("posix", "system"), evil("copy_reg", "_reconstructor"),
		inDict((&pk{}).global("builtins", "eval").str("1").op(opTuple1, opReduce).b),
		[]byte("\x80\x02}(X\x01\x00\x00\x00au."), []byte("\x80\x02X\xff\xff\xff\x7f"),
	} {
		f.Add(zipFile(f, pkl, map[string][]byte{"0": f32(6)}))
		f.Add(legacyFile(pkl, nil, nil, nil))
	}
	f.Add(legacyFile(stateDict(goodSpecs, true), []string{"0"}, []int{6}, [][]byte{f32(6)}))
	f.Fuzz(func(t *testing.T, data []byte) {
		before := heapAllocs()
		sd, err := ReadPyTorch(data, "fuzz.bin")
		alloc := heapAllocs() - before
		if errors.Is(err, errUnpickler) {
			t.Fatalf("gopickle failed past the scan: %v", err)
		}
		if alloc > uint64(allocPerByte*len(data)+4<<20) {
			t.Fatalf("reading %d bytes allocated %d", len(data), alloc)
		}
		if err != nil {
			if !strings.HasPrefix(err.Error(), "convert: fuzz.bin: ") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, x := range sd.Tensors() {
			b, err := x.Bytes()
			if err != nil {
				if !errors.Is(err, ErrFormat) {
					t.Fatalf("%s: %v", x.Name, err)
				}
				continue
			}
			if int64(len(b)) != x.Size() || len(b) > len(data) {
				t.Fatalf("%s: %d bytes, Size %d, file %d", x.Name, len(b), x.Size(), len(data))
			}
			if _, err := x.Float32(); err != nil && !errors.Is(err, ErrUnsupported) {
				t.Fatalf("%s: %v", x.Name, err)
			}
		}
	})
}

// FuzzIndex parses arbitrary shard indexes: no panic, only safe shard
// names accepted, and what encodeIndex writes parses back the same.
func FuzzIndex(f *testing.F) {
	for _, b := range seedFiles(f, ".index.json") {
		f.Add(b)
	}
	f.Add([]byte(`{"metadata": {"total_size": 1e3, "x": [1]}, "weight_map": {"a": "../b"}}`))
	f.Add([]byte(`{"weight_map": {"a": "sub/x.bin", "b": "/abs"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		x, err := ParseIndex(data, "fuzz.json")
		if err != nil {
			return
		}
		for n, file := range x.WeightMap {
			if !safeShardName(file) {
				t.Fatalf("%s: unsafe shard %q accepted", n, file)
			}
		}
		shards := x.Shards()
		if !slices.IsSorted(shards) || len(slices.Compact(slices.Clone(shards))) != len(shards) {
			t.Fatalf("Shards() = %q", shards)
		}
		y, err := ParseIndex(encodeIndex(x), "again.json")
		if err != nil {
			t.Fatalf("re-encoded index: %v", err)
		}
		if y.TotalSize != x.TotalSize || len(y.WeightMap) != len(x.WeightMap) {
			t.Fatalf("round trip changed the index")
		}
		for n, file := range x.WeightMap {
			if y.WeightMap[n] != file && strings.ToValidUTF8(n, "\uFFFD") == n {
				t.Fatalf("round trip changed %q: %q -> %q", n, file, y.WeightMap[n])
			}
		}
	})
}

// heapAllocs returns the bytes allocated on the heap so far, without
// stopping the world as runtime.ReadMemStats does.
func heapAllocs() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
