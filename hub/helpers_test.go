package hub

import (
	"bytes"
	"context"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hfgo/hfgo/hub/hubtest"
)

// sleepLog records the waits a RetryPolicy asked for, without waiting.
type sleepLog struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleepLog) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleepLog) list() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

// noEnv is an empty environment, so tests never see the machine's HF_*.
func noEnv(string) string { return "" }

// newTestServer starts a fake Hub under a base path, closed with the test.
func newTestServer(t testing.TB, opts ...hubtest.Option) *hubtest.Server {
	t.Helper()
	s := hubtest.NewServer(append([]hubtest.Option{hubtest.WithBasePath("/mirror")}, opts...)...)
	t.Cleanup(s.Close)
	return s
}

// newTestClient returns a client of srv with its own cache folder, an empty
// environment and retries that do not wait.
func newTestClient(t testing.TB, srv *hubtest.Server, opts ...Option) (*Client, *sleepLog) {
	t.Helper()
	sl := &sleepLog{}
	base := []Option{
		WithEnv(noEnv),
		WithEndpoint(srv.URL),
		WithCacheDir(filepath.Join(t.TempDir(), "hub")),
		WithRetryPolicy(RetryPolicy{Sleep: sl.sleep}),
	}
	c, err := NewClient(append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c, sl
}

// randomBytes returns n deterministic pseudo-random bytes.
func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		v := r.Uint64()
		for k := range 8 {
			b[i+k] = byte(v >> (8 * k))
		}
	}
	for i := n &^ 7; i < n; i++ {
		b[i] = byte(r.Uint32())
	}
	return b
}

// mustRead reads a file or fails the test.
func mustRead(t testing.TB, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkContent fails unless the file at p holds want.
func checkContent(t testing.TB, p string, want []byte) {
	t.Helper()
	if got := mustRead(t, p); !bytes.Equal(got, want) {
		t.Fatalf("%s: %d bytes differ from the %d expected", p, len(got), len(want))
	}
}

// requestsTo returns the logged requests to a host.
func requestsTo(s *hubtest.Server, host hubtest.Host) []hubtest.Request {
	var out []hubtest.Request
	for _, r := range s.Requests() {
		if r.Host == host {
			out = append(out, r)
		}
	}
	return out
}

// tinyBert is a small model repo: configs, a tokenizer, safetensors and
// PyTorch weights, and formats hfget skips by default.
func tinyBert() map[string][]byte {
	return map[string][]byte{
		"config.json":             []byte(`{"model_type": "bert", "hidden_size": 32}`),
		"tokenizer.json":          []byte(`{"version": "1.0"}`),
		"tokenizer_config.json":   []byte(`{"do_lower_case": true}`),
		"vocab.txt":               []byte("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\n"),
		"special_tokens_map.json": []byte(`{"unk_token": "[UNK]"}`),
		"model.safetensors":       randomBytes(300_000, 1),
		"pytorch_model.bin":       randomBytes(200_000, 2),
		"tf_model.h5":             randomBytes(100_000, 3),
		"flax_model.msgpack":      randomBytes(100_000, 4),
		"onnx/model.onnx":         randomBytes(50_000, 5),
		"README.md":               []byte("# tiny bert\n"),
	}
}

// httpClientStrippingRange removes Range from every request, as a server
// that ignores it would: the answers are 200 with the whole file.
var httpClientStrippingRange = http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Del("Range")
	return http.DefaultTransport.RoundTrip(r)
})}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
