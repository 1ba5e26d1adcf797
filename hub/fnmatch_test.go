package hub

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Expected results come from CPython 3.11's fnmatch.fnmatchcase, run on each
// (pattern, name) pair.
var fnmatchCases = []struct {
	pattern, name string
	want          bool
}{
	{"*.json", "config.json", true},
	{"*.json", "onnx/config.json", true}, // "*" crosses "/"
	{"*.json", "config.jsonl", false},
	{"*", "a/b/c", true},
	{"?", "a", true},
	{"?", "ab", false},
	{"?", "/", true},
	{"a?c", "a/c", true},
	{"*.safetensors", "model-00001-of-00002.safetensors", true},
	{"onnx/*", "onnx/model.onnx", true},
	{"onnx/*", "onnx/sub/x", true},
	{"onnx/*", "onnx", false},
	{"[abc]", "b", true},
	{"[abc]", "d", false},
	{"[!abc]", "d", true},
	{"[!abc]", "a", false},
	{"[a-c]x", "bx", true},
	{"[a-c]x", "dx", false},
	{"[]]", "]", true},
	{"[]a]", "a", true},
	{"[!]]", "]", false},
	{"[!]]", "a", true},
	{"[!]", "!", false},
	{"[!]", "[!]", true},
	{"[", "[", true},
	{"[a", "[a", true},
	{"a[", "a[", true},
	{"[]", "[]", true},
	{"[]", "]", false},
	{"[z-a]", "z", false},
	{"[z-a]", "a", false},
	{"[z-a]", "m", false},
	{"[!z-a]", "m", true},
	{"[!z-a]", "/", true},
	{"[a-]", "-", true},
	{"[a-]", "a", true},
	{"[-a]", "-", true},
	{"[!-a]", "-", false},
	{"[!-a]", "b", true},
	{"[a-c-e]", "-", true},
	{"[a-c-e]", "d", false},
	{"[a-c-e]", "e", true},
	{"[z-a-c]", "-", true},
	{"[z-a-c]", "c", true},
	{"[z-a-c]", "b", false},
	{"[z-ab-c]", "b", true},
	{"[z-ab-c]", "a", false},
	{"[z-ay-c]", "b", false},
	{"[z-ay-c]", "y", false},
	{"*.[ch]", "main.c", true},
	{"*.[ch]", "main.o", false},
	{`[\]`, `\`, true},
	{`[\-]`, "-", true},
	{`[\-]`, `\`, true},
	{"**/*.json", "a/b.json", true},
	{"**/*.json", "b.json", false},
	{"*.JSON", "a.json", false}, // case-sensitive
	{"tokenizer*", "tokenizer_config.json", true},
	{"*model*.bin", "pytorch_model.bin", true},
	{"a*b*c", "aXXbYYc", true},
	{"a*b*c", "aXXbYY", false},
	{"*a", "aaa", true},
	{"*a*", "b", false},
	{"", "", true},
	{"", "a", false},
	{"*", "", true},
	{"[[]", "[", true},
	{"[^a]", "^", true},
	{"[^a]", "b", false},
	{"[&&]", "&", true},
	{"[~~]", "~", true},
	{"[a|b]", "|", true},
	{"é*", "éa", true},
	{"[é-ü]", "ö", true},
	{"a\nb", "a\nb", true},
	{"a?b", "a\nb", true},
	{"*", "a\nb", true},
	{"[!a-c-e]", "-", false},
	{"[!a-c-e]", "f", true},
	{"[--0]", "/", true},
	{"[--0]", "-", true},
	{"[a-a]", "a", true},
	{"[b-a]", "b", false},
}

func TestMatch(t *testing.T) {
	t.Parallel()
	for _, tc := range fnmatchCases {
		t.Run(fmt.Sprintf("%q~%q", tc.pattern, tc.name), func(t *testing.T) {
			t.Parallel()
			if got := Match(tc.pattern, tc.name); got != tc.want {
				t.Errorf("Match(%q, %q) = %v, want %v", tc.pattern, tc.name, got, tc.want)
			}
		})
	}
}

func TestFilterPaths(t *testing.T) {
	t.Parallel()
	paths := []string{"config.json", "onnx/model.onnx", "onnx/config.json", "model.safetensors", "1_Pooling/config.json", "README.md"}
	tests := []struct {
		name          string
		allow, ignore []string
		want          []string
	}{
		{"no patterns", nil, nil, paths},
		{"allow json anywhere", []string{"*.json"}, nil, []string{"config.json", "onnx/config.json", "1_Pooling/config.json"}},
		{"folder pattern", []string{"onnx/"}, nil, []string{"onnx/model.onnx", "onnx/config.json"}},
		{"ignore folder", nil, []string{"onnx/"}, []string{"config.json", "model.safetensors", "1_Pooling/config.json", "README.md"}},
		{"allow and ignore", []string{"*.json", "*.md"}, []string{"onnx/*"}, []string{"config.json", "1_Pooling/config.json", "README.md"}},
		{"literal", []string{"model.safetensors"}, nil, []string{"model.safetensors"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, FilterPaths(paths, tc.allow, tc.ignore)); diff != "" {
				t.Errorf("FilterPaths (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzMatch checks that no pattern panics, that a pattern without special
// characters matches exactly itself, and that a leading "*" only widens.
func FuzzMatch(f *testing.F) {
	for _, tc := range fnmatchCases {
		f.Add(tc.pattern, tc.name)
	}
	f.Fuzz(func(t *testing.T, pattern, name string) {
		got := Match(pattern, name)
		if !containsAny(pattern, "*?[") && got != (pattern == name) && validRunes(pattern) && validRunes(name) {
			t.Errorf("Match(%q, %q) = %v for a literal pattern", pattern, name, got)
		}
		if got && !Match("*"+pattern, name) {
			t.Errorf("Match(%q, %q) but not with a leading *", pattern, name)
		}
	})
}

func containsAny(s, chars string) bool {
	for _, c := range chars {
		for _, r := range s {
			if r == c {
				return true
			}
		}
	}
	return false
}

func validRunes(s string) bool {
	for _, r := range s {
		if r == '\uFFFD' {
			return false
		}
	}
	return true
}

func ExampleMatch() {
	fmt.Println(Match("*.json", "onnx/config.json"))
	fmt.Println(Match("[!._]*", "_private"))
	fmt.Println(Match("model-[0-9]*.safetensors", "model-00001-of-00002.safetensors"))
	// Output:
	// true
	// false
	// true
}
