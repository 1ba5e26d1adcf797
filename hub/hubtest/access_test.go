package hubtest_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/hfgo/hfgo/hub/hubtest"
)

func TestAccessControlAndErrors(t *testing.T) {
	t.Parallel()
	s := hubtest.NewServer()
	defer s.Close()
	files := map[string][]byte{"config.json": []byte("{}"), "model.bin": []byte("weights")}
	s.AddRepo(hubtest.Repo{ID: "org/private", Files: files, Private: true})
	s.AddRepo(hubtest.Repo{ID: "org/gated", Files: files, Gated: "manual"})
	s.AddRepo(hubtest.Repo{ID: "org/disabled", Files: files, Disabled: true})
	s.AddRepo(hubtest.Repo{ID: "org/public", Files: files})
	s.AddToken("hf_reader", "org/private", "org/gated")
	s.AddToken("hf_other")
	const (
		anon  = ""
		good  = "hf_reader"
		other = "hf_other"
		bad   = "hf_unknown"
	)
	for _, tc := range []struct {
		path, token string
		status      int
		code, msg   string
	}{
		{"/org/public/resolve/main/config.json", anon, 200, "", ""},
		{"/org/public/resolve/main/config.json", bad, 401, "", "Invalid credentials in Authorization header"},
		{"/api/models/org/public", bad, 401, "", "Invalid credentials in Authorization header"},
		{"/org/public/resolve/nope/config.json", anon, 404, "RevisionNotFound", "Invalid rev id: nope"},
		{"/api/models/org/public/revision/nope", anon, 404, "RevisionNotFound", "Invalid rev id: nope"},
		{"/api/models/org/public/tree/nope", anon, 404, "RevisionNotFound", "Invalid rev id: nope"},
		{"/org/public/resolve/main/missing.json", anon, 404, "EntryNotFound", "Entry not found"},
		{"/org/missing/resolve/main/config.json", anon, 401, "RepoNotFound", "Repository not found"},
		{"/org/missing/resolve/main/config.json", other, 404, "RepoNotFound", "Repository not found"},
		{"/api/models/org/missing", anon, 401, "RepoNotFound", "Repository not found"},
		{"/org/private/resolve/main/config.json", anon, 401, "RepoNotFound", "Repository not found"},
		{"/org/private/resolve/main/config.json", other, 404, "RepoNotFound", "Repository not found"},
		{"/org/private/resolve/main/config.json", good, 200, "", ""},
		{"/api/models/org/private", anon, 401, "RepoNotFound", "Repository not found"},
		{"/api/models/org/private/tree/main", other, 404, "RepoNotFound", "Repository not found"},
		{"/api/models/org/private", good, 200, "", ""},
		{"/org/gated/resolve/main/config.json", anon, 401, "GatedRepo",
			"Access to model org/gated is restricted. You must have access to it and be authenticated to access it. Please log in."},
		{"/org/gated/resolve/main/config.json", other, 403, "GatedRepo",
			"Access to model org/gated is restricted and you are not in the authorized list. Visit " + s.URL + "/org/gated to ask for access."},
		{"/org/gated/resolve/main/model.bin", good, 302, "", ""},
		{"/api/models/org/gated", anon, 200, "", ""},
		{"/api/models/org/gated/tree/main", anon, 200, "", ""},
		{"/org/disabled/resolve/main/config.json", anon, 403, "", "Access to this resource is disabled."},
		{"/api/models/org/disabled", good, 403, "", "Access to this resource is disabled."},
		{"/api/unknown/route", anon, 404, "", "Not Found"},
	} {
		for _, method := range []string{"GET", "HEAD"} {
			var headers []string
			if tc.token != "" {
				headers = []string{"Authorization", "Bearer " + tc.token}
			}
			r := do(t, method, s.URL+tc.path, headers...)
			if r.status != tc.status {
				t.Errorf("%s %s (token %q): status %d, want %d", method, tc.path, tc.token, r.status, tc.status)
				continue
			}
			if tc.msg == "" {
				continue
			}
			if r.header.Get("X-Error-Code") != tc.code || r.header.Get("X-Error-Message") != tc.msg {
				t.Errorf("%s %s: X-Error-Code %q X-Error-Message %q, want %q %q", method, tc.path,
					r.header.Get("X-Error-Code"), r.header.Get("X-Error-Message"), tc.code, tc.msg)
			}
			if tc.code == "EntryNotFound" && r.header.Get("X-Repo-Commit") == "" {
				t.Errorf("%s %s: EntryNotFound without X-Repo-Commit", method, tc.path)
			}
			if method == http.MethodHead {
				if r.body != "" {
					t.Errorf("HEAD %s has a body", tc.path)
				}
				continue
			}
			var body map[string]string
			if err := json.Unmarshal([]byte(r.body), &body); err != nil || body["error"] != tc.msg {
				t.Errorf("GET %s: body %q, want {\"error\": %q}", tc.path, r.body, tc.msg)
			}
		}
	}
}

func TestTokenGrantsFollowRename(t *testing.T) {
	t.Parallel()
	s := hubtest.NewServer()
	defer s.Close()
	s.AddRepo(hubtest.Repo{Type: "dataset", ID: "org/d", Private: true, Files: map[string][]byte{"a.csv": []byte("1")}})
	s.AddToken("hf_t", "datasets/org/d")
	if err := s.Rename("dataset", "org/d", "org/d2"); err != nil {
		t.Fatal(err)
	}
	if r := do(t, "GET", s.URL+"/datasets/org/d2/resolve/main/a.csv", "Authorization", "Bearer hf_t"); r.status != 200 {
		t.Errorf("renamed private dataset: %d", r.status)
	}
	if err := s.Rename("dataset", "org/missing", "org/x"); err == nil {
		t.Error("renaming a missing repo succeeded")
	}
}
