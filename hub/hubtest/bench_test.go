package hubtest_test

import (
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/hfgo/hfgo/hub/hubtest"
)

// BenchmarkThrottledDownload fetches one LFS file from a CDN limited to
// 4 MiB/s per connection, in one stream or in ranged parts fetched at once:
// the per-connection limit makes parts scale, as on the real CDN.
func BenchmarkThrottledDownload(b *testing.B) {
	const size, rate = 256 << 10, 4 << 20
	s := hubtest.NewServer()
	defer s.Close()
	s.AddRepo(hubtest.Repo{ID: "o/r", Files: map[string][]byte{"w.bin": make([]byte, size)}})
	s.AddFault(hubtest.Fault{Host: hubtest.CDN, BytesPerSecond: rate})
	loc := do(b, "HEAD", s.URL+"/o/r/resolve/main/w.bin").header.Get("Location")
	for _, parts := range []int{1, 4} {
		b.Run(fmt.Sprintf("parts=%d", parts), func(b *testing.B) {
			b.SetBytes(size)
			for b.Loop() {
				var wg sync.WaitGroup
				for p := range parts {
					wg.Go(func() {
						req, _ := http.NewRequest("GET", loc, nil)
						req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", p*size/parts, (p+1)*size/parts-1))
						resp, err := http.DefaultClient.Do(req)
						if err != nil {
							b.Error(err)
							return
						}
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
					})
				}
				wg.Wait()
			}
		})
	}
}

// BenchmarkCDNThroughput measures how fast the CDN serves an LFS file on
// loopback with no fault: the ceiling a client benchmark can reach.
func BenchmarkCDNThroughput(b *testing.B) {
	const size = 64 << 20
	s := hubtest.NewServer()
	defer s.Close()
	s.AddRepo(hubtest.Repo{ID: "o/r", Files: map[string][]byte{"w.bin": make([]byte, size)}})
	loc := do(b, "HEAD", s.URL+"/o/r/resolve/main/w.bin").header.Get("Location")
	b.SetBytes(size)
	for b.Loop() {
		resp, err := http.Get(loc)
		if err != nil {
			b.Fatal(err)
		}
		if n, _ := io.Copy(io.Discard, resp.Body); n != size {
			b.Fatalf("%d bytes", n)
		}
		resp.Body.Close()
	}
}
