package hubtest_test

import (
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/hfgo/hfgo/hub/hubtest"
)

// cdnLocation returns the CDN URL the Hub redirects a file to.
func cdnLocation(t *testing.T, s *hubtest.Server, file string) string {
	t.Helper()
	r := do(t, "HEAD", s.URL+"/org/tiny/resolve/main/"+file)
	if r.status != 302 {
		t.Fatalf("HEAD %s: %d", file, r.status)
	}
	return r.header.Get("Location")
}

func TestCDN(t *testing.T) {
	t.Parallel()
	s, _ := newTiny(t)
	lenient, _ := newTiny(t, hubtest.WithCDNAuthRejected(false))
	data := tinyFiles()["model.safetensors"]
	size := strconv.Itoa(len(data))
	loc := cdnLocation(t, s, "model.safetensors")
	tampered, _ := url.Parse(loc)
	q := tampered.Query()
	q.Set("Expires", "9999999999")
	tampered.RawQuery = q.Encode()
	for _, tc := range []struct {
		name, url, method string
		headers           []string
		status            int
		contentRange      string
		body              string
	}{
		{"GET", loc, "GET", nil, 200, "", string(data)},
		{"HEAD", loc, "HEAD", nil, 200, "", ""},
		{"probe", loc, "GET", []string{"Range", "bytes=0-0"}, 206, "bytes 0-0/" + size, string(data[:1])},
		{"resume", loc, "GET", []string{"Range", "bytes=100-"}, 206, "bytes 100-" + strconv.Itoa(len(data)-1) + "/" + size, string(data[100:])},
		{"past the end", loc, "GET", []string{"Range", "bytes=" + size + "-"}, 416, "bytes */" + size, ""},
		{"tampered", tampered.String(), "GET", nil, 403, "", ""},
		{"token", loc, "GET", []string{"Authorization", "Bearer hf_x"}, 400, "", ""},
		{"unknown blob", s.CDNURL + "/repos/00/00/" + hubtest.SHA256(nil), "GET", nil, 403, "", ""},
		{"other path", s.CDNURL + "/elsewhere", "GET", nil, 404, "", ""},
	} {
		r := do(t, tc.method, tc.url, tc.headers...)
		if r.status != tc.status || r.header.Get("Content-Range") != tc.contentRange || (tc.status < 300 && r.body != tc.body) {
			t.Errorf("%s: %d Content-Range %q, %d bytes; want %d %q %d bytes", tc.name, r.status,
				r.header.Get("Content-Range"), len(r.body), tc.status, tc.contentRange, len(tc.body))
		}
		if tc.status == 200 && (r.header.Get("Content-Length") != size || r.header.Get("ETag") != quoted(hubtest.SHA256(data))) {
			t.Errorf("%s: Content-Length %q ETag %q", tc.name, r.header.Get("Content-Length"), r.header.Get("ETag"))
		}
	}
	if r := do(t, "GET", cdnLocation(t, lenient, "model.safetensors"), "Authorization", "Bearer hf_x"); r.status != 200 {
		t.Errorf("WithCDNAuthRejected(false): %d", r.status)
	}
}

func TestCDNURLExpires(t *testing.T) {
	t.Parallel()
	s, _ := newTiny(t, hubtest.WithCDNURLLifetime(0))
	r := do(t, "GET", cdnLocation(t, s, "model.safetensors"))
	if r.status != 403 || !strings.Contains(r.body, "expired") {
		t.Errorf("expired URL: %d %q", r.status, r.body)
	}
}
