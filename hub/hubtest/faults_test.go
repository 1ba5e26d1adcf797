package hubtest_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hfgo/hfgo/hub/hubtest"
)

func TestFaultStatusIsCounted(t *testing.T) {
	t.Parallel()
	s, _ := newTiny(t)
	h := s.AddFault(hubtest.Fault{Host: hubtest.Hub, Method: "GET", Path: "config.json", Times: 2, Status: 429, RetryAfter: "3"})
	s.AddFault(hubtest.Fault{Path: "vocab.txt", Status: 503})
	u := s.URL + "/org/tiny/resolve/main/config.json"
	if r := do(t, "HEAD", u); r.status != 200 {
		t.Errorf("HEAD matched a GET fault: %d", r.status)
	}
	for i := range 2 {
		r := do(t, "GET", u)
		if r.status != 429 || r.header.Get("Retry-After") != "3" {
			t.Errorf("GET %d: %d Retry-After %q", i, r.status, r.header.Get("Retry-After"))
		}
	}
	if r := do(t, "GET", u); r.status != 200 {
		t.Errorf("third GET: %d", r.status)
	}
	if h.Hits() != 2 {
		t.Errorf("Hits = %d, want 2", h.Hits())
	}
	for i := range 3 {
		if r := do(t, "GET", s.URL+"/org/tiny/resolve/main/tokenizer/vocab.txt"); r.status != 503 {
			t.Errorf("GET %d of a fault without Times: %d", i, r.status)
		}
	}
	s.ClearFaults()
	if r := do(t, "GET", s.URL+"/org/tiny/resolve/main/tokenizer/vocab.txt"); r.status != 200 {
		t.Errorf("after ClearFaults: %d", r.status)
	}
}

func TestFaultServerErrors(t *testing.T) {
	t.Parallel()
	s, _ := newTiny(t)
	for _, code := range []int{500, 502, 503, 504} {
		s.AddFault(hubtest.Fault{Path: "/api/models/org/tiny", Times: 1, Status: code})
		if r := do(t, "GET", s.URL+"/api/models/org/tiny"); r.status != code {
			t.Errorf("status %d, want %d", r.status, code)
		}
	}
}

func TestFaultDropConnection(t *testing.T) {
	t.Parallel()
	s, _ := newTiny(t)
	data := tinyFiles()["model.safetensors"]
	loc := cdnLocation(t, s, "model.safetensors")
	s.AddFault(hubtest.Fault{Host: hubtest.CDN, Path: hubtest.SHA256(data), Times: 1, Drop: true, DropAfter: 50})
	resp, err := http.Get(loc)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !errors.Is(err, io.ErrUnexpectedEOF) || !bytes.Equal(got, data[:50]) {
		t.Errorf("dropped GET: %d bytes, err %v; want 50 bytes and an unexpected EOF", len(got), err)
	}
	// The client resumes where it stopped.
	if r := do(t, "GET", loc, "Range", "bytes=50-"); r.status != 206 || r.body != string(data[50:]) {
		t.Errorf("resume: %d, %d bytes", r.status, len(r.body))
	}
}

func TestFaultThrottleAndDelay(t *testing.T) {
	t.Parallel()
	s, _ := newTiny(t)
	s.AddFault(hubtest.Fault{Path: "config.json", BytesPerSecond: 1000})
	start := time.Now()
	r := do(t, "GET", s.URL+"/org/tiny/resolve/main/config.json", "Accept-Encoding", "identity")
	size := len(tinyFiles()["config.json"])
	if took := time.Since(start); took < time.Duration(size-size/50)*time.Millisecond || r.body != string(tinyFiles()["config.json"]) {
		t.Errorf("%d bytes at 1000 B/s took %v", len(r.body), took)
	}
	s.AddFault(hubtest.Fault{Path: "vocab.txt", Delay: time.Minute})
	c := &http.Client{Timeout: 50 * time.Millisecond}
	if _, err := c.Get(s.URL + "/org/tiny/resolve/main/tokenizer/vocab.txt"); err == nil {
		t.Error("a delayed answer beat the client's timeout")
	}
}

func TestFaultLyingSize(t *testing.T) {
	t.Parallel()
	s, _ := newTiny(t)
	data := tinyFiles()["model.safetensors"]
	s.AddFault(hubtest.Fault{Host: hubtest.Hub, Method: "HEAD", SizeDelta: 7})
	r := do(t, "HEAD", s.URL+"/org/tiny/resolve/main/model.safetensors")
	if r.header.Get("X-Linked-Size") != strconv.Itoa(len(data)+7) {
		t.Errorf("X-Linked-Size %s, want %d", r.header.Get("X-Linked-Size"), len(data)+7)
	}
	r = do(t, "HEAD", s.URL+"/org/tiny/resolve/main/config.json")
	if r.header.Get("Content-Length") != strconv.Itoa(len(tinyFiles()["config.json"])+7) {
		t.Errorf("Content-Length %s", r.header.Get("Content-Length"))
	}
	loc := cdnLocation(t, s, "model.safetensors")
	s.ClearFaults()
	s.AddFault(hubtest.Fault{Host: hubtest.CDN, SizeDelta: -10, Times: 1})
	if r := do(t, "GET", loc); r.header.Get("Content-Length") != strconv.Itoa(len(data)-10) || len(r.body) != len(data)-10 {
		t.Errorf("short Content-Length: header %s, %d bytes", r.header.Get("Content-Length"), len(r.body))
	}
	s.AddFault(hubtest.Fault{Host: hubtest.CDN, SizeDelta: 10, Times: 1})
	resp, err := http.Get(loc)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.ContentLength != int64(len(data)+10) || len(got) != len(data) || err == nil {
		t.Errorf("long Content-Length %d: %d bytes, err %v", resp.ContentLength, len(got), err)
	}
}

func TestFaultCorruptBytes(t *testing.T) {
	t.Parallel()
	s := hubtest.NewServer()
	defer s.Close()
	data := bytes.Repeat([]byte("0123456789"), 1000)
	s.AddRepo(hubtest.Repo{ID: "o/r", Files: map[string][]byte{"w.bin": data}})
	s.AddFault(hubtest.Fault{Host: hubtest.CDN, Corrupt: true})
	resp, err := http.Get(s.URL + "/o/r/resolve/main/w.bin")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if len(got) != len(data) || hubtest.SHA256(got) == hubtest.SHA256(data) {
		t.Fatalf("corrupt body: %d bytes, sha256 unchanged %v", len(got), hubtest.SHA256(got) == hubtest.SHA256(data))
	}
	for i := range got {
		if flipped := got[i] != data[i]; flipped != (i%4096 == 0) {
			t.Fatalf("byte %d flipped %v", i, flipped)
		}
	}
	// A ranged read flips the same bytes of the file.
	loc := do(t, "HEAD", s.URL+"/o/r/resolve/main/w.bin").header.Get("Location")
	if r := do(t, "GET", loc, "Range", "bytes=4000-4200"); r.body != string(got[4000:4201]) {
		t.Error("a ranged read is corrupted differently")
	}
}

func TestFaultMalformedJSONAndEntries(t *testing.T) {
	t.Parallel()
	s, _ := newTiny(t)
	h := s.AddFault(hubtest.Fault{Path: "/api/models/org/tiny", Times: 1, MalformedJSON: true})
	r := do(t, "GET", s.URL+"/api/models/org/tiny")
	var v any
	if r.status != 200 || json.Unmarshal([]byte(r.body), &v) == nil || h.Hits() != 1 {
		t.Errorf("malformed JSON: %d %q", r.status, r.body)
	}
	hostile := []string{"../escape", "/abs/path", `C:\x`, "a/../../b"}
	s.AddFault(hubtest.Fault{TreeEntries: hostile})
	var es []entry
	getJSON(t, s.URL+"/api/models/org/tiny/tree/main?recursive=true", &es)
	var inf info
	getJSON(t, s.URL+"/api/models/org/tiny", &inf)
	for _, p := range hostile {
		if !hasEntry(es, p) || !hasSibling(inf.Siblings, p) {
			t.Errorf("%q missing from the tree or the siblings", p)
		}
	}
}

func hasEntry(es []entry, p string) bool {
	for _, e := range es {
		if e.Path == p {
			return true
		}
	}
	return false
}

func hasSibling(ss []sibling, p string) bool {
	for _, s := range ss {
		if s.RFilename == p {
			return true
		}
	}
	return false
}

func TestFaultETagStyles(t *testing.T) {
	t.Parallel()
	s, _ := newTiny(t)
	regular := hubtest.GitBlobID(tinyFiles()["config.json"])
	lfs := hubtest.SHA256(tinyFiles()["model.safetensors"])
	for _, tc := range []struct {
		style    hubtest.ETagStyle
		reg, lfs string
	}{
		{hubtest.ETagWeak, `W/"` + regular + `"`, `W/"` + lfs + `"`},
		{hubtest.ETagBare, regular, lfs},
	} {
		s.ClearFaults()
		s.AddFault(hubtest.Fault{ETag: tc.style})
		if got := do(t, "HEAD", s.URL+"/org/tiny/resolve/main/config.json").header.Get("ETag"); got != tc.reg {
			t.Errorf("style %d: ETag %q, want %q", tc.style, got, tc.reg)
		}
		if got := do(t, "HEAD", s.URL+"/org/tiny/resolve/main/model.safetensors").header.Get("X-Linked-Etag"); got != tc.lfs {
			t.Errorf("style %d: X-Linked-Etag %q, want %q", tc.style, got, tc.lfs)
		}
	}
}

func TestRequestLog(t *testing.T) {
	t.Parallel()
	s, _ := newTiny(t)
	s.AddToken("hf_secret")
	req, _ := http.NewRequest("GET", s.URL+"/org/tiny/resolve/main/model.safetensors", nil)
	req.Header.Set("Authorization", "Bearer hf_secret")
	// Go's redirect policy keeps the token for another port of the same
	// host only; the CDN's host name differs, so it is dropped.
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	reqs := s.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests logged, want 2: %+v", len(reqs), reqs)
	}
	hub, cdn := reqs[0], reqs[1]
	if hub.Host != hubtest.Hub || hub.Method != "GET" || hub.Path != "/mirror/org/tiny/resolve/main/model.safetensors" ||
		hub.Status != 302 || hub.Header.Get("Authorization") != "Bearer hf_secret" {
		t.Errorf("hub request %+v", hub)
	}
	if cdn.Host != hubtest.CDN || cdn.Status != 200 || cdn.Header.Get("Authorization") != "" ||
		cdn.Bytes != int64(len(tinyFiles()["model.safetensors"])) || !strings.HasPrefix(cdn.Path, "/repos/") {
		t.Errorf("cdn request %+v", cdn)
	}
	s.ResetRequests()
	if n := len(s.Requests()); n != 0 {
		t.Errorf("%d requests after ResetRequests", n)
	}
}

func TestRequestLogInFlight(t *testing.T) {
	t.Parallel()
	s := hubtest.NewServer()
	defer s.Close()
	s.AddRepo(hubtest.Repo{ID: "o/r", Files: map[string][]byte{"w.bin": make([]byte, 64<<10)}})
	s.AddFault(hubtest.Fault{Host: hubtest.CDN, Stall: true, StallAfter: 10 << 10})
	resp, err := http.Get(s.URL + "/o/r/resolve/main/w.bin")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if _, err := io.ReadFull(resp.Body, make([]byte, 10<<10)); err != nil {
		t.Fatal(err)
	}
	// The count follows the write that sent the bytes: wait for it.
	var cdn hubtest.Request
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		reqs := s.Requests()
		if cdn = reqs[len(reqs)-1]; cdn.Bytes == 10<<10 {
			break
		}
	}
	if cdn.Host != hubtest.CDN || cdn.Status != 200 || cdn.Bytes != 10<<10 || cdn.Took != 0 {
		t.Errorf("in flight: %+v", cdn)
	}
}

func TestWithoutRequestLog(t *testing.T) {
	t.Parallel()
	var seen []hubtest.Request
	var mu sync.Mutex
	s, _ := newTiny(t, hubtest.WithRequestLog(false), hubtest.WithObserver(func(r hubtest.Request) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, r)
	}))
	do(t, "GET", s.URL+"/org/tiny/resolve/main/config.json")
	mu.Lock()
	defer mu.Unlock()
	if len(s.Requests()) != 0 || len(seen) != 1 || seen[0].Status != 200 || seen[0].Took == 0 {
		t.Errorf("kept %d requests, observed %+v", len(s.Requests()), seen)
	}
}

func TestFaultHeadersAndCDNStatus(t *testing.T) {
	t.Parallel()
	s, _ := newTiny(t)
	loc := cdnLocation(t, s, "model.safetensors")
	s.AddFault(hubtest.Fault{Host: hubtest.Hub, Times: 1, Status: 429, Header: http.Header{"Ratelimit": {`"api";r=0;t=55`}}})
	if r := do(t, "GET", s.URL+"/api/models/org/tiny"); r.status != 429 || r.header.Get("RateLimit") != `"api";r=0;t=55` {
		t.Errorf("429: %d RateLimit %q", r.status, r.header.Get("RateLimit"))
	}
	s.AddFault(hubtest.Fault{Host: hubtest.CDN, Times: 1, Status: 503})
	if r := do(t, "GET", loc); r.status != 503 || !strings.Contains(r.body, "<Error><Code>ServiceUnavailable</Code>") {
		t.Errorf("CDN 503: %d %q", r.status, r.body)
	}
}

func TestFaultReset(t *testing.T) {
	t.Parallel()
	s, _ := newTiny(t)
	h := s.AddFault(hubtest.Fault{Method: "HEAD", Path: "config.json", Times: 1, Reset: true})
	req, _ := http.NewRequest("HEAD", s.URL+"/org/tiny/resolve/main/config.json", nil)
	if resp, err := rawClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("a reset HEAD got %d", resp.StatusCode)
	}
	if r := do(t, "HEAD", s.URL+"/org/tiny/resolve/main/config.json"); r.status != 200 || h.Hits() != 1 {
		t.Errorf("after the reset: %d, %d hits", r.status, h.Hits())
	}
}

func TestFaultStallAndIgnoredRange(t *testing.T) {
	t.Parallel()
	s, _ := newTiny(t)
	data := tinyFiles()["model.safetensors"]
	loc := cdnLocation(t, s, "model.safetensors")
	s.AddFault(hubtest.Fault{Host: hubtest.CDN, Times: 1, IgnoreRange: true})
	if r := do(t, "GET", loc, "Range", "bytes=10-"); r.status != 200 || r.body != string(data) || r.header.Get("Content-Range") != "" {
		t.Errorf("ignored Range: %d, %d bytes", r.status, len(r.body))
	}
	s.AddFault(hubtest.Fault{Host: hubtest.CDN, Times: 1, Stall: true, StallAfter: 20})
	c := &http.Client{Timeout: 300 * time.Millisecond}
	resp, err := c.Get(loc)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err == nil || len(got) != 20 || !bytes.Equal(got, data[:20]) {
		t.Errorf("stalled body: %d bytes, err %v", len(got), err)
	}
}

func TestCloseEndsStalledRequests(t *testing.T) {
	t.Parallel()
	s := hubtest.NewServer()
	s.AddRepo(hubtest.Repo{ID: "o/r", Files: map[string][]byte{"a.txt": []byte("abc")}})
	s.AddFault(hubtest.Fault{Stall: true})
	done := make(chan error, 1)
	go func() {
		resp, err := http.Get(s.URL + "/o/r/resolve/main/a.txt") // no timeout
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		done <- err
	}()
	for len(s.Requests()) == 0 || s.Requests()[0].Status == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	s.Close()
	if err := <-done; err == nil {
		t.Error("the stalled body ended without an error")
	}
}

func TestNegativeFaultOffsets(t *testing.T) {
	t.Parallel()
	s, _ := newTiny(t)
	s.AddFault(hubtest.Fault{Path: "config.json", Times: 1, Drop: true, DropAfter: -5})
	resp, err := http.Get(s.URL + "/org/tiny/resolve/main/config.json")
	if err == nil {
		got, rerr := io.ReadAll(resp.Body)
		resp.Body.Close()
		if rerr == nil || len(got) != 0 {
			t.Errorf("DropAfter -5: %d bytes, err %v", len(got), rerr)
		}
	}
	if r := do(t, "GET", cdnLocation(t, s, "model.safetensors")); r.header.Get("X-Amz-Cf-Id") == "" || r.header.Get("X-Request-Id") != "" {
		t.Errorf("CDN ids: %v", r.header)
	}
}
