package hub

import (
	"encoding/json"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestDecodeTreePage(t *testing.T) {
	t.Parallel()
	files, err := decodeTreePage(mustRead(t, "testdata/tree_page.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := []RepoFile{
		{Path: ".gitattributes", Size: 1519, OID: "a6344aac8c09253b3b630fb776ae94478aa0275b"},
		{Path: "config.json", Size: 570, OID: "45a2321a7ecfdaaf60a6c1fd7f5463994cc8907d"},
		{Path: "model.safetensors", Size: 440449768, OID: "dd8c2b6f5e1f4b53a0f8ab7d6b2a1c5a3c4b2e1d",
			LFS: &LFSInfo{SHA256: "68d45e234eb4a928074dfd868cead0219ab85354cc53d20e772753c6bb9169d3", Size: 440449768, PointerSize: 135}},
		{Path: "vocab.txt", Size: 231508, OID: "fb140275c155a9c7c5a3b3e0e77a9e839594a938"},
		{Path: "coreml/fill-mask/float32_model.mlpackage/Manifest.json", Size: 1000, OID: "9a1b2c3d4e5f60718293a4b5c6d7e8f901234567"},
	}
	if diff := cmp.Diff(want, files); diff != "" {
		t.Errorf("decodeTreePage (-want +got):\n%s", diff)
	}
	if files[2].ETag() != files[2].LFS.SHA256 || files[1].ETag() != files[1].OID || !files[2].IsLFS() {
		t.Error("ETag: LFS sha256 for LFS files, git oid otherwise")
	}
}

func TestDecodeRepoInfo(t *testing.T) {
	t.Parallel()
	var info RepoInfo
	if err := json.Unmarshal(mustRead(t, "testdata/repo_info.json"), &info); err != nil {
		t.Fatal(err)
	}
	if info.ID != "google-bert/bert-base-uncased" || info.SHA != "86b5e0934494bd15c9632b12f734a8a67f723594" || info.Gated != "" ||
		info.PipelineTag != "fill-mask" || info.Safetensors == nil || info.Safetensors.Total != 110106428 ||
		len(info.Siblings) != 3 || info.Siblings[2].LFS.SHA256 != "68d45e234eb4a928074dfd868cead0219ab85354cc53d20e772753c6bb9169d3" ||
		info.LastModified.Year() != 2024 {
		t.Errorf("info = %+v", info)
	}
	for in, want := range map[string]Gated{`false`: "", `"auto"`: "auto", `"manual"`: "manual", `true`: "true"} {
		var g Gated
		if err := json.Unmarshal([]byte(in), &g); err != nil || g != want {
			t.Errorf("gated %s = %q, %v", in, g, err)
		}
	}
}

func FuzzDecodeTreePage(f *testing.F) {
	for _, name := range []string{"testdata/tree_page.json", "testdata/repo_info.json"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`[{"type":"file","path":"../x","size":1}]`))
	f.Add([]byte(`[{"type":"file","path":"a","size":-1,"lfs":{"oid":"x","size":-5}}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		files, err := decodeTreePage(data)
		if err != nil {
			return
		}
		for _, fl := range files {
			if checkRelPath(fl.Path) != nil || fl.Size < 0 {
				t.Errorf("accepted entry %+v", fl)
			}
		}
	})
}

func FuzzParseContentRange(f *testing.F) {
	for _, s := range []string{"bytes 0-99/100", "bytes 10-19/*", "bytes */100", "bytes 5-4/10", "bytes 0-99/99", "bytes -1-2/3", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		first, last, total, err := parseContentRange(s)
		if err != nil {
			return
		}
		if first < 0 || last < first || (total != -1 && total <= last) {
			t.Errorf("parseContentRange(%q) = %d, %d, %d", s, first, last, total)
		}
	})
}

func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"3", "Wed, 21 Oct 2015 07:28:00 GMT", `"api";r=0;t=55`, "t=-1", "-5", ""} {
		f.Add(s)
	}
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		for _, h := range []http.Header{{"Retry-After": {s}}, {"Ratelimit": {s}}} {
			if d, ok := retryAfter(h, now); d < 0 || (!ok && d != 0) {
				t.Errorf("retryAfter(%v) = %v, %v", h, d, ok)
			}
		}
	})
}

func FuzzNextPage(f *testing.F) {
	for _, s := range []string{
		`<https://hub.example/api/models/a/b/tree/main?cursor=abc>; rel="next"`,
		`</api/models/a/b/tree/main?cursor=x>; rel="next", <https://hub.example/x>; rel="prev"`,
		`<https://evil.example/steal>; rel="next"`,
		`<//evil.example/x>; rel="next"`,
		`garbage`,
	} {
		f.Add(s)
	}
	c, err := NewClient(WithEnv(noEnv), WithEndpoint("https://hub.example"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, link string) {
		next, err := c.nextPage("https://hub.example/api/models/a/b/tree/main", http.Header{"Link": {link}})
		if err != nil || next == "" {
			return
		}
		if !c.isEndpointHost(next) {
			t.Errorf("Link %q leads off the endpoint to %q", link, next)
		}
	})
}

// FuzzLocalMetadata checks that a .metadata file never panics the reader,
// and that what it accepts survives a write and a read back.
func FuzzLocalMetadata(f *testing.F) {
	f.Add("11c5a3d5811f50298f278a704980280950aedb10\na16a55fda99d2f2e7b69cce5cf93ff4ad3049930\n9712656091.123\n")
	f.Add("x\ny\nnot a float\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, content string) {
		dir := t.TempDir()
		p, err := newLocalPaths(dir, "config.json")
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(p.file, []byte("{}"), 0o644)
		os.WriteFile(p.metadata, []byte(content), 0o644)
		md := readLocalMetadata(p)
		if md == nil {
			return
		}
		if err := writeLocalMetadata(p, md.commit, md.etag); err != nil {
			t.Fatal(err)
		}
		again := readLocalMetadata(p)
		if again == nil || again.commit != md.commit || again.etag != md.etag {
			t.Errorf("metadata %q read as %+v, then %+v after a write", content, md, again)
		}
	})
}
