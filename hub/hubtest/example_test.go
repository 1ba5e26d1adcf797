package hubtest_test

import (
	"fmt"
	"io"
	"net/http"

	"github.com/hfgo/hfgo/hub/hubtest"
)

func ExampleNewServer() {
	s := hubtest.NewServer()
	defer s.Close()
	commit := s.AddRepo(hubtest.Repo{ID: "hfgo/tiny", Files: map[string][]byte{
		"config.json":       []byte(`{"model_type": "bert"}`),
		"model.safetensors": []byte("weights"),
	}})
	head := func(file string) *http.Response {
		req, _ := http.NewRequest(http.MethodHead, s.URL+"/hfgo/tiny/resolve/main/"+file, nil)
		resp, err := http.DefaultTransport.RoundTrip(req) // no redirect followed
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
		return resp
	}
	// A regular file: its git blob sha1 is the ETag.
	r := head("config.json")
	fmt.Println(r.StatusCode, r.Header.Get("ETag"), r.Header.Get("X-Repo-Commit") == commit)
	// An LFS file: a redirect to the CDN, with the sha256 and size.
	r = head("model.safetensors")
	fmt.Println(r.StatusCode, r.Header.Get("X-Linked-Etag"), r.Header.Get("X-Linked-Size"))
	// Output:
	// 200 "46332c50668921e90868a1d44a2550bb60ffdb1d" true
	// 302 "9a129038d9a00aed0cf6a7ea059ca50a813449061ab87848cf1a13eafdf33b2c" 7
}

func ExampleServer_AddFault() {
	s := hubtest.NewServer()
	defer s.Close()
	s.AddRepo(hubtest.Repo{ID: "hfgo/tiny", Files: map[string][]byte{"config.json": []byte("{}")}})
	// The next two GETs of config.json are rate limited.
	limit := s.AddFault(hubtest.Fault{Method: http.MethodGet, Path: "config.json", Times: 2, Status: http.StatusTooManyRequests, RetryAfter: "1"})
	for range 3 {
		resp, err := http.Get(s.URL + "/hfgo/tiny/resolve/main/config.json")
		if err != nil {
			panic(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, resp.Header.Get("Retry-After") != "")
	}
	fmt.Println(limit.Hits(), "requests limited,", len(s.Requests()), "received")
	// Output:
	// 429 true
	// 429 true
	// 200 false
	// 2 requests limited, 3 received
}
