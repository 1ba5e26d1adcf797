package hub

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hfgo/hfgo/hub/hubtest"
)

func TestErrorsAreTyped(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.AddRepo(hubtest.Repo{ID: "hfgo/public", Files: map[string][]byte{"config.json": []byte("{}")}})
	srv.AddRepo(hubtest.Repo{ID: "hfgo/private", Private: true, Files: map[string][]byte{"config.json": []byte("{}")}})
	srv.AddRepo(hubtest.Repo{ID: "hfgo/gated", Gated: "manual", Files: map[string][]byte{"config.json": []byte("{}")}})
	srv.AddRepo(hubtest.Repo{ID: "hfgo/disabled", Disabled: true, Files: map[string][]byte{"config.json": []byte("{}")}})
	srv.AddToken("hf_reader", "hfgo/private")
	tests := []struct {
		name, token, repo, rev, file string
		want                         error
		status                       int
		code                         string
	}{
		{"missing repo anonymous", "", "hfgo/nope", "main", "config.json", ErrRepoNotFound, 401, "RepoNotFound"},
		{"missing repo with token", "hf_reader", "hfgo/nope", "main", "config.json", ErrRepoNotFound, 404, "RepoNotFound"},
		{"private anonymous", "", "hfgo/private", "main", "config.json", ErrRepoNotFound, 401, "RepoNotFound"},
		{"unknown revision", "", "hfgo/public", "v9", "config.json", ErrRevisionNotFound, 404, "RevisionNotFound"},
		{"missing file", "", "hfgo/public", "main", "nope.json", ErrEntryNotFound, 404, "EntryNotFound"},
		{"gated anonymous", "", "hfgo/gated", "main", "config.json", ErrGatedRepo, 401, "GatedRepo"},
		{"gated without access", "hf_reader", "hfgo/gated", "main", "config.json", ErrGatedRepo, 403, "GatedRepo"},
		{"disabled", "", "hfgo/disabled", "main", "config.json", ErrDisabled, 403, ""},
		{"bad token", "hf_wrong", "hfgo/public", "main", "config.json", ErrUnauthorized, 401, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _ := newTestClient(t, srv, WithToken(tc.token))
			_, err := c.DownloadFile(context.Background(), tc.repo, tc.file, &DownloadOptions{Revision: tc.rev})
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			var herr *HTTPError
			if !errors.As(err, &herr) {
				t.Fatalf("err = %v, not an *HTTPError", err)
			}
			if herr.StatusCode != tc.status || herr.Code != tc.code || herr.RequestID == "" || herr.Message == "" || herr.Method != "HEAD" {
				t.Errorf("HTTPError = %+v, want status %d code %q with a request id and a message", herr, tc.status, tc.code)
			}
			if tc.token != "" && strings.Contains(err.Error(), tc.token) {
				t.Errorf("the token appears in %q", err)
			}
		})
	}
	t.Run("private with access", func(t *testing.T) {
		t.Parallel()
		c, _ := newTestClient(t, srv, WithToken("hf_reader"))
		if _, err := c.DownloadFile(context.Background(), "hfgo/private", "config.json", nil); err != nil {
			t.Fatal(err)
		}
	})
}

func TestRenamedRepoFollowsRelativeRedirect(t *testing.T) {
	t.Parallel()
	files := map[string][]byte{"config.json": []byte(`{"a":1}`), "model.safetensors": randomBytes(70_000, 9)}
	srv2 := newTestServer(t)
	commit2 := srv2.AddRepo(hubtest.Repo{ID: "bert-base-uncased", Files: files})
	if err := srv2.Rename("model", "bert-base-uncased", "google-bert/bert-base-uncased"); err != nil {
		t.Fatal(err)
	}
	c, _ := newTestClient(t, srv2)
	for name, data := range files {
		p, err := c.DownloadFile(context.Background(), "bert-base-uncased", name, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		checkContent(t, p, data)
		if !strings.Contains(p, "models--bert-base-uncased/snapshots/"+commit2) {
			t.Errorf("%s: cached at %s, want under the name asked for", name, p)
		}
	}
	var sawRedirect bool
	for _, r := range requestsTo(srv2, hubtest.Hub) {
		if r.Status == http.StatusTemporaryRedirect {
			sawRedirect = true
		}
	}
	if !sawRedirect {
		t.Error("the Hub never redirected: the rename was not exercised")
	}
}

func TestTokenNeverLeavesTheEndpoint(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, hubtest.WithCDNAuthRejected(true))
	files := map[string][]byte{"config.json": []byte("{}"), "model.safetensors": randomBytes(100_000, 3)}
	srv.AddRepo(hubtest.Repo{ID: "hfgo/private", Private: true, Files: files})
	srv.AddToken("hf_secret_token", "hfgo/private")
	c, _ := newTestClient(t, srv, WithToken("hf_secret_token"), WithParallelDownload(20_000, 3))
	if _, err := c.SnapshotDownload(context.Background(), "hfgo/private", nil); err != nil {
		t.Fatal(err)
	}
	var hub, cdn int
	for _, r := range srv.Requests() {
		auth := r.Header.Get("Authorization")
		switch r.Host {
		case hubtest.CDN:
			cdn++
			if auth != "" {
				t.Errorf("CDN request %s %s carried Authorization", r.Method, r.URL)
			}
		case hubtest.Hub:
			hub++
			if auth != "Bearer hf_secret_token" {
				t.Errorf("Hub request %s %s: Authorization %q", r.Method, r.URL, auth)
			}
		}
	}
	if cdn == 0 || hub == 0 {
		t.Fatalf("%d Hub and %d CDN requests: the test did not exercise both", hub, cdn)
	}
	for _, s := range []string{c.String(), fmt.Sprintf("%v", c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c)} {
		if strings.Contains(s, "hf_secret_token") {
			t.Errorf("the client prints its token: %s", s)
		}
	}
}

// TestAuthorizationDroppedOnRedirectToAnotherPort covers what Go's default
// redirect policy gets wrong: the same host name on another port keeps the
// header.
func TestAuthorizationDroppedOnRedirectToAnotherPort(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	seen := map[string]string{}
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen["other"] = r.Header.Get("Authorization")
		mu.Unlock()
		w.Header().Set("Content-Length", "2")
		w.Write([]byte("{}"))
	}))
	defer other.Close()
	hub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen["hub"] = r.Header.Get("Authorization")
		mu.Unlock()
		// Same host name (127.0.0.1), another port.
		http.Redirect(w, r, other.URL+"/x", http.StatusFound)
	}))
	defer hub.Close()
	c, err := NewClient(WithEnv(noEnv), WithEndpoint(hub.URL), WithToken("hf_secret"), WithCacheDir(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.do(context.Background(), &request{method: http.MethodGet, url: hub.URL + "/api/models/a/b"})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if seen["hub"] != "Bearer hf_secret" {
		t.Errorf("the Hub got Authorization %q", seen["hub"])
	}
	if seen["other"] != "" {
		t.Errorf("another port of the same host got Authorization %q", seen["other"])
	}
}

func TestRetries(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.AddRepo(hubtest.Repo{ID: "hfgo/r", Files: map[string][]byte{"config.json": []byte("{}")}})
	t.Run("429 honours Retry-After", func(t *testing.T) {
		t.Parallel()
		c, sl := newTestClient(t, srv)
		srv.AddFault(hubtest.Fault{Host: hubtest.Hub, Method: "HEAD", Path: "/429.json", Status: 429, RetryAfter: "7", Times: 2})
		_, err := c.DownloadFile(context.Background(), "hfgo/r", "429.json", nil)
		if !errors.Is(err, ErrEntryNotFound) { // the file does not exist: reached once the 429s stop
			t.Fatalf("err = %v", err)
		}
		if diff := cmp.Diff([]time.Duration{7 * time.Second, 7 * time.Second}, sl.list()); diff != "" {
			t.Errorf("waits (-want +got):\n%s", diff)
		}
	})
	t.Run("5xx backs off 1s doubling to 8s then fails", func(t *testing.T) {
		t.Parallel()
		c, sl := newTestClient(t, srv, WithOffline(false))
		srv.AddFault(hubtest.Fault{Host: hubtest.Hub, Path: "/503.json", Status: 503})
		_, err := c.DownloadFile(context.Background(), "hfgo/r", "503.json", nil)
		if !errors.Is(err, ErrNotCached) || !errors.Is(err, ErrServer) {
			t.Fatalf("err = %v, want ErrNotCached wrapping ErrServer", err)
		}
		want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second}
		if diff := cmp.Diff(want, sl.list()); diff != "" {
			t.Errorf("waits (-want +got):\n%s", diff)
		}
	})
}

func TestRetryAfterHeaders(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		h    http.Header
		want time.Duration
		ok   bool
	}{
		{http.Header{"Retry-After": {"3"}}, 3 * time.Second, true},
		{http.Header{"Retry-After": {now.Add(90 * time.Second).Format(http.TimeFormat)}}, 90 * time.Second, true},
		{http.Header{"Ratelimit": {`"api";r=0;t=55`}}, 55 * time.Second, true},
		{http.Header{"Ratelimit": {`"api";r=10`}}, 0, false},
		{http.Header{"Retry-After": {"soon"}}, 0, false},
		{http.Header{}, 0, false},
	}
	for _, tc := range tests {
		got, ok := retryAfter(tc.h, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("retryAfter(%v) = %v, %v; want %v, %v", tc.h, got, ok, tc.want, tc.ok)
		}
	}
}

// TestRateLimitHeader uses a hand-made server: the fake Hub sends only
// Retry-After.
func TestRateLimitHeader(t *testing.T) {
	t.Parallel()
	var calls int
	var mu sync.Mutex
	h := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n == 1 {
			w.Header().Set("RateLimit", `"api";r=0;t=42`)
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Write([]byte(`{"id":"a/b","sha":"0123456789012345678901234567890123456789"}`))
	}))
	defer h.Close()
	sl := &sleepLog{}
	c, err := NewClient(WithEnv(noEnv), WithEndpoint(h.URL), WithRetryPolicy(RetryPolicy{Sleep: sl.sleep}))
	if err != nil {
		t.Fatal(err)
	}
	info, err := c.RepoInfo(context.Background(), "a/b", nil)
	if err != nil || info.SHA != "0123456789012345678901234567890123456789" {
		t.Fatalf("RepoInfo = %+v, %v", info, err)
	}
	if diff := cmp.Diff([]time.Duration{42 * time.Second}, sl.list()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
	// A wait longer than MaxRetryAfter fails at once with ErrRateLimited.
	calls = 0
	c2, _ := NewClient(WithEnv(noEnv), WithEndpoint(h.URL), WithRetryPolicy(RetryPolicy{Sleep: sl.sleep, MaxRetryAfter: 10 * time.Second}))
	if _, err := c2.RepoInfo(context.Background(), "a/b", nil); !errors.Is(err, ErrRateLimited) {
		t.Errorf("err = %v, want ErrRateLimited", err)
	}
}

func TestServerMessageRedactsToken(t *testing.T) {
	t.Parallel()
	h := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Error-Message", "token "+strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")+" is not allowed")
		w.WriteHeader(http.StatusForbidden)
	}))
	defer h.Close()
	c, _ := NewClient(WithEnv(noEnv), WithEndpoint(h.URL), WithToken("hf_leaky"))
	_, err := c.RepoInfo(context.Background(), "a/b", nil)
	if err == nil || strings.Contains(err.Error(), "hf_leaky") {
		t.Fatalf("err = %v: the echoed token is not redacted", err)
	}
}

func TestMetadataTimeout(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() { // accept and never answer
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			defer conn.Close()
		}
	}()
	sl := &sleepLog{}
	c, _ := NewClient(WithEnv(noEnv), WithEndpoint("http://"+ln.Addr().String()), WithCacheDir(t.TempDir()),
		WithTimeouts(50*time.Millisecond, 50*time.Millisecond), WithRetryPolicy(RetryPolicy{Sleep: sl.sleep, MaxRetries: 1}))
	_, err = c.DownloadFile(context.Background(), "a/b", "config.json", nil)
	var te *timeoutError
	if !errors.Is(err, ErrNotCached) || !errors.As(err, &te) {
		t.Fatalf("err = %v, want ErrNotCached caused by a timeout", err)
	}
}
