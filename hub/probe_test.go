package hub

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hfgo/hfgo/hub/hubtest"
)

// adaptiveClient is a client with the default way of fetching large files,
// scaled down: files from 1 MB start as one stream, judged after probe
// against a rate of fast bytes per second, and may add up to 4 parts.
func adaptiveClient(t *testing.T, srv *hubtest.Server, probe time.Duration, fast float64, opts ...Option) *Client {
	t.Helper()
	c, _ := newTestClient(t, srv, opts...)
	if c.forceParts {
		t.Fatal("a client without WithParallelDownload fetches in parts from the start")
	}
	c.partThreshold, c.parts, c.probeTime, c.fastStream = 1_000_000, 4, probe, fast
	return c
}

// rangeStart reads the first byte of a "bytes=first-[last]" header.
func rangeStart(t *testing.T, v string) int64 {
	t.Helper()
	first, _, ok := strings.Cut(strings.TrimPrefix(v, "bytes="), "-")
	n, err := strconv.ParseInt(first, 10, 64)
	if !ok || err != nil {
		t.Fatalf("bad Range %q", v)
	}
	return n
}

func TestSlowStreamAddsParts(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	data := randomBytes(6_000_000, 71)
	srv.AddRepo(hubtest.Repo{ID: "hfgo/slow", Files: map[string][]byte{"model.safetensors": data}})
	srv.AddFault(hubtest.Fault{Host: hubtest.CDN, BytesPerSecond: 2_000_000})
	c := adaptiveClient(t, srv, 100*time.Millisecond, 200e6)
	p, err := c.DownloadFile(context.Background(), "hfgo/slow", "model.safetensors", nil)
	if err != nil {
		t.Fatal(err)
	}
	checkContent(t, p, data)
	whole, ranged := 0, 0
	for _, r := range requestsTo(srv, hubtest.CDN) {
		switch v := r.Header.Get("Range"); {
		case v == "":
			whole++
		case r.Status != 206:
			t.Errorf("CDN answered %d to Range %q", r.Status, v)
		case rangeStart(t, v) == 0:
			t.Errorf("part %q fetches again the start the stream had", v)
		default:
			ranged++
		}
	}
	if whole != 1 || ranged < 2 {
		t.Errorf("%d streams and %d parts; want one stream, then parts", whole, ranged)
	}
	blobs := filepath.Join(c.CacheDir(), "models--hfgo--slow", "blobs")
	if entries := repoFiles(t, blobs); len(entries) != 1 {
		t.Errorf("blobs/ holds %v, want only the blob", entries)
	}
}

func TestFastStreamStaysOne(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	data := randomBytes(3_000_000, 72)
	srv.AddRepo(hubtest.Repo{ID: "hfgo/fast", Files: map[string][]byte{"model.safetensors": data}})
	srv.AddFault(hubtest.Fault{Host: hubtest.CDN, BytesPerSecond: 6_000_000})
	// Any rate is fast: the stream, judged after 50 ms, is kept.
	c := adaptiveClient(t, srv, 50*time.Millisecond, 1)
	p, err := c.DownloadFile(context.Background(), "hfgo/fast", "model.safetensors", nil)
	if err != nil {
		t.Fatal(err)
	}
	checkContent(t, p, data)
	cdn := requestsTo(srv, hubtest.CDN)
	if len(cdn) != 1 || cdn[0].Header.Get("Range") != "" {
		t.Errorf("%d CDN requests; want one stream", len(cdn))
	}
}

// TestSlowStreamPrefixChecked: the bytes the stream wrote before giving way
// to parts are part of the hash checked at the end.
func TestSlowStreamPrefixChecked(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	data := randomBytes(6_000_000, 73)
	sha := hubtest.SHA256(data)
	srv.AddRepo(hubtest.Repo{ID: "hfgo/slow", Files: map[string][]byte{"model.safetensors": data}})
	srv.AddFault(hubtest.Fault{Host: hubtest.CDN, BytesPerSecond: 2_000_000})
	srv.AddFault(hubtest.Fault{Host: hubtest.CDN, Path: sha, Corrupt: true, Times: 1})
	c := adaptiveClient(t, srv, 100*time.Millisecond, 200e6)
	_, err := c.DownloadFile(context.Background(), "hfgo/slow", "model.safetensors", nil)
	var ce *ChecksumError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want a ChecksumError", err)
	}
	checkNoBlob(t, c, "hfgo/slow", "model.safetensors", sha)
	if n := len(requestsTo(srv, hubtest.CDN)); n < 3 {
		t.Errorf("%d CDN requests: the stream did not give way to parts", n)
	}
}
