package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hfgo/hfgo/hub"
)

// lockedBuffer is a bytes.Buffer safe for the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startServe runs "hfget serve" in the background and returns the endpoint
// it prints, its stderr, and a stop function that returns its exit code.
func startServe(t *testing.T, args ...string) (endpoint string, stderr *lockedBuffer, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, outW := io.Pipe()
	stderr = &lockedBuffer{}
	done := make(chan int, 1)
	go func() {
		code := run(ctx, append([]string{"serve"}, args...), &env{stdin: strings.NewReader(""), stdout: outW, stderr: stderr, getenv: func(string) string { return "" }})
		outW.Close()
		done <- code
	}()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("no endpoint printed (exit %d): %v; stderr: %s", <-done, err, stderr)
	}
	go io.Copy(io.Discard, out)
	stop = func() int {
		cancel()
		select {
		case code := <-done:
			return code
		case <-time.After(10 * time.Second):
			t.Fatal("serve did not stop after its context was canceled")
			return -1
		}
	}
	t.Cleanup(func() { cancel() })
	return strings.TrimSpace(line), stderr, stop
}

func TestServeBundledRepos(t *testing.T) {
	t.Parallel()
	hub := filepath.Join("..", "..", "testdata", "hub")
	endpoint, stderr, stop := startServe(t, hub, "--addr", "127.0.0.1:0", "--cdn-addr", "localhost:0")
	if !strings.HasPrefix(endpoint, "http://127.0.0.1:") {
		t.Fatalf("endpoint %q", endpoint)
	}
	head, err := http.Head(endpoint + "/hfgo/tiny-bert/resolve/main/config.json")
	if err != nil {
		t.Fatal(err)
	}
	head.Body.Close()
	if head.StatusCode != 200 || head.Header.Get("ETag") == "" || len(head.Header.Get("X-Repo-Commit")) != 40 {
		t.Errorf("HEAD config.json: %d %v", head.StatusCode, head.Header)
	}
	resp, err := http.Get(endpoint + "/hfgo/tiny-gpt2/resolve/main/model.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	want, err := os.ReadFile(filepath.Join(hub, "hfgo", "tiny-gpt2", "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) || resp.Request.URL.Hostname() != "localhost" {
		t.Errorf("model.safetensors: %d bytes from %s, want %d from the CDN", len(got), resp.Request.URL.Host, len(want))
	}
	req, _ := http.NewRequest("GET", endpoint+"/api/models/hfgo/tiny-bert", nil)
	req.Header.Set("Authorization", "Bearer hf_never_logged")
	if r, err := http.DefaultClient.Do(req); err != nil || r.StatusCode != 401 {
		t.Errorf("unknown token: %v %v", r, err)
	} else {
		r.Body.Close()
	}
	if code := stop(); code != exitOK {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
	logs := stderr.String()
	for _, line := range []string{
		"serving 4 repos from " + hub,
		"hub HEAD /hfgo/tiny-bert/resolve/main/config.json 200",
		"hub GET /hfgo/tiny-gpt2/resolve/main/model.safetensors 302",
		"cdn GET /repos/",
		"hub GET /api/models/hfgo/tiny-bert 401",
	} {
		if !strings.Contains(logs, line) {
			t.Errorf("stderr lacks %q:\n%s", line, logs)
		}
	}
	if strings.Contains(logs, "hf_never_logged") {
		t.Error("the token was logged")
	}
}

func TestServeBasePath(t *testing.T) {
	t.Parallel()
	endpoint, _, stop := startServe(t, "--addr=127.0.0.1:0", "--cdn-addr=localhost:0", "--base-path", "/mirror", filepath.Join("..", "..", "testdata", "hub"))
	if !strings.HasSuffix(endpoint, "/mirror") {
		t.Errorf("endpoint %q", endpoint)
	}
	r, err := http.Get(endpoint + "/api/models/hfgo/tiny-gpt2-pytorch")
	if err != nil || r.StatusCode != 200 {
		t.Fatalf("%v %v", r, err)
	}
	r.Body.Close()
	if code := stop(); code != exitOK {
		t.Errorf("exit %d", code)
	}
}

func TestServeCDNURL(t *testing.T) {
	t.Parallel()
	endpoint, _, stop := startServe(t, "--addr", "127.0.0.1:0", "--cdn-addr", "localhost:0", "--cdn-url", "http://cdn.mirror.example:9000/", filepath.Join("..", "..", "testdata", "hub"))
	req, _ := http.NewRequest("HEAD", endpoint+"/hfgo/tiny-bert/resolve/main/model.safetensors", nil)
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != 302 || !strings.HasPrefix(loc, "http://cdn.mirror.example:9000/repos/") {
		t.Errorf("%d Location %q", resp.StatusCode, loc)
	}
	if code := stop(); code != exitOK {
		t.Errorf("exit %d", code)
	}
}

func TestServeWarnsOnSharedHostName(t *testing.T) {
	t.Parallel()
	_, stderr, stop := startServe(t, "--addr", "127.0.0.1:0", "--cdn-addr", "127.0.0.1:0", filepath.Join("..", "..", "testdata", "hub"))
	if code := stop(); code != exitOK || !strings.Contains(stderr.String(), "warning: the Hub and the CDN share the host name 127.0.0.1") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

// TestServeMirrorsACache downloads a repo with the hub client from a served
// folder into a cache, serves that cache (the default DIR, from
// HF_HUB_CACHE) and downloads the repo again from it: same commit, same
// bytes.
func TestServeMirrorsACache(t *testing.T) {
	t.Parallel()
	download := func(endpoint, cache string) string {
		t.Helper()
		env := map[string]string{"HF_ENDPOINT": endpoint, "HF_HUB_CACHE": cache, "HF_HOME": t.TempDir()}
		c, err := hub.NewClient(hub.WithEnv(func(k string) string { return env[k] }))
		if err != nil {
			t.Fatal(err)
		}
		dir, err := c.SnapshotDownload(context.Background(), "hfgo/tiny-gpt2", nil)
		if err != nil {
			t.Fatal(err)
		}
		return dir
	}
	first := t.TempDir()
	endpoint, _, stop := startServe(t, "--addr", "127.0.0.1:0", "--cdn-addr", "localhost:0", filepath.Join("..", "..", "testdata", "hub"))
	snap := download(endpoint, first)
	if code := stop(); code != exitOK {
		t.Fatalf("exit %d", code)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, outW := io.Pipe()
	done := make(chan int, 1)
	go func() {
		env := &env{stdout: outW, stderr: io.Discard, getenv: func(k string) string { return map[string]string{"HF_HUB_CACHE": first}[k] }}
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--cdn-addr", "localhost:0"}, env)
		outW.Close()
	}()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("no endpoint: %v", err)
	}
	go io.Copy(io.Discard, out)
	again := download(strings.TrimSpace(line), t.TempDir())
	cancel()
	if code := <-done; code != exitOK {
		t.Errorf("serving the cache: exit %d", code)
	}
	if filepath.Base(snap) != filepath.Base(again) {
		t.Errorf("commit %s from the folder, %s from the cache mirror", filepath.Base(snap), filepath.Base(again))
	}
	entries, err := os.ReadDir(snap)
	if err != nil || len(entries) < 8 {
		t.Fatalf("first snapshot: %v, %d files", err, len(entries))
	}
	for _, e := range entries {
		a, errA := os.ReadFile(filepath.Join(snap, e.Name()))
		b, errB := os.ReadFile(filepath.Join(again, e.Name()))
		if errA != nil || errB != nil || !bytes.Equal(a, b) {
			t.Errorf("%s differs: %v %v", e.Name(), errA, errB)
		}
	}
}

func TestServeErrors(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	hub := filepath.Join("..", "..", "testdata", "hub")
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"two dirs", []string{hub, hub}, exitUsage, "usage: hfget serve [DIR]"},
		{"bad flag", []string{"--nope", hub}, exitUsage, "flag provided but not defined"},
		{"help", []string{"-h"}, exitOK, "usage: hfget serve [DIR]"},
		{"missing dir", []string{filepath.Join(hub, "nope"), "--addr", "127.0.0.1:0", "--cdn-addr", "localhost:0"}, exitFailure, "hfget serve: hubtest: load"},
		{"address in use", []string{hub, "--addr", busy.Addr().String(), "--cdn-addr", "localhost:0"}, exitFailure, "hfget serve: listen tcp"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), append([]string{"serve"}, tc.args...), &env{stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }})
		if code != tc.code || !strings.Contains(stderr.String(), tc.stderr) || stdout.Len() != 0 {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit %d and %q", tc.name, code, stdout.String(), stderr.String(), tc.code, tc.stderr)
		}
		if tc.code == exitFailure && strings.Count(strings.TrimSpace(stderr.String()), "\n") != 0 {
			t.Errorf("%s: the failure takes more than one line: %q", tc.name, stderr.String())
		}
	}
}
