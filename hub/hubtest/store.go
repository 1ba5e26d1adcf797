package hubtest

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// epoch is the time of a Server's first commit; each later commit is a
// minute later, so timestamps and commit shas are reproducible.
var epoch = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

// AddRepo adds a repo whose main branch holds one commit with r.Files, and
// returns that commit's sha. It panics on an invalid type, id or file path,
// or if the repo exists.
func (s *Server) AddRepo(r Repo) string {
	typ, err := normType(r.Type)
	if err == nil {
		err = checkRepoID(r.ID)
	}
	if err != nil {
		panic(err)
	}
	if r.Gated != "" && r.Gated != "auto" && r.Gated != "manual" {
		panic(fmt.Errorf("hubtest: repo %s: gated is %q, want \"\", \"auto\" or \"manual\"", r.ID, r.Gated))
	}
	files := map[string]*file{}
	for name, data := range r.Files {
		if err := checkFilePath(name); err != nil {
			panic(err)
		}
		files[name] = newMemFile(name, data)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.newRepoLocked(repoKey{typ, r.ID}, r, files, s.nextTimeLocked())
	if err != nil {
		panic(fmt.Errorf("hubtest: %w", err))
	}
	return c.sha
}

// newRepoLocked adds a repo with a first commit on main, made at when.
func (s *Server) newRepoLocked(key repoKey, r Repo, files map[string]*file, when time.Time) (*commit, error) {
	rp := &repo{
		key: key, private: r.Private, gated: r.Gated, disabled: r.Disabled, meta: r,
		commits: map[string]*commit{}, branches: map[string]string{}, tags: map[string]string{}, prs: map[int]string{},
	}
	rp.meta.Files = nil
	if err := s.addRepoLocked(rp); err != nil {
		return nil, err
	}
	rp.created = when
	c := s.addCommitLocked(rp, nil, files, "Initial commit", when)
	rp.branches["main"] = c.sha
	return c, nil
}

// addRepoLocked registers a repo and the LFS blobs of its commits. Its
// error has no package prefix: callers add their context.
func (s *Server) addRepoLocked(rp *repo) error {
	if _, ok := s.repos[rp.key]; ok {
		return fmt.Errorf("repo %s exists", rp.key)
	}
	delete(s.moved, rp.key)
	rp.objectID = GitBlobID([]byte(rp.key.String()))[:24]
	s.repos[rp.key] = rp
	for _, c := range rp.commits {
		s.addBlobsLocked(c)
	}
	return nil
}

func (s *Server) nextTimeLocked() time.Time {
	t := epoch.Add(time.Duration(s.commits) * time.Minute)
	s.commits++
	return t
}

// addCommitLocked records a commit and its LFS blobs.
func (s *Server) addCommitLocked(rp *repo, parent *commit, files map[string]*file, title string, when time.Time) *commit {
	c := newCommit(parent, files, title, when, rp.key.String())
	rp.commits[c.sha] = c
	s.addBlobsLocked(c)
	return c
}

// addBlobsLocked lets the CDN serve the LFS files of a commit.
func (s *Server) addBlobsLocked(c *commit) {
	for _, f := range c.files {
		if f.lfs {
			s.blobs[f.sha256] = f
		}
	}
}

// Commit makes a new commit on a branch of a repo and returns its sha. The
// commit starts from the branch's head (from main's for a new branch) and
// sets the given files; a nil content deletes a file. Older commits stay
// reachable by sha. It panics if the repo does not exist or a path is
// invalid.
func (s *Server) Commit(repoType, id, branch string, files map[string][]byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.mustRepoLocked(repoType, id)
	parent := rp.resolve(branch)
	if parent == nil {
		parent = rp.head()
	}
	c := s.applyLocked(rp, parent, files, "Update "+branch)
	rp.branches[branch] = c.sha
	return c.sha
}

// applyLocked commits files on top of parent.
func (s *Server) applyLocked(rp *repo, parent *commit, files map[string][]byte, title string) *commit {
	next := map[string]*file{}
	if parent != nil {
		maps.Copy(next, parent.files)
	}
	for name, data := range files {
		if err := checkFilePath(name); err != nil {
			panic(err)
		}
		if data == nil {
			delete(next, name)
			continue
		}
		next[name] = newMemFile(name, data)
	}
	return s.addCommitLocked(rp, parent, next, title, s.nextTimeLocked())
}

// Tag points a tag at a revision of a repo.
func (s *Server) Tag(repoType, id, tag, revision string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.mustRepoLocked(repoType, id)
	c := rp.resolve(revision)
	if c == nil {
		return fmt.Errorf("hubtest: repo %s has no revision %q", rp.key, revision)
	}
	rp.tags[tag] = c.sha
	return nil
}

// OpenPR opens a pull request on a repo: refs/pr/N, a commit on top of main
// that sets files as Commit does. It returns N and the commit sha.
func (s *Server) OpenPR(repoType, id string, files map[string][]byte) (int, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.mustRepoLocked(repoType, id)
	n := len(rp.prs) + 1
	c := s.applyLocked(rp, rp.head(), files, fmt.Sprintf("Pull request #%d", n))
	rp.prs[n] = c.sha
	return n, c.sha
}

// Rename moves a repo to a new id. Requests for the old id, like requests
// that spell an id in the wrong case, get a relative 307 to the new one.
func (s *Server) Rename(repoType, oldID, newID string) error {
	typ, err := normType(repoType)
	if err == nil {
		err = checkRepoID(newID)
	}
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	oldKey, newKey := repoKey{typ, oldID}, repoKey{typ, newID}
	rp, ok := s.repos[oldKey]
	if !ok {
		return fmt.Errorf("hubtest: no repo %s", oldKey)
	}
	if _, ok := s.repos[newKey]; ok {
		return fmt.Errorf("hubtest: repo %s exists", newKey)
	}
	delete(s.repos, oldKey)
	rp.key = newKey
	s.repos[newKey] = rp
	s.moved[oldKey] = newKey
	for tok, grants := range s.tokens {
		if grants[oldKey] {
			s.tokens[tok][newKey] = true
		}
	}
	return nil
}

// AddToken makes token valid and gives it read access to the repos named in
// canRead: "owner/name" for a model, "datasets/owner/name",
// "spaces/owner/name". A token may be added again to grant more repos. A
// request with an Authorization header whose token was never added gets 401
// "Invalid credentials in Authorization header".
func (s *Server) AddToken(token string, canRead ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tokens[token] == nil {
		s.tokens[token] = map[repoKey]bool{}
	}
	for _, ref := range canRead {
		s.tokens[token][parseRepoRef(ref)] = true
	}
}

func (s *Server) mustRepoLocked(repoType, id string) *repo {
	typ, err := normType(repoType)
	if err != nil {
		panic(err)
	}
	rp := s.repos[repoKey{typ, id}]
	if rp == nil {
		panic(fmt.Errorf("hubtest: no repo %s", repoKey{typ, id}))
	}
	return rp
}

// lookup finds a repo by the id a request names. When the id is a renamed
// repo's old id, or the id in another case, it returns the id to redirect to.
func (s *Server) lookupLocked(typ, id string) (rp *repo, redirect string) {
	key := repoKey{typ, id}
	if rp := s.repos[key]; rp != nil {
		return rp, ""
	}
	for seen := 0; seen < 100; seen++ {
		next, ok := s.moved[key]
		if !ok {
			break
		}
		key = next
	}
	if rp := s.repos[key]; rp != nil {
		return nil, key.id
	}
	for k := range s.repos {
		if k.typ == typ && strings.EqualFold(k.id, id) {
			return nil, k.id
		}
	}
	return nil, ""
}

// Repos lists the repos served, as their URLs name them ("owner/name",
// "datasets/owner/name"...), sorted.
func (s *Server) Repos() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]string, 0, len(s.repos))
	for k := range s.repos {
		out = append(out, k.String())
	}
	slices.Sort(out)
	return out
}
