package hubbench

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hfgo/hfgo/hub/hubtest"
)

// The fake Hub runs in a process of its own, the test binary started again
// with these variables set, so that its CPU time is not charged to the
// client measured in this process, and every client faces the same server.
const (
	serveSizeEnv = "HUBBENCH_SERVE_SIZE"
	serveRateEnv = "HUBBENCH_SERVE_RATE"
)

func TestMain(m *testing.M) {
	if size := os.Getenv(serveSizeEnv); size != "" {
		os.Exit(serveMain(size, os.Getenv(serveRateEnv)))
	}
	os.Exit(m.Run())
}

// serveMain serves a repo holding one file of size pseudo-random bytes,
// throttled to rate bytes per second per connection if rate is set, prints
// the endpoint on stdout and serves until stdin is closed.
func serveMain(size, rate string) int {
	n, err := strconv.Atoi(size)
	if err != nil {
		fmt.Fprintln(os.Stderr, "hubbench server:", err)
		return 2
	}
	srv := hubtest.NewServer(hubtest.WithRequestLog(false))
	defer srv.Close()
	srv.AddRepo(hubtest.Repo{ID: repoID, Files: map[string][]byte{fileName: content(n)}})
	if r, _ := strconv.ParseInt(rate, 10, 64); r > 0 {
		srv.AddFault(hubtest.Fault{Host: hubtest.CDN, BytesPerSecond: r})
	}
	fmt.Println(srv.URL)
	io.Copy(io.Discard, os.Stdin)
	return 0
}

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

// server is the fake Hub's process.
type server struct {
	URL   string
	cmd   *exec.Cmd
	stdin io.Closer
}

// startServer starts the fake Hub serving size bytes (at rate bytes per
// second per connection if rate > 0) and stops it when b ends.
func startServer(b *testing.B, size int, rate int64) *server {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), serveSizeEnv+"="+strconv.Itoa(size), serveRateEnv+"="+strconv.FormatInt(rate, 10))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	s := &server{cmd: cmd, stdin: stdin}
	b.Cleanup(s.stop)
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		b.Fatalf("hubbench server: %v", err)
	}
	s.URL = strings.TrimSpace(line)
	return s
}

func (s *server) stop() {
	s.stdin.Close()
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
}

// cpu is the CPU time the server has used so far (0 where /proc is missing).
func (s *server) cpu() time.Duration {
	return procCPU(s.cmd.Process.Pid)
}

// procCPU reads a process's user and system time from /proc (Linux).
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// The command name may hold spaces: the fields follow its last ')'.
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	const ticksPerSecond = 100 // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / ticksPerSecond
}
