package hubtest_test

import (
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hfgo/hfgo/hub/hubtest"
)

type sibling struct {
	RFilename string `json:"rfilename"`
	Size      *int64 `json:"size"`
	BlobID    string `json:"blobId"`
	LFS       *struct {
		SHA256      string `json:"sha256"`
		Size        int64  `json:"size"`
		PointerSize int    `json:"pointerSize"`
	} `json:"lfs"`
}

type info struct {
	ID           string    `json:"id"`
	SHA          string    `json:"sha"`
	Private      bool      `json:"private"`
	Gated        any       `json:"gated"`
	Disabled     bool      `json:"disabled"`
	LastModified string    `json:"lastModified"`
	Tags         []string  `json:"tags"`
	PipelineTag  string    `json:"pipeline_tag"`
	LibraryName  string    `json:"library_name"`
	CardData     any       `json:"cardData"`
	Siblings     []sibling `json:"siblings"`
	Safetensors  *struct {
		Parameters map[string]int64 `json:"parameters"`
		Total      int64            `json:"total"`
	} `json:"safetensors"`
}

func TestRepoInfo(t *testing.T) {
	t.Parallel()
	s := hubtest.NewServer(hubtest.WithBasePath("/mirror"))
	defer s.Close()
	files := tinyFiles()
	first := s.AddRepo(hubtest.Repo{ID: "org/tiny", Files: files, Gated: "auto", Tags: []string{"bert"},
		PipelineTag: "fill-mask", LibraryName: "transformers", CardData: map[string]any{"license": "mit"}})
	second := s.Commit("model", "org/tiny", "main", map[string][]byte{"new.txt": []byte("new")})

	var got info
	getJSON(t, s.URL+"/api/models/org/tiny", &got)
	if got.ID != "org/tiny" || got.SHA != second || got.Gated != "auto" || got.Private || got.Disabled ||
		got.PipelineTag != "fill-mask" || got.LibraryName != "transformers" || !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`).MatchString(got.LastModified) {
		t.Errorf("info = %+v", got)
	}
	if diff := cmp.Diff(map[string]any{"license": "mit"}, got.CardData); diff != "" {
		t.Errorf("cardData (-want +got):\n%s", diff)
	}
	var names []string
	for _, sib := range got.Siblings {
		names = append(names, sib.RFilename)
		if sib.Size != nil || sib.LFS != nil || sib.BlobID != "" {
			t.Errorf("sibling %s has blob fields without ?blobs=true", sib.RFilename)
		}
	}
	want := []string{"config.json", "dir with space/a b.txt", "model.safetensors", "new.txt", "onnx/model.onnx", "tokenizer/deep/more.txt", "tokenizer/vocab.txt"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("siblings (-want +got):\n%s", diff)
	}
	if got.Safetensors == nil || got.Safetensors.Total != 9 || got.Safetensors.Parameters["F32"] != 9 {
		t.Errorf("safetensors = %+v, want 9 F32 parameters", got.Safetensors)
	}

	var old info
	getJSON(t, s.URL+"/api/models/org/tiny/revision/"+first+"?blobs=True", &old)
	if old.SHA != first || len(old.Siblings) != len(files) {
		t.Fatalf("revision info: sha %s, %d siblings", old.SHA, len(old.Siblings))
	}
	for _, sib := range old.Siblings {
		data := files[sib.RFilename]
		if sib.Size == nil || *sib.Size != int64(len(data)) {
			t.Errorf("%s: size %v, want %d", sib.RFilename, sib.Size, len(data))
		}
		if hubtest.IsLFS(sib.RFilename, int64(len(data))) {
			if sib.LFS == nil || sib.LFS.SHA256 != hubtest.SHA256(data) || sib.LFS.Size != int64(len(data)) || sib.LFS.PointerSize < 120 {
				t.Errorf("%s: lfs %+v", sib.RFilename, sib.LFS)
			}
		} else if sib.LFS != nil || sib.BlobID != hubtest.GitBlobID(data) {
			t.Errorf("%s: blobId %s lfs %+v", sib.RFilename, sib.BlobID, sib.LFS)
		}
	}
	var byTag info
	if err := s.Tag("model", "org/tiny", "v1", first); err != nil {
		t.Fatal(err)
	}
	getJSON(t, s.URL+"/api/models/org/tiny/revision/refs%2Ftags%2Fv1", &byTag)
	if byTag.SHA != first {
		t.Errorf("revision refs/tags/v1: sha %s, want %s", byTag.SHA, first)
	}
}

type entry struct {
	Type string `json:"type"`
	OID  string `json:"oid"`
	Size int64  `json:"size"`
	Path string `json:"path"`
	LFS  *struct {
		OID         string `json:"oid"`
		Size        int64  `json:"size"`
		PointerSize int    `json:"pointerSize"`
	} `json:"lfs"`
}

// listAll follows a tree listing's Link headers and returns every entry and
// the number of pages.
func listAll(t *testing.T, u string, headers ...string) ([]entry, int) {
	t.Helper()
	var all []entry
	pages := 0
	for u != "" {
		var page []entry
		r := getJSON(t, u, &page, headers...)
		all = append(all, page...)
		pages++
		u = ""
		if link := r.header.Get("Link"); link != "" {
			m := regexp.MustCompile(`^<([^>]+)>; rel="next"$`).FindStringSubmatch(link)
			if m == nil {
				t.Fatalf("Link header %q", link)
			}
			if next, err := url.Parse(m[1]); err != nil || !next.IsAbs() || !strings.HasPrefix(next.Path, "/mirror/") {
				t.Fatalf("next page URL %q is not absolute under the base path", m[1])
			}
			u = m[1]
		}
		if pages > 100 {
			t.Fatal("pagination does not end")
		}
	}
	return all, pages
}

func TestTree(t *testing.T) {
	t.Parallel()
	s, sha := newTiny(t)
	files := tinyFiles()
	paths := func(es []entry) []string {
		var out []string
		for _, e := range es {
			out = append(out, e.Type[:1]+":"+e.Path)
		}
		return out
	}
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"/tree/main", []string{"f:config.json", "d:dir with space", "f:model.safetensors", "d:onnx", "d:tokenizer"}},
		{"/tree/main?recursive=true&expand=false", []string{"f:config.json", "d:dir with space", "f:dir with space/a b.txt",
			"f:model.safetensors", "d:onnx", "f:onnx/model.onnx", "d:tokenizer", "d:tokenizer/deep", "f:tokenizer/deep/more.txt", "f:tokenizer/vocab.txt"}},
		{"/tree/main/tokenizer", []string{"d:tokenizer/deep", "f:tokenizer/vocab.txt"}},
		{"/tree/" + sha + "/tokenizer?recursive=True", []string{"d:tokenizer/deep", "f:tokenizer/deep/more.txt", "f:tokenizer/vocab.txt"}},
		{"/tree/main/dir%20with%20space", []string{"f:dir with space/a b.txt"}},
	} {
		got, _ := listAll(t, s.URL+"/api/models/org/tiny"+tc.query)
		if diff := cmp.Diff(tc.want, paths(got)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.query, diff)
		}
		for _, e := range got {
			data, isFile := files[e.Path]
			switch {
			case !isFile && (e.Type != "directory" || len(e.OID) != 40):
				t.Errorf("%s: directory entry %+v", tc.query, e)
			case isFile && hubtest.IsLFS(e.Path, int64(len(data))):
				if e.LFS == nil || e.LFS.OID != hubtest.SHA256(data) || e.Size != int64(len(data)) || e.OID == hubtest.GitBlobID(data) {
					t.Errorf("%s: LFS entry %+v", tc.query, e)
				}
			case isFile && (e.OID != hubtest.GitBlobID(data) || e.Size != int64(len(data)) || e.LFS != nil):
				t.Errorf("%s: entry %+v", tc.query, e)
			}
		}
	}
	if r := do(t, "GET", s.URL+"/api/models/org/tiny/tree/main/config.json"); r.status != 404 || r.header.Get("X-Error-Code") != "EntryNotFound" {
		t.Errorf("tree of a file: %d %s", r.status, r.header.Get("X-Error-Code"))
	}
	if r := do(t, "GET", s.URL+"/api/models/org/tiny/tree/main/nope"); r.status != 404 || r.header.Get("X-Error-Code") != "EntryNotFound" {
		t.Errorf("tree of a missing folder: %d %s", r.status, r.header.Get("X-Error-Code"))
	}
}

func TestTreePagination(t *testing.T) {
	t.Parallel()
	big, _ := newTiny(t)
	small, _ := newTiny(t, hubtest.WithPageSize(3))
	const q = "/api/models/org/tiny/tree/main?recursive=true&expand=false"
	want, pages := listAll(t, big.URL+q)
	if pages != 1 {
		t.Fatalf("%d pages at the default page size", pages)
	}
	got, pages := listAll(t, small.URL+q)
	if pages != 4 {
		t.Errorf("%d pages of 3 for %d entries, want 4", pages, len(want))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("paginated listing differs (-one page +pages):\n%s", diff)
	}
	if r := do(t, "GET", small.URL+q+"&cursor=not*base64"); r.status != http.StatusBadRequest {
		t.Errorf("bad cursor: %d", r.status)
	}
}

func TestRefs(t *testing.T) {
	t.Parallel()
	s, first := newTiny(t)
	dev := s.Commit("model", "org/tiny", "dev", map[string][]byte{"d": []byte("d")})
	if err := s.Tag("model", "org/tiny", "v1", first); err != nil {
		t.Fatal(err)
	}
	_, pr := s.OpenPR("model", "org/tiny", map[string][]byte{"p": []byte("p")})
	type ref struct{ Name, Ref, TargetCommit string }
	type refs struct {
		Branches, Converts, Tags []ref
		PullRequests             *[]ref
	}
	var got refs
	getJSON(t, s.URL+"/api/models/org/tiny/refs", &got)
	want := refs{
		Branches: []ref{{"dev", "refs/heads/dev", dev}, {"main", "refs/heads/main", first}},
		Converts: []ref{}, Tags: []ref{{"v1", "refs/tags/v1", first}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("refs (-want +got):\n%s", diff)
	}
	got = refs{}
	getJSON(t, s.URL+"/api/models/org/tiny/refs?include_prs=1", &got)
	want.PullRequests = &[]ref{{"refs/pr/1", "refs/pr/1", pr}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("refs with PRs (-want +got):\n%s", diff)
	}
}

func TestPathsInfo(t *testing.T) {
	t.Parallel()
	s, _ := newTiny(t)
	u := s.URL + "/api/models/org/tiny/paths-info/main"
	for _, tc := range []struct{ ctype, body string }{
		{"application/x-www-form-urlencoded", "paths=config.json&paths=onnx&paths=missing&expand=False"},
		{"application/json", `{"paths": ["config.json", "onnx", "missing"]}`},
	} {
		resp, err := http.Post(u, tc.ctype, strings.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		var got []entry
		err = decodeJSON(resp, &got)
		if err != nil || len(got) != 2 || got[0].Path != "config.json" || got[0].Type != "file" || got[1].Path != "onnx" || got[1].Type != "directory" {
			t.Errorf("%s: %v %+v", tc.ctype, err, got)
		}
	}
}

func TestRepoInfoExpand(t *testing.T) {
	t.Parallel()
	s, sha := newTiny(t)
	var got map[string]any
	getJSON(t, s.URL+"/api/models/org/tiny/revision/HEAD?expand=sha&expand=safetensors&expand[]=gated&expand=nope", &got)
	keys := slices.Sorted(maps.Keys(got))
	if diff := cmp.Diff([]string{"_id", "gated", "id", "safetensors", "sha"}, keys); diff != "" || got["sha"] != sha {
		t.Errorf("expanded fields (-want +got):\n%s sha %v", diff, got["sha"])
	}
}

func TestCommits(t *testing.T) {
	t.Parallel()
	s, first := newTiny(t)
	var want []string
	for i := range 4 {
		want = append([]string{s.Commit("model", "org/tiny", "main", map[string][]byte{"n": {byte(i)}})}, want...)
	}
	want = append(want, first)
	type commit struct {
		ID, Title, Date string
		Authors         []struct{ User string }
	}
	var got []string
	u := s.URL + "/api/models/org/tiny/commits/main?limit=2"
	for pages := 0; u != ""; pages++ {
		var page []commit
		r := getJSON(t, u, &page)
		for _, c := range page {
			if c.Title == "" || len(c.Authors) != 1 || c.Date == "" {
				t.Errorf("commit %+v", c)
			}
			got = append(got, c.ID)
		}
		u = strings.TrimSuffix(strings.TrimPrefix(r.header.Get("Link"), "<"), `>; rel="next"`)
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	if r := do(t, "GET", s.URL+"/api/models/org/tiny/commits/nope"); r.status != 404 || r.header.Get("X-Error-Code") != "RevisionNotFound" {
		t.Errorf("unknown revision: %d", r.status)
	}
}

func TestTreeExpandLastCommit(t *testing.T) {
	t.Parallel()
	s, first := newTiny(t)
	second := s.Commit("model", "org/tiny", "main", map[string][]byte{"tokenizer/vocab.txt": []byte("new")})
	type expandedEntry struct {
		Path       string
		LastCommit struct{ ID, Title, Date string }
	}
	var got []expandedEntry
	getJSON(t, s.URL+"/api/models/org/tiny/tree/main?recursive=true&expand=true", &got)
	want := map[string]string{"config.json": first, "tokenizer": second, "tokenizer/vocab.txt": second, "tokenizer/deep": first, "onnx/model.onnx": first}
	for _, e := range got {
		if w, ok := want[e.Path]; ok && (e.LastCommit.ID != w || e.LastCommit.Title == "" || e.LastCommit.Date == "") {
			t.Errorf("%s: last commit %+v, want %s", e.Path, e.LastCommit, w)
		}
	}
	resp, err := http.Post(s.URL+"/api/models/org/tiny/paths-info/main", "application/x-www-form-urlencoded", strings.NewReader("paths=tokenizer/vocab.txt&expand=True"))
	if err != nil {
		t.Fatal(err)
	}
	got = nil
	if err := decodeJSON(resp, &got); err != nil || len(got) != 1 || got[0].LastCommit.ID != second {
		t.Errorf("paths-info expand: %v %+v", err, got)
	}
}
