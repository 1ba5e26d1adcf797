// Package hubbench times hfgo's downloads against curl on the fake Hub.
//
//	for i in $(seq 10); do go test ./bench/hub -run '^$' -bench . -benchtime 1x -count 1; done | tee bench.txt
//	go run golang.org/x/perf/cmd/benchstat@latest bench.txt
//
// (a loop rather than -count 10, so that the clients alternate and a change
// in the machine's load hits them alike). The curl and hfget runs also
// report the CPU time the command used (cpu-s/op), which depends less on
// that load than the elapsed time.
//
// Downloads are written to /dev/shm (or $HUBBENCH_DIR) so that the disk's
// write-back does not decide the result.
//
// BenchmarkLoopback1GiB fetches a 1 GiB LFS file over loopback: hfgo in
// process (parallel ranged parts, and one stream), the hfget command, and
// curl (one stream, -L through the Hub's redirect to the CDN). hfgo also
// checks the sha256 of every byte and writes the Python cache layout; curl
// only writes the file.
//
// BenchmarkThrottled compares parallel ranged parts with one stream when the
// CDN limits each connection's bandwidth, as the real one does (about
// 40 MB/s): parts multiply the rate.
package hubbench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/hfgo/hfgo/hub"
	"github.com/hfgo/hfgo/hub/hubtest"
)

const repoID = "hfgo/bench"

// content returns size pseudo-random bytes (a 16 MiB block repeated).
func content(size int) []byte {
	block := make([]byte, 16<<20)
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i+8 <= len(block); i += 8 {
		v := r.Uint64()
		for k := range 8 {
			block[i+k] = byte(v >> (8 * k))
		}
	}
	data := make([]byte, size)
	for i := 0; i < size; i += len(block) {
		copy(data[i:], block)
	}
	return data
}

func noEnv(string) string { return "" }

// workDir is where the downloads are written: $HUBBENCH_DIR, else the RAM
// file system /dev/shm when there is one, so the disk's write-back does not
// drown the difference between the clients, else a temporary folder.
func workDir(b *testing.B) string {
	base := os.Getenv("HUBBENCH_DIR")
	if base == "" {
		if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
			base = "/dev/shm"
		}
	}
	if base == "" {
		return b.TempDir()
	}
	dir, err := os.MkdirTemp(base, "hubbench-")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// fetchWithHfgo downloads the file into a fresh cache with a client made
// with opts.
func fetchWithHfgo(b *testing.B, srv *hubtest.Server, opts ...hub.Option) {
	b.StopTimer()
	dir := workDir(b)
	c, err := hub.NewClient(append([]hub.Option{hub.WithEnv(noEnv), hub.WithEndpoint(srv.URL), hub.WithCacheDir(dir)}, opts...)...)
	if err != nil {
		b.Fatal(err)
	}
	b.StartTimer()
	if _, err := c.DownloadFile(context.Background(), repoID, "model.safetensors", nil); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	os.RemoveAll(dir)
	b.StartTimer()
}

func fetchWithCurl(b *testing.B, srv *hubtest.Server) time.Duration {
	b.StopTimer()
	out := filepath.Join(workDir(b), "model.safetensors")
	cmd := exec.Command("curl", "-sSfL", "-o", out, srv.URL+"/"+repoID+"/resolve/main/model.safetensors")
	b.StartTimer()
	if msg, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("curl: %v: %s", err, msg)
	}
	b.StopTimer()
	os.Remove(out)
	b.StartTimer()
	return cpuTime(cmd)
}

// cpuTime is the user and system time a finished command used: a measure
// that the machine's other load disturbs less than the elapsed time.
func cpuTime(cmd *exec.Cmd) time.Duration {
	return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}

func fetchWithHfget(b *testing.B, srv *hubtest.Server, bin string) time.Duration {
	b.StopTimer()
	dir := workDir(b)
	cmd := exec.Command(bin, repoID, "model.safetensors", "--quiet")
	cmd.Env = []string{"HF_ENDPOINT=" + srv.URL, "HF_HUB_CACHE=" + dir, "HF_HOME=" + dir, "HOME=" + dir}
	b.StartTimer()
	if msg, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("hfget: %v: %s", err, msg)
	}
	b.StopTimer()
	os.RemoveAll(dir)
	b.StartTimer()
	return cpuTime(cmd)
}

// buildHfget compiles the hfget command once; "" (and a log line) if it
// does not build, so the other measures still run.
func buildHfget(b *testing.B) string {
	bin := filepath.Join(b.TempDir(), "hfget")
	if msg, err := exec.Command("go", "build", "-o", bin, "github.com/hfgo/hfgo/cmd/hfget").CombinedOutput(); err != nil {
		b.Logf("hfget not measured: go build: %v: %s", err, msg)
		return ""
	}
	return bin
}

func BenchmarkLoopback1GiB(b *testing.B) {
	const size = 1 << 30
	srv := hubtest.NewServer()
	defer srv.Close()
	srv.AddRepo(hubtest.Repo{ID: repoID, Files: map[string][]byte{"model.safetensors": content(size)}})
	bin := buildHfget(b)
	b.ResetTimer()
	b.Run("curl", func(b *testing.B) {
		b.SetBytes(size)
		var cpu time.Duration
		for b.Loop() {
			cpu += fetchWithCurl(b, srv)
		}
		b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
	})
	if bin != "" {
		b.Run("hfget", func(b *testing.B) {
			b.SetBytes(size)
			var cpu time.Duration
			for b.Loop() {
				cpu += fetchWithHfget(b, srv, bin)
			}
			b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
		})
	}
	for _, parts := range []int{1, hub.DefaultParallelParts} {
		b.Run(fmt.Sprintf("hfgo-parts=%d", parts), func(b *testing.B) {
			b.SetBytes(size)
			for b.Loop() {
				fetchWithHfgo(b, srv, hub.WithParallelDownload(hub.DefaultParallelThreshold, parts))
			}
		})
	}
}

func BenchmarkThrottled(b *testing.B) {
	const size, perConnection = 128 << 20, 32 << 20
	srv := hubtest.NewServer()
	defer srv.Close()
	srv.AddRepo(hubtest.Repo{ID: repoID, Files: map[string][]byte{"model.safetensors": content(size)}})
	srv.AddFault(hubtest.Fault{Host: hubtest.CDN, BytesPerSecond: perConnection})
	b.ResetTimer()
	for _, parts := range []int{1, hub.DefaultParallelParts} {
		b.Run(fmt.Sprintf("hfgo-parts=%d", parts), func(b *testing.B) {
			b.SetBytes(size)
			for b.Loop() {
				fetchWithHfgo(b, srv, hub.WithParallelDownload(hub.DefaultParallelThreshold, parts))
			}
		})
	}
	b.Run("curl", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			fetchWithCurl(b, srv)
		}
	})
}
