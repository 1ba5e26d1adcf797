// Package hubbench times hfgo's downloads against curl on the fake Hub.
//
//	go test -c -o /tmp/hubbench ./bench/hub
//	for i in $(seq 10); do /tmp/hubbench -test.run '^$' -test.bench . -test.benchtime 1x; done | tee bench.txt
//	go run golang.org/x/perf/cmd/benchstat@latest bench.txt
//
// (a loop rather than -count 10, so that the clients alternate and a change
// in the machine's load hits them alike).
//
// The fake Hub runs in a process of its own (the test binary started again),
// so every client, in process or not, faces the same server and is charged
// only its own work. Each run reports the client's CPU time (cpu-s/op: user
// and system time of the command, or of this process for the library) and
// the server's (srv-cpu-s/op); CPU time depends less than elapsed time on
// the machine's other load.
//
// Downloads are written to /dev/shm (or $HUBBENCH_DIR) so that the disk's
// write-back does not decide the result.
//
// BenchmarkLoopback1GiB fetches a 1 GiB LFS file over loopback:
//
//   - curl: `curl -L -o FILE` through the Hub's redirect to the CDN, one
//     stream that only writes the file;
//   - curl+sha256sum: `curl -L | sha256sum`, the hash the way coreutils does
//     it (without SHA extensions, so slow);
//   - curl+tee+openssl: `curl -L | tee FILE | openssl dgst -sha256`, the same
//     work as hfgo (write and hash every byte) with OpenSSL's hash;
//   - hfget: the command, which also checks the sha256 and writes the Python
//     cache layout;
//   - hfgo: the library with its defaults (one stream, parts only if it is
//     slow), hfgo-stream one stream, hfgo-parts=8 eight ranged parts.
//
// BenchmarkThrottled compares parallel ranged parts with one stream when the
// CDN limits each connection's bandwidth, as the real one does (about
// 40 MB/s): parts multiply the rate, and the default client turns to parts
// when it sees one stream is slow.
package hubbench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/hfgo/hfgo/hub"
)

const (
	repoID   = "hfgo/bench"
	fileName = "model.safetensors"
)

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

// measure runs one download between the timer's start and stop and adds
// the client's and the server's CPU time to the totals.
type measure struct {
	srv         *server
	cpu, srvCPU time.Duration
}

// report sets the CPU metrics of b.
func (m *measure) report(b *testing.B) {
	b.ReportMetric(m.cpu.Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(m.srvCPU.Seconds()/float64(b.N), "srv-cpu-s/op")
}

// hfgo downloads the file into a fresh cache with a client made with opts.
func (m *measure) hfgo(b *testing.B, opts ...hub.Option) {
	b.StopTimer()
	dir := workDir(b)
	c, err := hub.NewClient(append([]hub.Option{hub.WithEnv(noEnv), hub.WithEndpoint(m.srv.URL), hub.WithCacheDir(dir)}, opts...)...)
	if err != nil {
		b.Fatal(err)
	}
	cpu0, srv0 := selfCPU(), m.srv.cpu()
	b.StartTimer()
	if _, err := c.DownloadFile(context.Background(), repoID, fileName, nil); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	m.cpu += selfCPU() - cpu0
	m.srvCPU += m.srv.cpu() - srv0
	os.RemoveAll(dir)
	b.StartTimer()
}

// command runs cmd (with the download folder dir) and adds its CPU time.
func (m *measure) command(b *testing.B, cmd *exec.Cmd, dir string) {
	b.StopTimer()
	srv0 := m.srv.cpu()
	b.StartTimer()
	if msg, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("%s: %v: %s", cmd.Args[0], err, msg)
	}
	b.StopTimer()
	m.srvCPU += m.srv.cpu() - srv0
	// The rusage of a waited-for process includes its waited-for children.
	m.cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	os.RemoveAll(dir)
	b.StartTimer()
}

func (m *measure) fileURL() string { return m.srv.URL + "/" + repoID + "/resolve/main/" + fileName }

func (m *measure) curl(b *testing.B) {
	b.StopTimer()
	dir := workDir(b)
	b.StartTimer()
	m.command(b, exec.Command("curl", "-sSfL", "-o", filepath.Join(dir, fileName), m.fileURL()), dir)
}

// curlPipe runs curl's output through a shell pipeline.
func (m *measure) curlPipe(b *testing.B, pipeline string) {
	b.StopTimer()
	dir := workDir(b)
	cmd := exec.Command("bash", "-o", "pipefail", "-c", "curl -sSfL \"$URL\" | "+pipeline)
	cmd.Env = append(os.Environ(), "URL="+m.fileURL(), "OUT="+filepath.Join(dir, fileName))
	b.StartTimer()
	m.command(b, cmd, dir)
}

func (m *measure) hfget(b *testing.B, bin string) {
	b.StopTimer()
	dir := workDir(b)
	cmd := exec.Command(bin, repoID, fileName, "--quiet")
	cmd.Env = []string{"HF_ENDPOINT=" + m.srv.URL, "HF_HUB_CACHE=" + dir, "HF_HOME=" + dir, "HOME=" + dir}
	b.StartTimer()
	m.command(b, cmd, dir)
}

// buildHfget compiles the hfget command once ($HUBBENCH_HFGET names a
// binary to measure instead); "" (and a log line) if it does not build, so
// the other measures still run.
func buildHfget(b *testing.B) string {
	if bin := os.Getenv("HUBBENCH_HFGET"); bin != "" {
		return bin
	}
	bin := filepath.Join(b.TempDir(), "hfget")
	if msg, err := exec.Command("go", "build", "-o", bin, "github.com/hfgo/hfgo/cmd/hfget").CombinedOutput(); err != nil {
		b.Logf("hfget not measured: go build: %v: %s", err, msg)
		return ""
	}
	return bin
}

// haveCommand reports whether the commands are on PATH (logging those that
// are not).
func haveCommand(b *testing.B, names ...string) bool {
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			b.Logf("%s not found: skipping the measures that use it", n)
			return false
		}
	}
	return true
}

// run measures one client in a sub-benchmark of size bytes per op.
func run(b *testing.B, name string, srv *server, size int64, fetch func(*testing.B, *measure)) {
	b.Run(name, func(b *testing.B) {
		b.SetBytes(size)
		m := &measure{srv: srv}
		for b.Loop() {
			fetch(b, m)
		}
		m.report(b)
	})
}

// clients measures every client of the benchmark against srv.
func clients(b *testing.B, srv *server, size int64, bin string) {
	if haveCommand(b, "curl") {
		run(b, "curl", srv, size, func(b *testing.B, m *measure) { m.curl(b) })
	}
	if haveCommand(b, "curl", "bash", "sha256sum", "tee", "openssl") {
		run(b, "curl+sha256sum", srv, size, func(b *testing.B, m *measure) { m.curlPipe(b, "sha256sum") })
		run(b, "curl+tee+openssl", srv, size, func(b *testing.B, m *measure) { m.curlPipe(b, `tee "$OUT" | openssl dgst -sha256`) })
	}
	if bin != "" {
		run(b, "hfget", srv, size, func(b *testing.B, m *measure) { m.hfget(b, bin) })
	}
	run(b, "hfgo", srv, size, func(b *testing.B, m *measure) { m.hfgo(b) })
	run(b, "hfgo-stream", srv, size, func(b *testing.B, m *measure) {
		m.hfgo(b, hub.WithParallelDownload(hub.DefaultParallelThreshold, 1))
	})
	parts := hub.DefaultParallelParts
	run(b, fmt.Sprintf("hfgo-parts=%d", parts), srv, size, func(b *testing.B, m *measure) {
		m.hfgo(b, hub.WithParallelDownload(hub.DefaultParallelThreshold, parts))
	})
}

func BenchmarkLoopback1GiB(b *testing.B) {
	const size = 1 << 30
	srv := startServer(b, size, 0)
	bin := buildHfget(b)
	b.ResetTimer()
	clients(b, srv, size, bin)
}

func BenchmarkThrottled(b *testing.B) {
	const size, perConnection = 128 << 20, 32 << 20
	srv := startServer(b, size, perConnection)
	bin := buildHfget(b)
	b.ResetTimer()
	clients(b, srv, size, bin)
}
