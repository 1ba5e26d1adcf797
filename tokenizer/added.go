package tokenizer

import (
	"sort"
	"unicode/utf8"
)

// AddedToken is a token added on top of the model's vocabulary, such as [CLS] or <|endoftext|>.
// Added tokens are found in the raw text before the model sees it.
type AddedToken struct {
	ID      int
	Content string
	// SingleWord: match only when not inside a word.
	SingleWord bool
	// LStrip, RStrip: the match swallows the whitespace on its left, on its right.
	LStrip, RStrip bool
	// Normalized: match the normalized text (else the raw input).
	Normalized bool
	// Special: a special token, skipped by decoding with skipSpecialTokens.
	Special bool

	// decoded is the string decoding gives for the token: the Rust library keeps a normalized
	// token in its normalized form.
	decoded string
}

// tokenTrie finds the leftmost-longest occurrences of a set of strings.
type tokenTrie struct {
	root  [256]int32 // first byte -> node, 0 when none
	nodes []trieNode // nodes[0] is unused
}

type trieNode struct {
	edges []trieEdge
	tok   int32 // index of the token ending here, -1 if none
}

type trieEdge struct {
	b  byte
	to int32
}

func newTokenTrie() *tokenTrie {
	return &tokenTrie{nodes: make([]trieNode, 1)}
}

func (t *tokenTrie) empty() bool { return len(t.nodes) == 1 }

func (t *tokenTrie) add(s string, index int32) {
	if s == "" {
		return
	}
	n := t.root[s[0]]
	if n == 0 {
		n = t.newNode()
		t.root[s[0]] = n
	}
	for i := 1; i < len(s); i++ {
		next := int32(0)
		for _, e := range t.nodes[n].edges {
			if e.b == s[i] {
				next = e.to
				break
			}
		}
		if next == 0 {
			next = t.newNode()
			t.nodes[n].edges = append(t.nodes[n].edges, trieEdge{s[i], next})
		}
		n = next
	}
	t.nodes[n].tok = index
}

func (t *tokenTrie) newNode() int32 {
	t.nodes = append(t.nodes, trieNode{tok: -1})
	return int32(len(t.nodes) - 1)
}

// longestAt returns the end and token of the longest string starting at text[i], or -1.
func (t *tokenTrie) longestAt(text []byte, i int) (int, int32) {
	n := t.root[text[i]]
	if n == 0 {
		return -1, -1
	}
	end, tok := -1, int32(-1)
	for j := i + 1; ; j++ {
		if t.nodes[n].tok >= 0 {
			end, tok = j, t.nodes[n].tok
		}
		if j >= len(text) {
			break
		}
		next := int32(0)
		for _, e := range t.nodes[n].edges {
			if e.b == text[j] {
				next = e.to
				break
			}
		}
		if next == 0 {
			break
		}
		n = next
	}
	return end, tok
}

// addedMatch is an added token found in a text, with the range it takes.
type addedMatch struct {
	start, end int
	token      *AddedToken
}

// addedSkip says which added tokens find leaves in the text.
type addedSkip int

const (
	skipNone addedSkip = iota
	skipSpecial
	skipAll
)

// addedVocab holds the added tokens and finds them in text.
type addedVocab struct {
	tokens    []*AddedToken // by order of declaration
	byID      map[int]*AddedToken
	byContent map[string]*AddedToken
	raw       *tokenTrie // tokens matched on the raw input
	norm      *tokenTrie // tokens matched on the normalized text
	rawToks   []*AddedToken
	normToks  []*AddedToken
}

// newAddedVocab indexes tokens. where says whether a token is matched on the raw input, on the
// normalized text, or both; normalize gives the form a token is matched with on normalized text.
func newAddedVocab(tokens []AddedToken, where func(t *AddedToken) (raw, norm bool), normalize func(string) string) *addedVocab {
	v := &addedVocab{
		byID:      map[int]*AddedToken{},
		byContent: map[string]*AddedToken{},
		raw:       newTokenTrie(),
		norm:      newTokenTrie(),
	}
	for i := range tokens {
		t := tokens[i]
		v.tokens = append(v.tokens, &t)
		v.byID[t.ID] = &t
		v.byContent[t.Content] = &t
	}
	// Special tokens first, then the others, as the Rust library orders them.
	order := append([]*AddedToken(nil), v.tokens...)
	sort.SliceStable(order, func(i, j int) bool { return order[i].Special && !order[j].Special })
	for _, t := range order {
		raw, norm := where(t)
		if raw {
			v.raw.add(t.Content, int32(len(v.rawToks)))
			v.rawToks = append(v.rawToks, t)
		}
		if norm {
			content := t.Content
			if normalize != nil {
				content = normalize(content)
				t.decoded = content
			}
			v.norm.add(content, int32(len(v.normToks)))
			v.normToks = append(v.normToks, t)
		}
	}
	return v
}

// find appends to dst the added tokens of text, leftmost-longest and non-overlapping, with the
// single_word, lstrip and rstrip rules of the Rust AddedVocabulary.
func (v *addedVocab) find(dst []addedMatch, text []byte, normalized bool, skip addedSkip) []addedMatch {
	trie, toks := v.raw, v.rawToks
	if normalized {
		trie, toks = v.norm, v.normToks
	}
	if trie.empty() || skip == skipAll {
		return dst
	}
	prevEnd := 0
	for i := 0; i < len(text); {
		if trie.root[text[i]] == 0 {
			i++
			continue
		}
		end, idx := trie.longestAt(text, i)
		if end < 0 {
			i++
			continue
		}
		t := toks[idx]
		start, stop := i, end
		i = end
		if skip == skipSpecial && t.Special {
			continue
		}
		if t.SingleWord {
			if (start > 0 && endsWithWord(text[:start])) || (stop < len(text) && startsWithWord(text[stop:])) {
				continue
			}
		}
		if start < prevEnd {
			continue
		}
		if t.LStrip {
			start = max(trailingSpaceStart(text[:start]), prevEnd)
		}
		if t.RStrip {
			stop += leadingSpaceLen(text[stop:])
			i = max(i, stop)
		}
		dst = append(dst, addedMatch{start: start, end: stop, token: t})
		prevEnd = stop
	}
	return dst
}

func endsWithWord(b []byte) bool {
	r, _ := utf8.DecodeLastRune(b)
	return classOf(r)&clsWord != 0
}

func startsWithWord(b []byte) bool {
	r, _ := decodeRune(b)
	return classOf(r)&clsWord != 0
}

func trailingSpaceStart(b []byte) int {
	end := len(b)
	for end > 0 {
		r, size := utf8.DecodeLastRune(b[:end])
		if classOf(r)&clsSpace == 0 {
			break
		}
		end -= size
	}
	return end
}

func leadingSpaceLen(b []byte) int {
	n := 0
	for n < len(b) {
		r, size := decodeRune(b[n:])
		if classOf(r)&clsSpace == 0 {
			break
		}
		n += size
	}
	return n
}
