package hubtest

import (
	"encoding/binary"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseRange(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		h          string
		size       int64
		start, end int64
		kind       rangeKind
	}{
		{"bytes=0-0", 10, 0, 0, rangeSatisfiable},
		{"bytes=2-5", 10, 2, 5, rangeSatisfiable},
		{"bytes=2-50", 10, 2, 9, rangeSatisfiable},
		{"bytes=7-", 10, 7, 9, rangeSatisfiable},
		{"bytes=-3", 10, 7, 9, rangeSatisfiable},
		{"bytes=-30", 10, 0, 9, rangeSatisfiable},
		{" bytes= 1 - 2 ", 10, 1, 2, rangeSatisfiable},
		{"bytes=10-", 10, 0, 0, rangeUnsatisfiable},
		{"bytes=10-20", 10, 0, 0, rangeUnsatisfiable},
		{"bytes=-0", 10, 0, 0, rangeUnsatisfiable},
		{"bytes=0-0", 0, 0, 0, rangeUnsatisfiable},
		{"bytes=-1", 0, 0, 0, rangeUnsatisfiable},
		{"", 10, 0, 0, rangeNone},
		{"bytes=5-2", 10, 0, 0, rangeNone},
		{"bytes=0-1,3-4", 10, 0, 0, rangeNone},
		{"items=0-1", 10, 0, 0, rangeNone},
		{"bytes=a-b", 10, 0, 0, rangeNone},
		{"bytes=+1-2", 10, 0, 0, rangeNone},
		{"bytes=-", 10, 0, 0, rangeNone},
		{"bytes=99999999999999999999-", 10, 0, 0, rangeNone},
	} {
		start, end, kind := parseRange(tc.h, tc.size)
		if kind != tc.kind || kind == rangeSatisfiable && (start != tc.start || end != tc.end) {
			t.Errorf("parseRange(%q, %d) = %d, %d, %d; want %d, %d, %d", tc.h, tc.size, start, end, kind, tc.start, tc.end, tc.kind)
		}
	}
}

func FuzzParseRange(f *testing.F) {
	for _, h := range []string{"bytes=0-0", "bytes=-5", "bytes=5-", "bytes=1-2,3-4", "items=0-1", "bytes= 0 - 1", "bytes=99999999999999999999-", "bytes=--1"} {
		f.Add(h, int64(100))
	}
	f.Fuzz(func(t *testing.T, h string, size int64) {
		if size < 0 {
			size = -(size + 1)
		}
		start, end, kind := parseRange(h, size)
		switch kind {
		case rangeSatisfiable:
			if start < 0 || start > end || end >= size {
				t.Fatalf("parseRange(%q, %d) = [%d, %d]", h, size, start, end)
			}
		case rangeUnsatisfiable, rangeNone:
		default:
			t.Fatalf("kind %d", kind)
		}
	})
}

// safetensorsSeeds returns the headers of the fixtures' safetensors files
// that are small enough (1 KiB) for the fuzzer to minimize quickly.
func safetensorsSeeds(f *testing.F) [][]byte {
	var seeds [][]byte
	paths, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "fixtures", "formats", "*", "*.safetensors"))
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		if n := binary.LittleEndian.Uint64(data); n <= 1024 {
			seeds = append(seeds, data[:8+n])
		}
	}
	if len(seeds) == 0 {
		f.Fatal("no safetensors fixtures")
	}
	return seeds
}

func FuzzParseSafetensorsHeader(f *testing.F) {
	for _, s := range safetensorsSeeds(f) {
		f.Add(s)
	}
	f.Add([]byte("\x02\x00\x00\x00\x00\x00\x00\x00{}"))
	f.Add([]byte("\xff\xff\xff\xff\xff\xff\xff\xff{}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		counts, err := parseSafetensorsHeader(strings.NewReader(string(data)), int64(len(data)))
		if err != nil {
			return
		}
		for dt, n := range counts {
			if n < 0 {
				t.Fatalf("%s: %d parameters", dt, n)
			}
		}
	})
}

// FuzzHubRequest sends arbitrary paths, methods and headers to both
// handlers: no panic, and an answer with a valid status.
func FuzzHubRequest(f *testing.F) {
	for _, seed := range []string{
		"/org/tiny/resolve/main/config.json", "/org/tiny/resolve/refs%2Fpr%2F1/a/b", "/api/models/org/tiny/tree/main/sub?recursive=true&cursor=YQ",
		"/api/models/org/tiny/revision/refs/pr/1", "/datasets/org/tiny/raw/HEAD/x", "/api/spaces/x/refs", "/ORG/TINY/resolve/main/%2e%2e/x",
		"/repos/ab/cd/abcd?Expires=1&Signature=x", "/org//resolve//", "/api/models/org/tiny/paths-info/main",
	} {
		f.Add("GET", seed, "bytes=0-0", "")
	}
	f.Add("HEAD", "/org/tiny/resolve/main/model.safetensors", "", "Bearer hf_x")
	s := NewUnstartedServer(WithPageSize(2))
	s.AddRepo(Repo{ID: "org/tiny", Files: map[string][]byte{"config.json": []byte("{}"), "sub/a.bin": []byte("a"), "sub/b.txt": []byte("b")}})
	s.AddRepo(Repo{ID: "org/gated", Gated: "auto", Files: map[string][]byte{"x": []byte("x")}})
	s.OpenPR("model", "org/tiny", map[string][]byte{"a/b": []byte("pr")})
	s.AddToken("hf_x", "org/gated")
	hub, cdn := s.Handlers("http://127.0.0.1:1", "http://localhost:2")
	f.Fuzz(func(t *testing.T, method, target, rangeHeader, auth string) {
		u, err := url.ParseRequestURI(target)
		if err != nil || !strings.HasPrefix(target, "/") || strings.ContainsAny(method, " \t\r\n") || method == "" {
			return
		}
		for _, h := range []http.Handler{hub, cdn} {
			req := &http.Request{Method: method, URL: u, RequestURI: target, Header: http.Header{}, Host: "127.0.0.1:1", Body: http.NoBody}
			req = req.WithContext(t.Context())
			req.Header.Set("Range", rangeHeader)
			req.Header.Set("Authorization", auth)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code < 200 || rec.Code > 599 {
				t.Fatalf("%s %s: status %d", method, target, rec.Code)
			}
		}
	})
}
