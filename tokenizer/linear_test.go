package tokenizer

import (
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// The work on a long word, or a long run of spaces, must grow linearly with its length. The
// tests count the steps of the two parts that could go quadratic: the GPT-2 scanner (the
// lookahead of \s+(?!\S)) and the BPE merges.

func scanSteps(text string) int {
	b := []byte(text)
	total := 0
	for i := 0; i < len(b); {
		end, steps := gpt2Scan(b, i)
		if end <= i {
			panic("the scanner did not advance")
		}
		total += steps
		i = end
	}
	return total
}

func TestGPT2ScannerLinear(t *testing.T) {
	t.Parallel()
	const n = 1 << 20
	for _, tc := range []struct{ name, unit string }{
		{"spaces", " "},
		{"spaces before a word", "   x"},
		{"tabs and spaces", " \t"},
		{"one word", "a"},
		{"digits", "7"},
		{"punctuation", "!?"},
		{"contractions", "'s"},
		{"spaced letters", " a"},
		{"accented word", "é"},
	} {
		small := scanSteps(strings.Repeat(tc.unit, n/2/len(tc.unit)))
		large := scanSteps(strings.Repeat(tc.unit, n/len(tc.unit)))
		if large > 2*n || float64(large) > 2.01*float64(small) {
			t.Errorf("%s: %d steps for %d bytes, %d for half: not linear", tc.name, large, n, small)
		}
	}
}

func TestBPEMergesLinear(t *testing.T) {
	t.Parallel()
	tk, err := LoadFile(filepath.Join(fixtures, "tokenizer_json", "gpt2.tokenizer.json"))
	if err != nil {
		t.Fatal(err)
	}
	m := tk.model.(*bpe)
	var steps atomic.Int64
	m.mergeSteps = &steps
	count := func(word string) (int64, int) {
		w := getWorkspace()
		defer putWorkspace(w)
		steps.Store(0)
		toks, err := m.tokenize(w, []byte(word), true, false, nil)
		if err != nil {
			t.Fatal(err)
		}
		return steps.Load(), len(toks)
	}
	// Step counts are exact: 64 KiB words show a quadratic merge loop (4 times the steps for
	// twice the length) as well as longer ones, in a fraction of the time.
	const n = 1 << 16
	for _, unit := range []string{"a", "ab", " "} {
		small, _ := count(strings.Repeat(unit, n/2/len(unit)))
		large, tokens := count(strings.Repeat(unit, n/len(unit)))
		if large > 3*n || float64(large) > 2.05*float64(small)+16 {
			t.Errorf("%q x %d: %d merge steps, %d for half: not linear", unit, n/len(unit), large, small)
		}
		if tokens == 0 {
			t.Errorf("%q x %d: no tokens", unit, n/len(unit))
		}
	}
}

func TestLongInputs(t *testing.T) {
	t.Parallel()
	// Every tokenizer gets through a long word and a long run of spaces, decoding GPT-2's back.
	for _, name := range sortedNames(fuzzSet(t)) {
		tk := fuzzSet(t)[name]
		for _, text := range []string{strings.Repeat("a", 1<<16), strings.Repeat(" ", 1<<16), strings.Repeat("ab ", 1<<14)} {
			e, err := tk.Encode(text)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if strings.HasPrefix(name, "gpt2") && tk.DecodeWith(e.IDs, DecodeOptions{Cleanup: CleanupOff}) != text {
				t.Errorf("%s: a long text does not decode back", name)
			}
		}
	}
}
