package hubtest_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hfgo/hfgo/hub/hubtest"
)

// write creates a file and its folders.
func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

func TestLoadDirPlainLayout(t *testing.T) {
	t.Parallel()
	dir, elsewhere := t.TempDir(), t.TempDir()
	write(t, filepath.Join(dir, "README.md"), "not a repo")
	write(t, filepath.Join(dir, "org/model-a/config.json"), `{"model_type": "bert"}`)
	write(t, filepath.Join(dir, "org/model-a/.gitattributes"), "*.bin filter=lfs\n")
	write(t, filepath.Join(dir, "org/model-a/.git/HEAD"), "ref: refs/heads/main")
	write(t, filepath.Join(dir, "org/model-a/.cache/huggingface/download/config.json.metadata"), "x")
	write(t, filepath.Join(elsewhere, "weights.bin"), "weights")
	symlink(t, filepath.Join(elsewhere, "weights.bin"), filepath.Join(dir, "org/model-a/sub/pytorch_model.bin"))
	write(t, filepath.Join(elsewhere, "repo-b/file.txt"), "b")
	symlink(t, filepath.Join(elsewhere, "repo-b"), filepath.Join(dir, "org/model-b"))
	write(t, filepath.Join(dir, "gpt2/config.json"), "{}")
	write(t, filepath.Join(dir, "datasets/org/data/train.csv"), "a,b\n")
	write(t, filepath.Join(dir, "spaces/org/app/app.py"), "print()")
	write(t, filepath.Join(dir, ".hidden/org/x/y"), "skipped")

	s := hubtest.NewServer(hubtest.WithDir(dir))
	defer s.Close()
	want := []string{"datasets/org/data", "gpt2", "org/model-a", "org/model-b", "spaces/org/app"}
	if diff := cmp.Diff(want, s.Repos()); diff != "" {
		t.Fatalf("repos (-want +got):\n%s", diff)
	}
	var got info
	getJSON(t, s.URL+"/api/models/org/model-a", &got)
	var names []string
	for _, sib := range got.Siblings {
		names = append(names, sib.RFilename)
	}
	if diff := cmp.Diff([]string{".gitattributes", "config.json", "sub/pytorch_model.bin"}, names); diff != "" {
		t.Errorf("model-a files (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"transformers", "bert", "pytorch"}, got.Tags); diff != "" || got.LibraryName != "transformers" {
		t.Errorf("inferred tags (-want +got):\n%s library %q", diff, got.LibraryName)
	}
	for path, body := range map[string]string{
		"/org/model-b/resolve/main/file.txt":              "b",
		"/gpt2/resolve/main/config.json":                  "{}",
		"/datasets/org/data/resolve/main/train.csv":       "a,b\n",
		"/spaces/org/app/resolve/main/app.py":             "print()",
		"/org/model-a/resolve/main/.gitattributes":        "*.bin filter=lfs\n",
		"/org/model-a/resolve/main/sub/pytorch_model.bin": "weights",
	} {
		if r := do(t, "GET", s.URL+path); r.status == 302 {
			if c := do(t, "GET", r.header.Get("Location")); c.body != body {
				t.Errorf("%s via the CDN: %q", path, c.body)
			}
		} else if r.status != 200 || r.body != body {
			t.Errorf("%s: %d %q, want %q", path, r.status, r.body, body)
		}
	}
}

// cacheRepo lays out a Hugging Face cache repo folder: blobs named by etag,
// snapshots of relative symlinks, refs without trailing newline.
type cacheRepo struct {
	t   *testing.T
	dir string
}

func (c cacheRepo) file(commit, path, content string) string {
	etag := hubtest.GitBlobID([]byte(content))
	if hubtest.IsLFS(path, int64(len(content))) {
		etag = hubtest.SHA256([]byte(content))
	}
	write(c.t, filepath.Join(c.dir, "blobs", etag), content)
	target := strings.Repeat("../", strings.Count(path, "/")+2) + "blobs/" + etag
	symlink(c.t, target, filepath.Join(c.dir, "snapshots", commit, path))
	return etag
}

func (c cacheRepo) ref(name, commit string) {
	write(c.t, filepath.Join(c.dir, "refs", name), commit)
}

func TestLoadDirCache(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, b, pr := strings.Repeat("a", 40), strings.Repeat("b", 40), strings.Repeat("c", 40)
	m := cacheRepo{t, filepath.Join(dir, "models--org--cached")}
	oldCfg := m.file(a, "config.json", `{"v": 1}`)
	weights := m.file(a, "model.safetensors", string(safetensorsFile(map[string][]int{"w": {4, 4}})))
	newCfg := m.file(b, "config.json", `{"v": 2}`)
	m.file(b, "model.safetensors", string(safetensorsFile(map[string][]int{"w": {4, 4}})))
	write(t, filepath.Join(m.dir, "snapshots", b, "sub/copied.txt"), "a copy, no symlink")
	m.file(pr, "pr.txt", "pr")
	m.ref("main", b)
	m.ref("refs/pr/1", pr)
	m.ref("gone", strings.Repeat("d", 40)) // not cached: skipped
	write(t, filepath.Join(dir, ".locks/models--org--cached/x.lock"), "")
	write(t, filepath.Join(dir, "CACHEDIR.TAG"), "Signature: 8a477f597d28d172789f06886806bc55")
	d := cacheRepo{t, filepath.Join(dir, "datasets--org--data")}
	d.file(a, "train.csv", "x,y\n")

	s := hubtest.NewServer(hubtest.WithDir(dir))
	defer s.Close()
	if diff := cmp.Diff([]string{"datasets/org/data", "org/cached"}, s.Repos()); diff != "" {
		t.Fatalf("repos (-want +got):\n%s", diff)
	}
	for _, tc := range []struct {
		path, commit, etag, body string
		status                   int
	}{
		{"/org/cached/resolve/main/config.json", b, newCfg, `{"v": 2}`, 200},
		{"/org/cached/resolve/" + a + "/config.json", a, oldCfg, `{"v": 1}`, 200},
		{"/org/cached/resolve/" + a + "/model.safetensors", a, weights, "", 302},
		{"/org/cached/resolve/main/sub/copied.txt", b, hubtest.GitBlobID([]byte("a copy, no symlink")), "a copy, no symlink", 200},
		{"/org/cached/resolve/refs%2Fpr%2F1/pr.txt", pr, hubtest.GitBlobID([]byte("pr")), "pr", 200},
		{"/datasets/org/data/resolve/main/train.csv", a, hubtest.GitBlobID([]byte("x,y\n")), "x,y\n", 200},
	} {
		r := do(t, "GET", s.URL+tc.path)
		etag := r.header.Get("ETag")
		if tc.status == 302 {
			etag = r.header.Get("X-Linked-Etag")
		}
		if r.status != tc.status || r.header.Get("X-Repo-Commit") != tc.commit || etag != quoted(tc.etag) || tc.status == 200 && r.body != tc.body {
			t.Errorf("%s: %d commit %s etag %s body %q", tc.path, r.status, r.header.Get("X-Repo-Commit"), etag, r.body)
		}
	}
	var refs struct {
		Branches     []struct{ Name, TargetCommit string }
		PullRequests []struct{ Name, TargetCommit string }
	}
	getJSON(t, s.URL+"/api/models/org/cached/refs?include_prs=true", &refs)
	if len(refs.Branches) != 1 || refs.Branches[0].TargetCommit != b || len(refs.PullRequests) != 1 || refs.PullRequests[0].TargetCommit != pr {
		t.Errorf("refs %+v", refs)
	}
	var inf info
	getJSON(t, s.URL+"/api/models/org/cached", &inf)
	if inf.Safetensors == nil || inf.Safetensors.Total != 16 {
		t.Errorf("safetensors %+v", inf.Safetensors)
	}
}

func TestLoadDirErrors(t *testing.T) {
	t.Parallel()
	dup := t.TempDir()
	write(t, filepath.Join(dup, "org/x/a"), "1")
	cacheRepo{t, filepath.Join(dup, "models--org--x")}.file(strings.Repeat("a", 40), "a", "1")
	loop := t.TempDir()
	symlink(t, ".", filepath.Join(loop, "org/x/self"))
	write(t, filepath.Join(loop, "org/x/a"), "1")
	bad := t.TempDir()
	write(t, filepath.Join(bad, "org/bad--name/a"), "1")
	for name, dir := range map[string]string{"missing": filepath.Join(dup, "nope"), "duplicate": dup, "symlink loop": loop, "bad id": bad} {
		s := hubtest.NewUnstartedServer()
		if err := s.LoadDir(dir); err == nil || !strings.HasPrefix(err.Error(), "hubtest: ") {
			t.Errorf("%s: err %v", name, err)
		}
	}
}

// TestLoadDirBundledRepos serves testdata/hub and checks every file against
// the sha256 the fixtures' manifest records.
func TestLoadDirBundledRepos(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..", "testdata")
	var manifest struct {
		Files []struct {
			Path   string
			Bytes  int64
			SHA256 string
		}
	}
	raw, err := os.ReadFile(filepath.Join(root, "fixtures", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &manifest); err != nil {
		t.Fatal(err)
	}
	sums := map[string]string{}
	for _, f := range manifest.Files {
		sums[f.Path] = f.SHA256
	}
	s := hubtest.NewServer(hubtest.WithDir(filepath.Join(root, "hub")))
	defer s.Close()
	want := []string{"hfgo/tiny-bert", "hfgo/tiny-bert-sharded", "hfgo/tiny-gpt2", "hfgo/tiny-gpt2-pytorch"}
	if diff := cmp.Diff(want, s.Repos()); diff != "" {
		t.Fatalf("repos (-want +got):\n%s", diff)
	}
	checked, inManifest := 0, 0
	for _, repo := range want {
		var inf info
		getJSON(t, s.URL+"/api/models/"+repo+"?blobs=true", &inf)
		for _, sib := range inf.Siblings {
			local, err := os.ReadFile(filepath.Join(root, "hub", repo, sib.RFilename))
			if err != nil {
				t.Fatal(err)
			}
			want := hubtest.SHA256(local)
			if link, err := os.Readlink(filepath.Join(root, "hub", repo, sib.RFilename)); err == nil {
				rel, ok := strings.CutPrefix(filepath.ToSlash(link), "../../../fixtures/")
				if sum, listed := sums[rel]; ok && listed {
					inManifest++
					if sum != want {
						t.Errorf("%s/%s: the fixture's sha256 is %s, the manifest says %s", repo, sib.RFilename, want, sum)
					}
				}
			}
			r := do(t, "GET", s.URL+"/"+repo+"/resolve/main/"+sib.RFilename)
			if r.status == 302 {
				r = do(t, "GET", r.header.Get("Location"))
			}
			if got := hubtest.SHA256([]byte(r.body)); got != want {
				t.Errorf("%s/%s: sha256 %s, want %s", repo, sib.RFilename, got, want)
			}
			if sib.LFS != nil && sib.LFS.SHA256 != want {
				t.Errorf("%s/%s: lfs sha256 %s", repo, sib.RFilename, sib.LFS.SHA256)
			}
			checked++
		}
	}
	if checked < 28 || inManifest < 20 {
		t.Errorf("only %d files checked, %d against the manifest", checked, inManifest)
	}
}

// TestBundledShardedParameters checks the safetensors parameter count the
// info route gives a sharded repo against the shapes in the formats
// fixture's manifest.
func TestBundledShardedParameters(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..", "testdata")
	raw, err := os.ReadFile(filepath.Join(root, "fixtures", "formats", "bert", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var manifest struct {
		Files map[string]struct {
			Tensors map[string]struct {
				Dtype string
				Shape []int64
			}
		}
	}
	if err := json.Unmarshal(raw, &manifest); err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{}
	for name, f := range manifest.Files {
		if !strings.HasPrefix(name, "sharded_safetensors/") {
			continue
		}
		for _, tensor := range f.Tensors {
			n := int64(1)
			for _, d := range tensor.Shape {
				n *= d
			}
			want[tensor.Dtype] += n
		}
	}
	if len(want) == 0 {
		t.Fatal("no sharded_safetensors tensors in the manifest")
	}
	s := hubtest.NewServer(hubtest.WithDir(filepath.Join(root, "hub")))
	defer s.Close()
	var inf info
	getJSON(t, s.URL+"/api/models/hfgo/tiny-bert-sharded", &inf)
	if inf.Safetensors == nil {
		t.Fatal("no safetensors field")
	}
	if diff := cmp.Diff(want, inf.Safetensors.Parameters); diff != "" {
		t.Errorf("parameters (-manifest +served):\n%s", diff)
	}
}

// TestLoadDirCommitsAreStable loads the bundled repos twice, once after
// other repos: each repo gets the same commit.
func TestLoadDirCommitsAreStable(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("..", "..", "testdata", "hub")
	a := hubtest.NewServer(hubtest.WithDir(dir))
	defer a.Close()
	b := hubtest.NewServer()
	defer b.Close()
	b.AddRepo(hubtest.Repo{ID: "other/repo", Files: map[string][]byte{"x": []byte("x")}})
	if err := b.LoadDir(dir); err != nil {
		t.Fatal(err)
	}
	for _, repo := range a.Repos() {
		ra := do(t, "HEAD", a.URL+"/"+repo+"/resolve/main/config.json")
		rb := do(t, "HEAD", b.URL+"/"+repo+"/resolve/main/config.json")
		if c := ra.header.Get("X-Repo-Commit"); len(c) != 40 || c != rb.header.Get("X-Repo-Commit") {
			t.Errorf("%s: commit %q, then %q", repo, c, rb.header.Get("X-Repo-Commit"))
		}
	}
}

// TestLoadDirCacheMain: without refs/main, main is the one snapshot no ref
// names, never a newer PR head or another branch's commit; when that is
// ambiguous, main is a RevisionNotFound.
func TestLoadDirCacheMain(t *testing.T) {
	t.Parallel()
	a, b, c := strings.Repeat("a", 40), strings.Repeat("b", 40), strings.Repeat("c", 40)
	for _, tc := range []struct {
		name  string
		snaps []string          // oldest first
		refs  map[string]string // name -> commit
		main  string            // "" for RevisionNotFound
	}{
		{"refs/main", []string{a, b}, map[string]string{"main": a}, a},
		{"newer PR head", []string{a, b}, map[string]string{"refs/pr/1": b}, a},
		{"newer branch", []string{a, b}, map[string]string{"dev": b}, a},
		{"one snapshot", []string{a}, nil, a},
		{"two unnamed", []string{a, b, c}, map[string]string{"refs/pr/2": c}, ""},
		{"all named", []string{a, b}, map[string]string{"dev": a, "refs/pr/1": b}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			m := cacheRepo{t, filepath.Join(dir, "models--org--cached")}
			when := time.Now().Add(-time.Hour)
			for i, sha := range tc.snaps {
				m.file(sha, "config.json", `{"snapshot": "`+sha[:1]+`"}`)
				at := when.Add(time.Duration(i) * time.Minute)
				if err := os.Chtimes(filepath.Join(m.dir, "snapshots", sha), at, at); err != nil {
					t.Fatal(err)
				}
			}
			for name, sha := range tc.refs {
				m.ref(name, sha)
			}
			s := hubtest.NewServer(hubtest.WithDir(dir))
			defer s.Close()
			for _, path := range []string{"/org/cached/resolve/main/config.json", "/api/models/org/cached/revision/main"} {
				r := do(t, "GET", s.URL+path)
				if tc.main == "" {
					if r.status != 404 || r.header.Get("X-Error-Code") != "RevisionNotFound" {
						t.Errorf("%s: %d %s, want 404 RevisionNotFound", path, r.status, r.header.Get("X-Error-Code"))
					}
					continue
				}
				if r.status != 200 || r.header.Get("X-Repo-Commit") != tc.main && !strings.Contains(r.body, `"sha":"`+tc.main+`"`) {
					t.Errorf("%s: %d commit %q body %.80q, want %s", path, r.status, r.header.Get("X-Repo-Commit"), r.body, tc.main)
				}
			}
		})
	}
}
