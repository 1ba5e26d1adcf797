package hub

import (
	"errors"
	"fmt"
	"testing"
)

func TestValidateRepoID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		id string
		ok bool
	}{
		{"google-bert/bert-base-uncased", true},
		{"bert-base-uncased", true},
		{"gpt2", true},
		{"sentence-transformers/all-MiniLM-L6-v2", true},
		{"user/my_model.v2", true},
		{"", false},
		{"a/b/c", false},
		{"a--b/c", false},
		{"a/../b", false},
		{"../etc", false},
		{"a/b.git", false},
		{"/abs", false},
		{"a/", false},
		{"-a/b", false},
		{"a/b-", false},
		{"a b/c", false},
		{`a\b`, false},
		{"a/" + string(make([]byte, 97)), false},
	}
	for _, tc := range tests {
		err := ValidateRepoID(tc.id)
		if (err == nil) != tc.ok {
			t.Errorf("ValidateRepoID(%q) = %v, want ok=%v", tc.id, err, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("ValidateRepoID(%q) = %v, not ErrInvalidArgument", tc.id, err)
		}
	}
}

func TestFileURL(t *testing.T) {
	t.Parallel()
	c, err := NewClient(WithEnv(noEnv), WithEndpoint("https://hub.example/base"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		t                   RepoType
		id, rev, name, want string
	}{
		{Model, "gpt2", "main", "config.json", "https://hub.example/base/gpt2/resolve/main/config.json"},
		{Dataset, "o/d", "refs/pr/1", "data/train 1.csv", "https://hub.example/base/datasets/o/d/resolve/refs%2Fpr%2F1/data/train%201.csv"},
		{Space, "o/s", "v1.0", "a+b&c?.txt", "https://hub.example/base/spaces/o/s/resolve/v1.0/a%2Bb%26c%3F.txt"},
		{Model, "o/m", "feature/x", "{x}~_.-", "https://hub.example/base/o/m/resolve/feature%2Fx/%7Bx%7D~_.-"},
	}
	for _, tc := range tests {
		if got := c.fileURL(tc.t, tc.id, tc.rev, tc.name); got != tc.want {
			t.Errorf("fileURL(%s, %s, %s, %s) = %s, want %s", tc.t, tc.id, tc.rev, tc.name, got, tc.want)
		}
	}
}

func TestParseRepoType(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]RepoType{"": Model, "model": Model, "Models": Model, "dataset": Dataset, "datasets": Dataset, "space": Space} {
		if got, err := ParseRepoType(in); err != nil || got != want {
			t.Errorf("ParseRepoType(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseRepoType("kernel"); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("ParseRepoType(kernel) = %v", err)
	}
}

func TestCheckRelPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p  string
		ok bool
	}{
		{"config.json", true},
		{"onnx/model.onnx", true},
		{"a/b/c/d.txt", true},
		{".gitattributes", true},
		{"..foo", true},
		{"", false},
		{"../escape", false},
		{"a/../../b", false},
		{"a/./b", false},
		{"/etc/passwd", false},
		{`C:\x`, false},
		{"C:x", false},
		{`\\server\share`, false},
		{`a\..\b`, false},
		{"a//b", false},
		{"a/", false},
		{"a\x00b", false},
		{"\xff", false},
	}
	for _, tc := range tests {
		err := checkRelPath(tc.p)
		if (err == nil) != tc.ok {
			t.Errorf("checkRelPath(%q) = %v, want ok=%v", tc.p, err, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrUnsafePath) {
			t.Errorf("checkRelPath(%q) = %v, not ErrUnsafePath", tc.p, err)
		}
	}
}

func FuzzCheckRelPath(f *testing.F) {
	for _, s := range []string{"config.json", "../x", "a/b", `C:\x`, "/abs", "a/./b", ".."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if checkRelPath(p) != nil {
			return
		}
		dir := "/cache/snapshots/abc"
		got, err := joinRel(dir, p)
		if err != nil || len(got) <= len(dir)+1 || got[:len(dir)+1] != dir+"/" {
			t.Errorf("accepted %q joins to %q (%v), outside %s", p, got, err, dir)
		}
	})
}

func ExampleRepoFolderName() {
	fmt.Println(RepoFolderName(Model, "google-bert/bert-base-uncased"))
	fmt.Println(RepoFolderName(Dataset, "squad"))
	// Output:
	// models--google-bert--bert-base-uncased
	// datasets--squad
}
