package tokenizer

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"unicode/utf8"
)

// TestScanRealFiles checks that the real tokenizer files take the scanners' path, and that
// it decodes them as encoding/json does.
func TestScanRealFiles(t *testing.T) {
	for _, name := range []string{"bert-base-uncased.tokenizer.json", "gpt2.tokenizer.json"} {
		data := readFile(t, filepath.Join(fixtures, "tokenizer_json", name))
		doc := mustScanObject(t, name, data)
		model := mustScanObject(t, name+" model", doc["model"])
		if _, ok := scanIDs(model["vocab"]); !ok {
			t.Fatalf("%s: the vocabulary did not scan", name)
		}
		checkScans(t, model["vocab"])
		if raw, ok := model["merges"]; ok {
			if _, ok := scanMerges(raw); !ok {
				t.Fatalf("%s: the merges did not scan", name)
			}
			checkScans(t, raw)
		}
	}
	vocab := readFile(t, filepath.Join(fixtures, "gpt2", "vocab.json"))
	if _, ok := scanIDs(vocab); !ok {
		t.Fatal("gpt2 vocab.json did not scan")
	}
	checkScans(t, vocab)
}

// FuzzScan checks that whatever the scanners accept, encoding/json decodes to the same values.
func FuzzScan(f *testing.F) {
	for _, data := range smallJSONSeeds(f) {
		var doc struct{ Model map[string]json.RawMessage }
		if err := json.Unmarshal(data, &doc); err != nil {
			f.Fatal(err)
		}
		f.Add(shrinkSeed(f, data))
		f.Add([]byte(doc.Model["vocab"])[:min(400, len(doc.Model["vocab"]))])
		if m := doc.Model["merges"]; m != nil {
			f.Add([]byte(m)[:min(400, len(m))])
		}
	}
	for _, s := range []string{
		`{"a": 1, "a": 2, "b\u0041": 0, "\ud83e\udd17": 3}`, `{"x": 01}`, `{"x": 1.0}`, `{"x": -1}`,
		`["a b", ["c", "d"], "e  f", ["", "g"]]`, `[["a", "b", "c"]]`,
		`{"k": [1, {"n": null}, true, false, -0.5e+3], "k": "\/\b"}`, `[[[[[[[[[[[[]]]]]]]]]]]]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkScans(t, data)
	})
}

// checkScans compares each scanner that accepts data with encoding/json.
func checkScans(t *testing.T, data []byte) {
	t.Helper()
	if !utf8.Valid(data) {
		return // the scanners' callers read such files with encoding/json
	}
	p := jparser{"tokenizer.json", true}
	if got, ok := scanObject(data); ok {
		var want map[string]json.RawMessage
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatalf("scanObject took %q, encoding/json: %v", data, err)
		}
		if !maps.EqualFunc(got, want, func(a, b json.RawMessage) bool { return bytes.Equal(a, b) }) {
			t.Fatalf("scanObject(%q) = %q, encoding/json %q", data, got, want)
		}
	}
	if got, ok := scanIDs(data); ok {
		want, err := p.decodeVocab(map[string]json.RawMessage{"vocab": data})
		if err != nil {
			t.Fatalf("scanIDs took %q, encoding/json: %v", data, err)
		}
		if g, w := idMap(got), idMap(want); !maps.Equal(g, w) {
			t.Fatalf("scanIDs(%q) = %v, encoding/json %v", data, g, w)
		}
	}
	if got, ok := scanMerges(data); ok {
		want, err := p.decodeMerges(map[string]json.RawMessage{"merges": data})
		if err != nil {
			t.Fatalf("scanMerges took %q, encoding/json: %v", data, err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("scanMerges(%q) = %q, encoding/json %q", data, got, want)
		}
	}
}

// idMap is a vocabulary file's entries as a JSON object keeps them: a later key wins.
func idMap(entries []vocabEntry) map[string]int32 {
	m := map[string]int32{}
	for _, e := range entries {
		m[e.tok] = e.id
	}
	return m
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func mustScanObject(t *testing.T, name string, data []byte) map[string]json.RawMessage {
	t.Helper()
	m, ok := scanObject(data)
	if !ok {
		t.Fatalf("%s did not scan as an object", name)
	}
	return m
}

func TestNewVocabulary(t *testing.T) {
	v, err := newVocabulary([]vocabEntry{{"b", 1}, {"a", 0}, {"c", 1}, {"a", 2}, {"", 3}, {"ab", 1}})
	if err != nil {
		t.Fatal(err)
	}
	if v.vocabSize() != 5 {
		t.Errorf("vocabSize = %d, want 5 distinct tokens", v.vocabSize())
	}
	for tok, want := range map[string]int{"a": 2, "b": 1, "c": 1, "ab": 1, "": 3} {
		if id, ok := v.tokenToID(tok); !ok || id != want {
			t.Errorf("tokenToID(%q) = %d, %v; want %d (a later entry wins)", tok, id, ok, want)
		}
	}
	// Id 1 has three tokens: the smallest decodes it. Id 0 lost its only token to id 2.
	for id, want := range map[int]string{1: "ab", 2: "a", 3: ""} {
		if tok, ok := v.idToToken(id); !ok || tok != want {
			t.Errorf("idToToken(%d) = %q, %v; want %q", id, tok, ok, want)
		}
	}
	if tok, ok := v.idToToken(0); ok {
		t.Errorf("idToToken(0) = %q, want none", tok)
	}
	if v.maxLen != 2 {
		t.Errorf("maxLen = %d, want 2", v.maxLen)
	}
	for _, bad := range [][]vocabEntry{{{"a", -1}}, {{"a", 5000}}} {
		if _, err := newVocabulary(bad); err == nil {
			t.Errorf("newVocabulary(%v): no error", bad)
		}
	}
}
