package tokenizer

import (
	"math/rand/v2"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// normPool mixes characters that decompose, compose, reorder or expand.
var normPool = []rune("aeiouAEIOUnNsS \u0300\u0301\u0302\u0308\u0323\u0327\u0345\u031b\u0338\u1dce" +
	"éÅǖṩΩ\u2126\u0344\u0f73ﬁ①ｶﾞ\u1100\u1161\u11a8가각\uac00\u3131\u0958\u2adc\u1e9b\u212b\u00c5ΐ東" +
	"\U0001d15e\U0001d160\u0b47\u0b3e\u0dd9\u0dcf\u0dca")

func randomText(r *rand.Rand) string {
	var b strings.Builder
	n := r.IntN(12)
	for range n {
		b.WriteRune(normPool[r.IntN(len(normPool))])
	}
	return b.String()
}

func TestFormsMatchXText(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	forms := []struct {
		name             string
		form             norm.Form
		compat, composed bool
	}{
		{"NFC", norm.NFC, false, true},
		{"NFD", norm.NFD, false, false},
		{"NFKC", norm.NFKC, true, true},
		{"NFKD", norm.NFKD, true, false},
	}
	w := getWorkspace()
	defer putWorkspace(w)
	for range 5000 {
		text := randomText(r)
		for _, f := range forms {
			w.nbuf = 0
			out := formPass(w, identString([]byte(text), 0), f.compat, f.composed)
			if want := f.form.String(text); string(out.text) != want {
				t.Fatalf("%s(%+q) = %+q, want %+q", f.name, text, out.text, want)
			}
			checkAlignment(t, f.name, text, &out)
		}
	}
}

// checkAlignment checks that every byte of a normalized string maps to whole input characters,
// in order.
func checkAlignment(t *testing.T, what, text string, n *normString) {
	t.Helper()
	prev := 0
	for i := range n.text {
		a, b := n.inputRange(i, i+1)
		if a < 0 || a > b || b > len(text) || a < prev && !n.ident {
			t.Fatalf("%s(%+q): byte %d maps to [%d, %d)", what, text, i, a, b)
		}
		in := []byte(text)
		if charStart(in, a) != a || charEnd(in, b) != b {
			t.Fatalf("%s(%+q): byte %d maps inside a character, [%d, %d)", what, text, i, a, b)
		}
		prev = a
	}
}

func TestBertNormalizerAlignment(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(3, 4))
	w := getWorkspace()
	defer putWorkspace(w)
	for range 3000 {
		text := randomText(r) + "\t\x00東\u200b" + randomText(r)
		for _, python := range []bool{false, true} {
			w.nbuf = 0
			b := &bertNormalizer{clean: true, chinese: true, stripAccents: true, lowercase: true, python: python}
			out := b.normalize(w, identString([]byte(text), 0))
			checkAlignment(t, "BertNormalizer", text, &out)
			for _, c := range string(out.text) {
				if classOf(c)&clsMn != 0 || c == 0 || c == '\t' {
					t.Fatalf("BertNormalizer(%+q) = %+q keeps %+q", text, out.text, c)
				}
			}
		}
	}
}
