package hubtest_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/hfgo/hfgo/hub/hubtest"
)

func TestResolveRegularFile(t *testing.T) {
	t.Parallel()
	s, sha := newTiny(t)
	data := tinyFiles()["config.json"]
	etag := quoted(hubtest.GitBlobID(data))
	size := strconv.Itoa(len(data))
	for _, tc := range []struct {
		name, method string
		headers      []string
		status       int
		want         map[string]string // headers; "" means absent
		body         string
	}{
		{"HEAD", "HEAD", []string{"Accept-Encoding", "identity"}, 200,
			map[string]string{"ETag": etag, "Content-Length": size, "X-Repo-Commit": sha, "X-Linked-Etag": "", "Location": ""}, ""},
		{"GET", "GET", nil, 200, map[string]string{"ETag": etag, "Content-Length": size, "X-Repo-Commit": sha, "Content-Encoding": ""}, string(data)},
		{"If-None-Match quoted", "HEAD", []string{"If-None-Match", etag}, 304, map[string]string{"ETag": etag, "X-Repo-Commit": sha}, ""},
		{"If-None-Match weak", "GET", []string{"If-None-Match", "W/" + etag}, 304, map[string]string{"ETag": etag}, ""},
		{"If-None-Match list", "GET", []string{"If-None-Match", `"nope", ` + etag}, 304, nil, ""},
		{"If-None-Match other", "GET", []string{"If-None-Match", `"nope"`}, 200, nil, string(data)},
		{"Range probe", "GET", []string{"Range", "bytes=0-0"}, 206,
			map[string]string{"Content-Range": "bytes 0-0/" + size, "Content-Length": "1", "ETag": etag}, string(data[:1])},
		{"Range middle", "GET", []string{"Range", "bytes=2-5"}, 206, map[string]string{"Content-Range": "bytes 2-5/" + size}, string(data[2:6])},
		{"Range suffix", "GET", []string{"Range", "bytes=-3"}, 206, nil, string(data[len(data)-3:])},
		{"Range open", "GET", []string{"Range", "bytes=10-"}, 206, nil, string(data[10:])},
		{"Range past end", "GET", []string{"Range", "bytes=" + size + "-"}, 416, map[string]string{"Content-Range": "bytes */" + size}, ""},
		{"Range malformed is ignored", "GET", []string{"Range", "bytes=5-2"}, 200, nil, string(data)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := do(t, tc.method, s.URL+"/org/tiny/resolve/main/config.json", tc.headers...)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d (%s)", r.status, tc.status, r.body)
			}
			for k, v := range tc.want {
				if got := r.header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if tc.status != 416 && r.body != tc.body {
				t.Errorf("body %q, want %q", r.body, tc.body)
			}
			if r.header.Get("X-Request-Id") == "" {
				t.Error("no X-Request-Id")
			}
			for k := range r.header {
				if strings.HasPrefix(strings.ToLower(k), "x-xet") {
					t.Errorf("Xet header %s sent", k)
				}
			}
		})
	}
}

func TestResolveLFSRedirectsToCDN(t *testing.T) {
	t.Parallel()
	s, sha := newTiny(t)
	data := tinyFiles()["model.safetensors"]
	oid := hubtest.SHA256(data)
	for _, method := range []string{"HEAD", "GET"} {
		r := do(t, method, s.URL+"/org/tiny/resolve/main/model.safetensors", "Accept-Encoding", "identity")
		if r.status != http.StatusFound {
			t.Fatalf("%s: status %d, want 302", method, r.status)
		}
		for k, v := range map[string]string{"X-Linked-Etag": quoted(oid), "X-Linked-Size": strconv.Itoa(len(data)), "X-Repo-Commit": sha} {
			if got := r.header.Get(k); got != v {
				t.Errorf("%s: %s = %q, want %q", method, k, got, v)
			}
		}
		// The redirect's own ETag and Content-Length describe its body: a
		// client must prefer X-Linked-Etag and X-Linked-Size.
		if e := r.header.Get("ETag"); e == "" || strings.Contains(e, oid) {
			t.Errorf("%s: ETag %q, want the redirect body's", method, e)
		}
		loc, err := url.Parse(r.header.Get("Location"))
		hub, _ := url.Parse(s.URL)
		if err != nil || !loc.IsAbs() || loc.Hostname() == hub.Hostname() {
			t.Fatalf("%s: Location %q is not absolute on another host", method, r.header.Get("Location"))
		}
		if !strings.HasPrefix(loc.String(), s.CDNURL+"/") || loc.Hostname() != "localhost" {
			t.Errorf("%s: Location %s not on the CDN %s", method, loc, s.CDNURL)
		}
		cdn := do(t, "GET", loc.String())
		if cdn.status != 200 || cdn.body != string(data) || cdn.header.Get("Content-Length") != strconv.Itoa(len(data)) {
			t.Errorf("CDN: status %d, %d bytes, Content-Length %s", cdn.status, len(cdn.body), cdn.header.Get("Content-Length"))
		}
	}
	// A plain client follows the redirect and gets the file.
	resp, err := http.Get(s.URL + "/org/tiny/resolve/main/model.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(got, data) {
		t.Errorf("following the redirect gave %d bytes, want %d", len(got), len(data))
	}
	if r := do(t, "HEAD", s.URL+"/org/tiny/resolve/main/model.safetensors", "If-None-Match", quoted(oid)); r.status != 304 {
		t.Errorf("If-None-Match sha256: status %d, want 304", r.status)
	}
}

func TestResolveRevisions(t *testing.T) {
	t.Parallel()
	s, first := newTiny(t)
	second := s.Commit("model", "org/tiny", "main", map[string][]byte{"config.json": []byte(`{"v": 2}`), "onnx/model.onnx": nil})
	dev := s.Commit("model", "org/tiny", "dev", map[string][]byte{"dev.txt": []byte("dev")})
	pr, prSHA := s.OpenPR("model", "org/tiny", map[string][]byte{"pr.txt": []byte("pr")})
	if err := s.Tag("model", "org/tiny", "v1.0", first); err != nil {
		t.Fatal(err)
	}
	if pr != 1 {
		t.Fatalf("first PR is #%d", pr)
	}
	old := string(tinyFiles()["config.json"])
	for _, tc := range []struct {
		rev, file string
		status    int
		commit    string
		body      string
	}{
		{"main", "config.json", 200, second, `{"v": 2}`},
		{first, "config.json", 200, first, old},
		{"v1.0", "config.json", 200, first, old},
		{"refs%2Ftags%2Fv1.0", "config.json", 200, first, old},
		{"dev", "dev.txt", 200, dev, "dev"},
		{"dev", "config.json", 200, dev, `{"v": 2}`},
		{"refs%2Fheads%2Fdev", "dev.txt", 200, dev, "dev"},
		{"refs%2Fpr%2F1", "pr.txt", 200, prSHA, "pr"},
		{"refs/pr/1", "pr.txt", 200, prSHA, "pr"},
		{"main", "onnx/model.onnx", 404, second, ""},
		{first, "onnx/model.onnx", 302, first, ""},
		{"main", "pr.txt", 404, second, ""},
		{"refs%2Fpr%2F2", "pr.txt", 404, "", ""},
		{first[:7], "config.json", 404, "", ""},
	} {
		r := do(t, "GET", s.URL+"/org/tiny/resolve/"+tc.rev+"/"+tc.file)
		if r.status != tc.status || r.header.Get("X-Repo-Commit") != tc.commit || tc.status == 200 && r.body != tc.body {
			t.Errorf("%s/%s: %d commit %q body %q, want %d %q %q", tc.rev, tc.file, r.status, r.header.Get("X-Repo-Commit"), r.body, tc.status, tc.commit, tc.body)
		}
	}
}

func TestResolveEncodedPaths(t *testing.T) {
	t.Parallel()
	s, _ := newTiny(t)
	if r := do(t, "GET", s.URL+"/org/tiny/resolve/main/dir%20with%20space/a%20b.txt"); r.status != 200 || r.body != "spaced" {
		t.Errorf("encoded file name: %d %q", r.status, r.body)
	}
	if r := do(t, "GET", s.URL+"/org/tiny/resolve/main/tokenizer%2Fvocab.txt"); r.status != 200 {
		t.Errorf("encoded / in the file name: %d", r.status)
	}
}

func TestResolveRepoTypes(t *testing.T) {
	t.Parallel()
	s := hubtest.NewServer()
	defer s.Close()
	s.AddRepo(hubtest.Repo{Type: "dataset", ID: "org/data", Files: map[string][]byte{"train.csv": []byte("a,b\n")}})
	s.AddRepo(hubtest.Repo{Type: "space", ID: "org/app", Files: map[string][]byte{"app.py": []byte("print()")}})
	s.AddRepo(hubtest.Repo{ID: "gpt2", Files: map[string][]byte{"config.json": []byte("{}")}})
	for path, status := range map[string]int{
		"/datasets/org/data/resolve/main/train.csv": 200,
		"/spaces/org/app/resolve/main/app.py":       200,
		"/gpt2/resolve/main/config.json":            200,
		"/org/data/resolve/main/train.csv":          401, // not a model
		"/datasets/org/app/resolve/main/app.py":     401,
	} {
		if r := do(t, "GET", s.URL+path); r.status != status {
			t.Errorf("%s: %d, want %d", path, r.status, status)
		}
	}
}

func TestRenamedAndWrongCaseRedirect(t *testing.T) {
	t.Parallel()
	s, sha := newTiny(t)
	if err := s.Rename("model", "org/tiny", "org/Tiny-v2"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, want string }{
		{"/org/tiny/resolve/main/config.json", "/mirror/org/Tiny-v2/resolve/main/config.json"},
		{"/ORG/TINY-V2/resolve/main/config.json", "/mirror/org/Tiny-v2/resolve/main/config.json"},
		{"/org/tiny/resolve/refs%2Fpr%2F1/dir%20with%20space/a%20b.txt", "/mirror/org/Tiny-v2/resolve/refs%2Fpr%2F1/dir%20with%20space/a%20b.txt"},
		{"/api/models/org/tiny/revision/main?blobs=true", "/mirror/api/models/org/Tiny-v2/revision/main?blobs=true"},
		{"/api/models/org/tiny", "/mirror/api/models/org/Tiny-v2"},
	} {
		r := do(t, "HEAD", s.URL+tc.path)
		if r.status != http.StatusTemporaryRedirect || r.header.Get("Location") != tc.want {
			t.Errorf("%s: %d Location %q, want 307 %q", tc.path, r.status, r.header.Get("Location"), tc.want)
		}
		if r.header.Get("ETag") != "" || r.header.Get("X-Repo-Commit") != "" {
			t.Errorf("%s: the redirect carries ETag %q, X-Repo-Commit %q", tc.path, r.header.Get("ETag"), r.header.Get("X-Repo-Commit"))
		}
	}
	// Python follows it by replacing the path of the request URL.
	u, _ := url.Parse(s.URL)
	u.Path, u.RawPath = "/mirror/org/Tiny-v2/resolve/main/config.json", ""
	if r := do(t, "HEAD", u.String()); r.status != 200 || r.header.Get("X-Repo-Commit") != sha {
		t.Errorf("after the redirect: %d", r.status)
	}
}

func TestGzip(t *testing.T) {
	t.Parallel()
	on, _ := newTiny(t)
	off, _ := newTiny(t, hubtest.WithGzip(false))
	data := tinyFiles()["config.json"]
	for _, tc := range []struct {
		s       *hubtest.Server
		method  string
		headers []string
		gz      bool
	}{
		{on, "GET", []string{"Accept-Encoding", "gzip, deflate"}, true},
		{on, "GET", []string{"Accept-Encoding", "identity"}, false},
		{on, "GET", []string{"Accept-Encoding", "gzip;q=0"}, false},
		{on, "HEAD", []string{"Accept-Encoding", "gzip"}, false},
		{on, "GET", []string{"Accept-Encoding", "gzip", "Range", "bytes=0-9"}, false},
		{off, "GET", []string{"Accept-Encoding", "gzip"}, false},
	} {
		r := do(t, tc.method, tc.s.URL+"/org/tiny/resolve/main/config.json", tc.headers...)
		gz := r.header.Get("Content-Encoding") == "gzip"
		if gz != tc.gz {
			t.Errorf("%s %v: gzip %v, want %v", tc.method, tc.headers, gz, tc.gz)
		}
		if gz {
			// Content-Length, when sent, counts the compressed bytes.
			if cl := r.header.Get("Content-Length"); cl != "" && cl != strconv.Itoa(len(r.body)) || r.header.Get("ETag") != quoted(hubtest.GitBlobID(data)) {
				t.Errorf("gzip: Content-Length %q ETag %q", r.header.Get("Content-Length"), r.header.Get("ETag"))
			}
			zr, err := gzip.NewReader(strings.NewReader(r.body))
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := io.ReadAll(zr); !bytes.Equal(got, data) {
				t.Errorf("gunzipped %q", got)
			}
		}
	}
	// LFS files come from the CDN, which never compresses.
	r := do(t, "GET", on.URL+"/org/tiny/resolve/main/model.safetensors")
	if c := do(t, "GET", r.header.Get("Location"), "Accept-Encoding", "gzip"); c.header.Get("Content-Encoding") != "" {
		t.Errorf("CDN Content-Encoding %q", c.header.Get("Content-Encoding"))
	}
}

func TestRawServesGitContent(t *testing.T) {
	t.Parallel()
	s, sha := newTiny(t)
	data := tinyFiles()["model.safetensors"]
	pointer := "version https://git-lfs.github.com/spec/v1\noid sha256:" + hubtest.SHA256(data) + "\nsize " + strconv.Itoa(len(data)) + "\n"
	r := do(t, "GET", s.URL+"/org/tiny/raw/main/model.safetensors")
	if r.status != 200 || r.body != pointer || r.header.Get("ETag") != quoted(hubtest.GitBlobID([]byte(pointer))) || r.header.Get("X-Repo-Commit") != sha {
		t.Errorf("raw LFS file: %d %q ETag %s", r.status, r.body, r.header.Get("ETag"))
	}
	if r := do(t, "GET", s.URL+"/org/tiny/raw/HEAD/config.json"); r.status != 200 || r.body != string(tinyFiles()["config.json"]) {
		t.Errorf("raw regular file at HEAD: %d %q", r.status, r.body)
	}
}
