package hubtest_test

import (
	"encoding/binary"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/hfgo/hfgo/hub/hubtest"
)

// reply is a response read whole.
type reply struct {
	status int
	header http.Header
	body   string
}

// rawClient follows no redirect and asks for no compression, so tests see
// the responses as sent.
var rawClient = &http.Client{
	Transport:     &http.Transport{DisableCompression: true},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// do sends a request with headers given as name, value pairs.
func do(t testing.TB, method, url string, headers ...string) reply {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := rawClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, url, err)
	}
	return reply{resp.StatusCode, resp.Header, string(body)}
}

// getJSON GETs url and decodes its JSON body into v.
func getJSON(t testing.TB, url string, v any, headers ...string) reply {
	t.Helper()
	r := do(t, http.MethodGet, url, headers...)
	if r.status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, r.status, r.body)
	}
	if err := json.Unmarshal([]byte(r.body), v); err != nil {
		t.Fatalf("GET %s: %v in %q", url, err, r.body)
	}
	return r
}

// safetensorsFile builds a safetensors file of F32 tensors of the given
// shapes, filled with zeros.
func safetensorsFile(shapes map[string][]int) []byte {
	header := map[string]any{"__metadata__": map[string]string{"format": "pt"}}
	off := 0
	for _, name := range slices.Sorted(maps.Keys(shapes)) {
		shape := shapes[name]
		n := 4
		for _, d := range shape {
			n *= d
		}
		header[name] = map[string]any{"dtype": "F32", "shape": shape, "data_offsets": []int{off, off + n}}
		off += n
	}
	h, _ := json.Marshal(header)
	for len(h)%8 != 0 {
		h = append(h, ' ')
	}
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(h)))
	out = append(out, h...)
	return append(out, make([]byte, off)...)
}

// tinyFiles is a small model repo: regular files, an LFS file, folders.
func tinyFiles() map[string][]byte {
	return map[string][]byte{
		"config.json":             []byte(`{"model_type": "bert", "hidden_size": 4}` + strings.Repeat(" ", 200)),
		"model.safetensors":       safetensorsFile(map[string][]int{"w": {2, 3}, "b": {3}}),
		"onnx/model.onnx":         []byte("not really onnx"),
		"tokenizer/vocab.txt":     []byte("[PAD]\n[UNK]\nhello\n"),
		"dir with space/a b.txt":  []byte("spaced"),
		"tokenizer/deep/more.txt": []byte("more"),
	}
}

// newTiny starts a server under /mirror with the tiny repo as org/tiny and
// returns its first commit.
func newTiny(t testing.TB, opts ...hubtest.Option) (*hubtest.Server, string) {
	t.Helper()
	s := hubtest.NewServer(append([]hubtest.Option{hubtest.WithBasePath("/mirror")}, opts...)...)
	t.Cleanup(s.Close)
	sha := s.AddRepo(hubtest.Repo{ID: "org/tiny", Files: tinyFiles()})
	return s, sha
}

// quoted is an etag as the Hub writes it.
func quoted(etag string) string { return `"` + etag + `"` }

// decodeJSON decodes and closes a response's body.
func decodeJSON(resp *http.Response, v any) error {
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}
