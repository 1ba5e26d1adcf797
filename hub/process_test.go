package hub

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hfgo/hfgo/hub/hubtest"
)

// TestHelperProcess is not a test: the tests below run the test binary again
// with HFGO_HUB_HELPER set, as a second process downloading a snapshot.
func TestHelperProcess(t *testing.T) {
	if os.Getenv("HFGO_HUB_HELPER") == "" {
		return
	}
	parts, _ := strconv.Atoi(os.Getenv("HFGO_HUB_PARTS"))
	c, err := NewClient(WithEnv(os.Getenv), WithParallelDownload(1<<20, parts))
	if err == nil {
		var dir string
		dir, err = c.SnapshotDownload(context.Background(), os.Getenv("HFGO_HUB_REPO"), nil)
		fmt.Println(dir)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	os.Exit(0)
}

// helperCmd prepares a second process downloading repo from srv into cache.
func helperCmd(t *testing.T, srv *hubtest.Server, cache, repo string, parts int) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(),
		"HFGO_HUB_HELPER=1", "HFGO_HUB_REPO="+repo, "HFGO_HUB_PARTS="+strconv.Itoa(parts),
		"HF_ENDPOINT="+srv.URL, "HF_HUB_CACHE="+cache, "HF_HOME="+t.TempDir(),
		"HF_TOKEN=", "HUGGING_FACE_HUB_TOKEN=", "HF_HUB_OFFLINE=0", "HF_HUB_DISABLE_SYMLINKS=0")
	return cmd
}

// TestKilledDownloadResumes kills a process in the middle of a file and
// checks the next run fetches only the rest.
func TestKilledDownloadResumes(t *testing.T) {
	t.Parallel()
	for _, parts := range []int{1, 4} {
		t.Run(fmt.Sprintf("parts=%d", parts), func(t *testing.T) {
			t.Parallel()
			srv := newTestServer(t)
			data := randomBytes(6_000_000, 31)
			sha := hubtest.SHA256(data)
			srv.AddRepo(hubtest.Repo{ID: "hfgo/killed", Files: map[string][]byte{"model.safetensors": data}})
			throttle := srv.AddFault(hubtest.Fault{Host: hubtest.CDN, Path: sha, BytesPerSecond: 3_000_000})
			cache := filepath.Join(t.TempDir(), "hub")
			cmd := helperCmd(t, srv, cache, "hfgo/killed", parts)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			blobs := filepath.Join(cache, "models--hfgo--killed", "blobs")
			deadline := time.Now().Add(30 * time.Second)
			for savedBytes(blobs, sha) < 1_500_000 {
				if time.Now().After(deadline) || exists(filepath.Join(blobs, sha)) {
					cmd.Process.Kill()
					cmd.Wait()
					t.Fatalf("no partial of 1.5 MB to kill: %d bytes sent, files %v", cdnBytes(srv), repoFiles(t, blobs))
				}
				time.Sleep(10 * time.Millisecond)
			}
			cmd.Process.Signal(syscall.SIGKILL)
			cmd.Wait()
			time.Sleep(50 * time.Millisecond) // let the server see the connections close
			if exists(filepath.Join(blobs, sha)) {
				t.Fatal("the blob exists: the process was killed too late")
			}
			throttle.Remove()
			srv.ResetRequests()
			c, _ := newTestClient(t, srv, WithCacheDir(cache), WithParallelDownload(1<<20, parts))
			p, err := c.DownloadFile(context.Background(), "hfgo/killed", "model.safetensors", nil)
			if err != nil {
				t.Fatal(err)
			}
			checkContent(t, p, data)
			if sent := cdnBytes(srv); sent >= int64(len(data))-1_000_000 {
				t.Errorf("the run after the kill fetched %d of %d bytes: it started over", sent, len(data))
			}
			if entries := repoFiles(t, blobs); len(entries) != 1 {
				t.Errorf("blobs/ holds %v, want only the blob", entries)
			}
		})
	}
}

// savedBytes is how much of a partial download in blobs a next run can
// reuse: the size of <etag>.incomplete, or the bytes the state of a parallel
// download records.
func savedBytes(blobs, etag string) int64 {
	if n := fileSize(filepath.Join(blobs, etag+".incomplete")); n > 0 {
		return n
	}
	b, err := os.ReadFile(filepath.Join(blobs, etag+".parts.incomplete.json"))
	if err != nil {
		return 0
	}
	var st partsState
	if json.Unmarshal(b, &st) != nil {
		return 0
	}
	var n int64
	for _, ch := range st.Chunks {
		n += ch.Done
	}
	return n
}

func cdnBytes(srv *hubtest.Server) int64 {
	var n int64
	for _, r := range requestsTo(srv, hubtest.CDN) {
		n += r.Bytes
	}
	return n
}

// TestTwoProcessesOneBlob runs two processes downloading one repo into one
// cache at once: the lock makes one of them fetch each blob, the other wait.
func TestTwoProcessesOneBlob(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	files := map[string][]byte{
		"config.json":       []byte(`{"model_type": "gpt2"}`),
		"model.safetensors": randomBytes(3_000_000, 32),
		"vocab.json":        []byte(`{"a": 0}`),
	}
	commit := srv.AddRepo(hubtest.Repo{ID: "hfgo/shared", Files: files})
	srv.AddFault(hubtest.Fault{Host: hubtest.CDN, BytesPerSecond: 6_000_000})
	cache := filepath.Join(t.TempDir(), "hub")
	var cmds []*exec.Cmd
	var outs []*bytes.Buffer
	for range 2 {
		cmd := helperCmd(t, srv, cache, "hfgo/shared", 1)
		out := &bytes.Buffer{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, outs = append(cmds, cmd), append(outs, out)
	}
	want := filepath.Join(cache, "models--hfgo--shared", "snapshots", commit)
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("process %d: %v: %s", i, err, outs[i])
		}
		if !strings.Contains(outs[i].String(), want) {
			t.Errorf("process %d printed %q, want %s", i, outs[i], want)
		}
	}
	repoDir := filepath.Join(cache, "models--hfgo--shared")
	tree := walkTree(t, repoDir)
	if diff := diffTrees(pythonLayout(files, commit, map[string]string{"main": commit}), tree); diff != "" {
		t.Errorf("cache after two processes (-want +got):\n%s", diff)
	}
	if sent := cdnBytes(srv); sent != int64(len(files["model.safetensors"])) {
		t.Errorf("the CDN sent %d bytes, want the blob once (%d)", sent, len(files["model.safetensors"]))
	}
}
