package jsonscan

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
	"unsafe"
)

// FuzzSkip checks the parser against encoding/json: it accepts exactly the
// valid JSON values, but for nesting deeper than maxDepth and lone
// surrogates (which serde_json refuses too), and decodes strings alike.
func FuzzSkip(f *testing.F) {
	paths, _ := filepath.Glob("../../tokenizer/testdata/*.json")
	more, _ := filepath.Glob("../../testdata/hub/hfgo/*/*.json")
	for _, p := range append(paths, more...) {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b[:min(len(b), 2048)])
	}
	for _, s := range []string{`"a\u00e9\ud83e\udd17\n"`, `"\ud800"`, `-0.5e+3`, `01`, `[1,]`, `{"a":1 "b":2}`, ` null `, `"\x"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p := New(b)
		err := p.Skip()
		if err == nil {
			err = p.End("value")
		}
		switch {
		case err != nil && !errors.Is(err, ErrSyntax):
			t.Fatalf("%q: error of another kind: %v", b, err)
		case err == nil && !json.Valid(b):
			t.Fatalf("%q: accepted, but it is not JSON", b)
		case err != nil && json.Valid(b) && utf8.Valid(b) &&
			!strings.Contains(err.Error(), "nested too deeply") && !strings.Contains(err.Error(), "surrogate"):
			t.Fatalf("%q: refused valid JSON: %v", b, err)
		}
		p = New(b)
		if s, err := p.Str(); err == nil && p.End("string") == nil && utf8.Valid(b) {
			var want string
			if err := json.Unmarshal(b, &want); err != nil || s != want {
				t.Fatalf("%q: read as %q, encoding/json %q (%v)", b, s, want, err)
			}
		}
	})
}

func TestUint(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "17": 17, "9223372036854775807": 1<<63 - 1} {
		if got, err := New([]byte(in)).Uint(); err != nil || got != want {
			t.Errorf("Uint(%s) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1", "01", "1.5", "2e3", "9223372036854775808", `"1"`} {
		if got, err := New([]byte(in)).Uint(); err == nil {
			t.Errorf("Uint(%s) = %d, want an error", in, got)
		}
	}
}

// TestOwned checks where the strings of a Parser live: in its copy of the
// text (New), or each in a copy of its own (NewOwned).
func TestOwned(t *testing.T) {
	b := []byte(`{"name": "value", "other": ["x"]}`)
	for _, owned := range []bool{false, true} {
		p := New(b)
		if owned {
			p = NewOwned(b)
		}
		var got []string
		err := p.Object(func(key string) error {
			got = append(got, key)
			if p.Peek() == '"' {
				v, err := p.Str()
				got = append(got, v)
				return err
			}
			start := p.Pos()
			err := p.Skip()
			got = append(got, p.Since(start))
			return err
		})
		if err != nil || len(got) != 4 {
			t.Fatalf("owned %v: %q, %v", owned, got, err)
		}
		lo := uintptr(unsafe.Pointer(unsafe.StringData(p.b)))
		for _, s := range got {
			at := uintptr(unsafe.Pointer(unsafe.StringData(s)))
			if inside := lo <= at && at < lo+uintptr(len(p.b)); inside == owned {
				t.Errorf("owned %v: %q inside the parser's text: %v", owned, s, inside)
			}
		}
	}
}

// TestOwnedInPlace checks that NewOwned reads its text where it is.
func TestOwnedInPlace(t *testing.T) {
	b := []byte(`{"a": 1}`)
	if p := NewOwned(b); unsafe.StringData(p.b) != &b[0] {
		t.Error("NewOwned copied its text")
	}
}

// TestSkipAllocs checks that skipping a value allocates nothing per
// string, escaped or not, in either kind of Parser.
func TestSkipAllocs(t *testing.T) {
	var sb strings.Builder
	sb.WriteString(`{"model": {"vocab": {`)
	for i := range 1000 {
		if i > 0 {
			sb.WriteString(",")
		}
		fmt.Fprintf(&sb, `"tok%d\u00e9\n": [%d, "x\"y", {"k\t%d": null}]`, i, i, i)
	}
	sb.WriteString(`}}}`)
	b := []byte(sb.String())
	for _, newParser := range []func([]byte) *Parser{New, NewOwned} {
		p := newParser(b)
		allocs := testing.AllocsPerRun(5, func() {
			p.pos = 0
			if err := p.Skip(); err != nil {
				t.Fatal(err)
			}
		})
		if allocs > 10 {
			t.Errorf("Skip of 1000 members made %v allocations", allocs)
		}
	}
}
