package hub

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gofrs/flock"
	"github.com/google/go-cmp/cmp"

	"github.com/hfgo/hfgo/hub/hubtest"
)

// leavePartials writes the files interrupted downloads of etag leave in
// blobs/, and one of another etag, and returns their names.
func leavePartials(t *testing.T, blobs, etag string) (mine []string, other string) {
	t.Helper()
	mine = []string{
		etag + ".incomplete",                               // huggingface_hub <= 1.17, hfgo's stream
		etag + ".1a2b3c4d.incomplete",                      // huggingface_hub >= 1.18
		etag + ".parts.incomplete",                         // hfgo's parallel parts
		etag + ".parts.incomplete.json",                    // and their state
		"." + etag + ".parts.incomplete.json.0badcafe.tmp", // a state save cut short
	}
	other = hubtest.SHA256([]byte("another file")) + ".parts.incomplete"
	for _, n := range append(slices.Clone(mine), other) {
		if err := os.WriteFile(filepath.Join(blobs, n), []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return mine, other
}

// TestCompleteFileDropsStalePartials: every way of finding a file already
// complete (blob and snapshot entry present) removes what interrupted
// downloads of its blob left, and only that.
func TestCompleteFileDropsStalePartials(t *testing.T) {
	t.Parallel()
	data := randomBytes(20_000, 63)
	etag := hubtest.SHA256(data)
	download := map[string]func(context.Context, *Client, string) error{
		"branch": func(ctx context.Context, c *Client, _ string) error {
			_, err := c.DownloadFile(ctx, "hfgo/stale", "model.safetensors", nil)
			return err
		},
		"commit": func(ctx context.Context, c *Client, commit string) error {
			_, err := c.DownloadFile(ctx, "hfgo/stale", "model.safetensors", &DownloadOptions{Revision: commit})
			return err
		},
		"snapshot": func(ctx context.Context, c *Client, _ string) error {
			_, err := c.SnapshotDownload(ctx, "hfgo/stale", nil)
			return err
		},
	}
	for name, get := range download {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newTestServer(t)
			commit := srv.AddRepo(hubtest.Repo{ID: "hfgo/stale", Files: map[string][]byte{"model.safetensors": data}})
			c, _ := newTestClient(t, srv)
			ctx := context.Background()
			if err := get(ctx, c, commit); err != nil {
				t.Fatal(err)
			}
			blobs := filepath.Join(c.CacheDir(), "models--hfgo--stale", "blobs")
			_, other := leavePartials(t, blobs, etag)
			if err := get(ctx, c, commit); err != nil {
				t.Fatal(err)
			}
			want := []string{etag, other}
			slices.Sort(want)
			if diff := cmp.Diff(want, repoFiles(t, blobs)); diff != "" {
				t.Errorf("blobs/ after a cached download (-want +got):\n%s", diff)
			}
		})
	}
}

// TestStalePartialsKeptWhileLocked: partials of a blob whose lock another
// process holds may be in use (a forced download) and stay.
func TestStalePartialsKeptWhileLocked(t *testing.T) {
	t.Parallel()
	data := randomBytes(20_000, 64)
	etag := hubtest.SHA256(data)
	srv := newTestServer(t)
	srv.AddRepo(hubtest.Repo{ID: "hfgo/stale", Files: map[string][]byte{"model.safetensors": data}})
	c, _ := newTestClient(t, srv)
	ctx := context.Background()
	if _, err := c.DownloadFile(ctx, "hfgo/stale", "model.safetensors", nil); err != nil {
		t.Fatal(err)
	}
	rc := newRepoCache(c.CacheDir(), Model, "hfgo/stale")
	blobs := filepath.Join(rc.dir, "blobs")
	mine, other := leavePartials(t, blobs, etag)
	fl := flock.New(rc.lockPath(etag))
	if ok, err := fl.TryLock(); !ok || err != nil {
		t.Fatalf("lock: %v %v", ok, err)
	}
	if _, err := c.DownloadFile(ctx, "hfgo/stale", "model.safetensors", nil); err != nil {
		t.Fatal(err)
	}
	want := append([]string{etag, other}, mine...)
	slices.Sort(want)
	if diff := cmp.Diff(want, repoFiles(t, blobs)); diff != "" {
		t.Errorf("blobs/ while another process holds the lock (-want +got):\n%s", diff)
	}
	fl.Unlock()
}

// TestVerifyIgnoresPartials: partial downloads are neither problems nor
// unverifiable blobs for VerifyCache and ScanCache.
func TestVerifyIgnoresPartials(t *testing.T) {
	t.Parallel()
	data := randomBytes(20_000, 65)
	srv := newTestServer(t)
	srv.AddRepo(hubtest.Repo{ID: "hfgo/stale", Files: map[string][]byte{"model.safetensors": data}})
	c, _ := newTestClient(t, srv)
	if _, err := c.DownloadFile(context.Background(), "hfgo/stale", "model.safetensors", nil); err != nil {
		t.Fatal(err)
	}
	leavePartials(t, filepath.Join(c.CacheDir(), "models--hfgo--stale", "blobs"), hubtest.SHA256(data))
	rep, err := VerifyCache(context.Background(), c.CacheDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Checked != 1 || len(rep.Problems) != 0 || len(rep.Unverifiable) != 0 {
		t.Errorf("verify: %d checked, problems %v, unverifiable %v; want 1 blob checked and nothing else", rep.Checked, rep.Problems, rep.Unverifiable)
	}
	ci, err := ScanCache(c.CacheDir())
	if err != nil || len(ci.Warnings) != 0 {
		t.Errorf("scan: %v, warnings %v", err, ci.Warnings)
	}
}

func TestIsPartialOf(t *testing.T) {
	t.Parallel()
	const etag = "0123456789abcdef0123456789abcdef01234567"
	for _, tc := range []struct {
		name string
		want bool
	}{
		{etag + ".incomplete", true},
		{etag + ".89abcdef.incomplete", true},
		{etag + ".parts.incomplete", true},
		{etag + ".parts.incomplete.json", true},
		{"." + etag + ".1234abcd.tmp", true},
		{etag, false},
		{etag + "0.incomplete", false},
		{"1" + etag + ".incomplete", false},
		{"." + etag + ".1234abcd", false},
		{etag + ".json", false},
	} {
		if got := isPartialOf(tc.name, etag); got != tc.want {
			t.Errorf("isPartialOf(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestPartialsKeptWithoutBlob: in a cache without symlinks the snapshot
// entry is a copy and blobs/ holds no blob, so a partial of the same ETag
// (a download for another commit, cut short) is still worth resuming and
// stays when the copy is found cached.
func TestPartialsKeptWithoutBlob(t *testing.T) {
	t.Parallel()
	data := randomBytes(20_000, 67)
	etag := hubtest.SHA256(data)
	srv := newTestServer(t)
	commit := srv.AddRepo(hubtest.Repo{ID: "hfgo/stale", Files: map[string][]byte{"model.safetensors": data}})
	c, _ := newTestClient(t, srv, WithSymlinks(false))
	ctx := context.Background()
	if _, err := c.DownloadFile(ctx, "hfgo/stale", "model.safetensors", nil); err != nil {
		t.Fatal(err)
	}
	blobs := filepath.Join(c.CacheDir(), "models--hfgo--stale", "blobs")
	mine, other := leavePartials(t, blobs, etag)
	for _, opts := range []*DownloadOptions{nil, {Revision: commit}} {
		if _, err := c.DownloadFile(ctx, "hfgo/stale", "model.safetensors", opts); err != nil {
			t.Fatal(err)
		}
	}
	want := append([]string{other}, mine...)
	slices.Sort(want)
	if diff := cmp.Diff(want, repoFiles(t, blobs)); diff != "" {
		t.Errorf("blobs/ after cached copies were found (-want +got):\n%s", diff)
	}
}
