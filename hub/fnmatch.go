package hub

import "strings"

// Match reports whether name matches the shell pattern as Python's
// fnmatch.fnmatchcase does, which is what huggingface_hub uses to filter
// repo files:
//
//   - "*" matches any run of characters, "/" included (unlike path.Match);
//   - "?" matches one character;
//   - "[seq]" and "[!seq]" match one character in or not in seq, with
//     ranges "a-z"; a "]" right after "[" or "[!" belongs to seq; a "[" with
//     no closing "]" is literal; an empty range ("[z-a]") matches nothing;
//   - matching is case-sensitive and anchored at both ends.
func Match(pattern, name string) bool {
	return compilePattern(pattern).match([]rune(name))
}

// patternToken is one element of a compiled pattern.
type patternToken struct {
	kind tokenKind
	r    rune    // tokLiteral
	set  runeSet // tokSet
}

type tokenKind uint8

const (
	tokLiteral tokenKind = iota
	tokAny               // "?"
	tokStar              // "*"
	tokSet               // "[...]"
)

// runeSet is a bracket expression.
type runeSet struct {
	negate bool
	ranges [][2]rune
}

func (s *runeSet) contains(r rune) bool {
	in := false
	for _, rg := range s.ranges {
		if rg[0] <= r && r <= rg[1] {
			in = true
			break
		}
	}
	return in != s.negate
}

type compiledPattern []patternToken

// compilePattern follows CPython's fnmatch._translate step by step, so that
// every corner (ranges, "!" and "]" placement, empty ranges) agrees.
func compilePattern(pat string) compiledPattern {
	p := []rune(pat)
	var toks compiledPattern
	i, n := 0, len(p)
	for i < n {
		c := p[i]
		i++
		switch c {
		case '*':
			if len(toks) == 0 || toks[len(toks)-1].kind != tokStar {
				toks = append(toks, patternToken{kind: tokStar})
			}
		case '?':
			toks = append(toks, patternToken{kind: tokAny})
		case '[':
			j := i
			if j < n && p[j] == '!' {
				j++
			}
			if j < n && p[j] == ']' {
				j++
			}
			for j < n && p[j] != ']' {
				j++
			}
			if j >= n {
				toks = append(toks, patternToken{kind: tokLiteral, r: '['})
				continue
			}
			toks = append(toks, patternToken{kind: tokSet, set: bracketSet(p, i, j)})
			i = j + 1
		default:
			toks = append(toks, patternToken{kind: tokLiteral, r: c})
		}
	}
	return toks
}

// bracketSet builds the set of p[i:j], the text between "[" and "]".
func bracketSet(p []rune, i, j int) runeSet {
	chunks := rangeChunks(p, i, j)
	if len(chunks) == 1 && len(chunks[0]) == 0 {
		return runeSet{} // empty range: never matches
	}
	var s runeSet
	if chunks[0][0] == '!' {
		s.negate = true
		chunks[0] = chunks[0][1:]
	}
	// Within a chunk every character is literal; the hyphen joining two
	// chunks makes a range of the last character of one and the first of
	// the next (chunks other than the first and last hold at least two).
	for k, ch := range chunks {
		start, end := 0, len(ch)
		if k > 0 {
			s.ranges = append(s.ranges, [2]rune{chunks[k-1][len(chunks[k-1])-1], ch[0]})
			start = 1
		}
		if k < len(chunks)-1 {
			end--
		}
		for _, r := range ch[start:max(start, end)] {
			s.ranges = append(s.ranges, [2]rune{r, r})
		}
	}
	return s
}

// rangeChunks splits p[i:j] at range hyphens and drops empty ranges, as
// CPython does.
func rangeChunks(p []rune, i, j int) [][]rune {
	stuff := p[i:j]
	if !containsRune(stuff, '-') {
		return [][]rune{append([]rune(nil), stuff...)}
	}
	var chunks [][]rune
	k := i + 1
	if p[i] == '!' {
		k = i + 2
	}
	for {
		k = indexRune(p, '-', k, j)
		if k < 0 {
			break
		}
		chunks = append(chunks, append([]rune(nil), p[i:k]...))
		i = k + 1
		k += 3
	}
	if last := p[i:j]; len(last) > 0 {
		chunks = append(chunks, append([]rune(nil), last...))
	} else {
		chunks[len(chunks)-1] = append(chunks[len(chunks)-1], '-')
	}
	for k := len(chunks) - 1; k > 0; k-- {
		prev, cur := chunks[k-1], chunks[k]
		if prev[len(prev)-1] > cur[0] {
			chunks[k-1] = append(prev[:len(prev)-1:len(prev)-1], cur[1:]...)
			chunks = append(chunks[:k], chunks[k+1:]...)
		}
	}
	return chunks
}

func containsRune(rs []rune, r rune) bool {
	return indexRune(rs, r, 0, len(rs)) >= 0
}

// indexRune is the index of r in rs[from:to], or -1.
func indexRune(rs []rune, r rune, from, to int) int {
	for k := from; k < to && k < len(rs); k++ {
		if rs[k] == r {
			return k
		}
	}
	return -1
}

// match runs the pattern over name with the classic single-backtrack
// algorithm: correct because "*" matches any run of characters.
func (pt compiledPattern) match(name []rune) bool {
	ti, ni := 0, 0
	starTok, starName := -1, 0
	for ni < len(name) {
		if ti < len(pt) {
			t := &pt[ti]
			switch {
			case t.kind == tokStar:
				starTok, starName = ti, ni
				ti++
				continue
			case t.kind == tokAny,
				t.kind == tokLiteral && t.r == name[ni],
				t.kind == tokSet && t.set.contains(name[ni]):
				ti++
				ni++
				continue
			}
		}
		if starTok < 0 {
			return false
		}
		starName++
		ti, ni = starTok+1, starName
	}
	for ti < len(pt) && pt[ti].kind == tokStar {
		ti++
	}
	return ti == len(pt)
}

// patternSet is a list of compiled patterns, as huggingface_hub's
// filter_repo_objects uses them: a pattern ending in "/" matches everything
// under that folder.
type patternSet []compiledPattern

func compilePatterns(patterns []string) patternSet {
	ps := make(patternSet, 0, len(patterns))
	for _, p := range patterns {
		if strings.HasSuffix(p, "/") {
			p += "*"
		}
		ps = append(ps, compilePattern(p))
	}
	return ps
}

func (ps patternSet) matchAny(name string) bool {
	rs := []rune(name)
	for _, p := range ps {
		if p.match(rs) {
			return true
		}
	}
	return false
}

// FilterPaths keeps the paths that match at least one allow pattern (all
// paths when allow is empty) and no ignore pattern, with Match semantics and
// a trailing "/" meaning a whole folder, as huggingface_hub's
// snapshot_download(allow_patterns, ignore_patterns) does.
func FilterPaths(paths, allow, ignore []string) []string {
	a, ig := compilePatterns(allow), compilePatterns(ignore)
	var out []string
	for _, p := range paths {
		if (len(a) == 0 || a.matchAny(p)) && !ig.matchAny(p) {
			out = append(out, p)
		}
	}
	return out
}
