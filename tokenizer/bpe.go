package tokenizer

import (
	"fmt"
	"strings"
	"sync/atomic"
)

// bpe is the byte-pair-encoding model: a word starts as its characters (or, after the ByteLevel
// pre-tokenizer, its bytes), and the adjacent pair with the lowest merge rank is merged until no
// pair has a rank.
type bpe struct {
	vocabulary
	// nReal: ids from nReal on are internal symbols of a legacy merges.txt whose strings are
	// missing from vocab.json; they come out as the unknown token, as in GPT2Tokenizer.
	nReal   int32
	symbols map[string]int32 // internal symbols beyond the vocabulary
	merges  map[uint64]uint64
	unk     string
	unkID   int32 // -1 when there is no unknown token
	prefix  string
	suffix  string
	fuseUnk bool
	// byteFallback: an unknown character becomes its <0xXX> byte tokens.
	byteFallback bool
	ignoreMerges bool
	// byteSym holds the symbol of each byte in the byte-level alphabet, -1 if absent.
	byteSym [256]int32
	cache   [2]wordCache // plain, byte-level
	// mergeSteps, when set, counts the merge candidates taken off the heap (tests of linear time).
	mergeSteps *atomic.Int64
}

// symbol is one piece of a word being merged.
type symbol struct {
	id         int32
	prev, next int32
	size       int32 // bytes of the split it covers; 0 once merged into its left neighbour
}

// mergeItem is a candidate merge of the symbol at pos with its right neighbour; key is
// rank<<32 | pos, so that one comparison orders by rank, then position.
type mergeItem struct {
	key   uint64
	newID int32
}

func newMergeItem(rank, pos, newID int32) mergeItem {
	return mergeItem{key: uint64(uint32(rank))<<32 | uint64(uint32(pos)), newID: newID}
}

func (it mergeItem) pos() int32 { return int32(uint32(it.key)) }

// mergeHeap is a binary min-heap on (rank, pos).
type mergeHeap []mergeItem

func (h mergeHeap) less(i, j int) bool { return h[i].key < h[j].key }

func (h *mergeHeap) push(it mergeItem) {
	*h = append(*h, it)
	s := *h
	for i := len(s) - 1; i > 0; {
		p := (i - 1) / 2
		if !s.less(i, p) {
			break
		}
		s[i], s[p] = s[p], s[i]
		i = p
	}
}

func (h *mergeHeap) pop() mergeItem {
	s := *h
	top := s[0]
	last := len(s) - 1
	s[0] = s[last]
	s = s[:last]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(s) && s.less(l, m) {
			m = l
		}
		if r < len(s) && s.less(r, m) {
			m = r
		}
		if m == i {
			break
		}
		s[i], s[m] = s[m], s[i]
		i = m
	}
	*h = s
	return top
}

func pairKey(a, b int32) uint64 { return uint64(uint32(a))<<32 | uint64(uint32(b)) }

// symbolID returns the symbol of a token string: its vocabulary id, or an internal one.
func (m *bpe) symbolID(s string) (int32, bool) {
	if id, ok := m.lookupString(s); ok {
		return id, true
	}
	id, ok := m.symbols[s]
	return id, ok
}

// symbolBytesID is symbolID of string(b).
func (m *bpe) symbolBytesID(b []byte) (int32, bool) {
	if id, ok := m.lookup(b); ok {
		return id, true
	}
	id, ok := m.symbols[string(b)]
	return id, ok
}

func (m *bpe) tokenize(w *workspace, text []byte, byteLevel, _ bool, out []tok) ([]tok, error) {
	if len(text) == 0 {
		return out, nil
	}
	bl := 0
	if byteLevel {
		bl = 1
	}
	if m.ignoreMerges {
		key := text
		if byteLevel {
			key = byteLevelString(w.blbuf[:0], text)
			w.blbuf = key
		}
		if id, ok := m.lookup(key); ok {
			return append(out, tok{id: id, end: int32(len(text)), ref: m.ref(id)}), nil
		}
	}
	c := &m.cache[bl]
	if v, ok := c.get(text); ok {
		return emitCached(v, out), nil
	}
	syms, err := m.initialSymbols(w, text, byteLevel)
	if err != nil {
		return out, err
	}
	syms = m.mergeAll(w, syms)
	start := int32(0)
	n := len(out)
	for _, sy := range syms {
		if sy.next == removedSymbol {
			continue
		}
		id := m.outID(sy.id)
		if id < 0 {
			return out, fmt.Errorf("%w: BPE unk_token %q is not in the vocabulary", ErrInvalid, m.unk)
		}
		out = append(out, tok{id: id, start: start, end: start + sy.size, ref: m.ref(id)})
		start += sy.size
	}
	if len(text) < cacheMaxWord {
		c.put(text, out[n:])
	}
	return out, nil
}

// outID maps an internal symbol to the unknown token.
func (m *bpe) outID(id int32) int32 {
	if id >= m.nReal {
		return m.unkID
	}
	return id
}

// initialSymbols returns the characters of a word as symbols, with the unknown-character rules of
// the Rust BPE model (byte fallback, then the unknown token, fused or not; dropped without one).
func (m *bpe) initialSymbols(w *workspace, text []byte, byteLevel bool) ([]symbol, error) {
	syms := w.syms[:0]
	add := func(id int32, size int) {
		syms = append(syms, symbol{id: id, prev: int32(len(syms) - 1), next: int32(len(syms) + 1), size: int32(size)})
	}
	if byteLevel && m.prefix == "" && m.suffix == "" {
		ok := true
		for _, b := range text {
			if m.byteSym[b] < 0 {
				ok = false
				break
			}
			add(m.byteSym[b], 1)
		}
		if ok {
			if len(syms) > 0 {
				syms[len(syms)-1].next = -1
			}
			w.syms = syms
			return syms, nil
		}
		syms = syms[:0]
	}
	unkSize := 0
	flushUnk := func() {
		if unkSize > 0 {
			add(m.unkID, unkSize)
			unkSize = 0
		}
	}
	buf := w.scratch[:0]
	for i := 0; i < len(text); {
		var ch []byte
		size := 1
		if byteLevel {
			ch = []byte(byteToStr[text[i]])
		} else {
			_, size = decodeRune(text[i:])
			ch = text[i : i+size]
		}
		buf = buf[:0]
		if i > 0 {
			buf = append(buf, m.prefix...)
		}
		buf = append(buf, ch...)
		if i+size == len(text) {
			buf = append(buf, m.suffix...)
		}
		i += size
		if id, ok := m.symbolID(string(buf)); ok {
			flushUnk()
			add(id, size)
			continue
		}
		if m.byteFallback && m.addFallback(buf, size, add) {
			flushUnk()
			continue
		}
		if m.unkID < 0 {
			if m.unk != "" {
				return nil, fmt.Errorf("%w: BPE unk_token %q is not in the vocabulary", ErrInvalid, m.unk)
			}
			continue
		}
		if unkSize > 0 && !m.fuseUnk {
			flushUnk()
		}
		unkSize += size
	}
	flushUnk()
	w.scratch = buf
	if len(syms) > 0 {
		syms[len(syms)-1].next = -1
	}
	w.syms = syms
	return syms, nil
}

// addFallback adds the <0xXX> tokens of s's bytes when all exist, one byte of the split each.
func (m *bpe) addFallback(s []byte, size int, add func(int32, int)) bool {
	var ids [16]int32
	if len(s) > len(ids) {
		return false
	}
	for i, b := range s {
		id, ok := m.lookupString(byteFallbackToken[b])
		if !ok {
			return false
		}
		ids[i] = id
	}
	for _, id := range ids[:len(s)] {
		sz := min(size, 1)
		add(id, sz)
		size -= sz
	}
	return true
}

var byteFallbackToken [256]string

func init() {
	for b := range byteFallbackToken {
		byteFallbackToken[b] = fmt.Sprintf("<0x%02X>", b)
	}
}

// mergeAll merges the symbols of a word, lowest rank first, leftmost first among equal ranks.
func (m *bpe) mergeAll(w *workspace, syms []symbol) []symbol {
	if len(syms) < 2 {
		return syms
	}
	h := w.heap[:0]
	for i := 0; i+1 < len(syms); i++ {
		if v, ok := m.merges[pairKey(syms[i].id, syms[i+1].id)]; ok {
			h.push(newMergeItem(int32(v>>32), int32(i), int32(uint32(v))))
		}
	}
	steps := int64(0)
	for len(h) > 0 {
		top := h.pop()
		steps++
		pos := top.pos()
		cur := &syms[pos]
		if cur.next < 0 { // removed, or the last symbol
			continue
		}
		right := syms[cur.next]
		v, ok := m.merges[pairKey(cur.id, right.id)]
		if !ok || int32(uint32(v)) != top.newID {
			continue
		}
		cur.id = top.newID
		cur.size += right.size
		syms[cur.next].next = removedSymbol
		cur.next = right.next
		if right.next >= 0 {
			syms[right.next].prev = pos
		}
		if cur.prev >= 0 {
			p := syms[cur.prev]
			if v, ok := m.merges[pairKey(p.id, cur.id)]; ok {
				h.push(newMergeItem(int32(v>>32), cur.prev, int32(uint32(v))))
			}
		}
		if cur.next >= 0 {
			if v, ok := m.merges[pairKey(cur.id, syms[cur.next].id)]; ok {
				h.push(newMergeItem(int32(v>>32), pos, int32(uint32(v))))
			}
		}
	}
	w.heap = h
	if m.mergeSteps != nil {
		m.mergeSteps.Add(steps)
	}
	return syms
}

// removedSymbol marks a symbol merged into its left neighbour.
const removedSymbol = -2

// bpeOptions are the settings of a BPE model.
type bpeOptions struct {
	unk            string // the unknown token, "" for none
	prefix, suffix string // continuing_subword_prefix, end_of_word_suffix
	fuseUnk        bool
	byteFallback   bool
	ignoreMerges   bool
	// legacy: a merge whose strings are not in the vocabulary still merges (GPT2Tokenizer works
	// on strings), and its result comes out as the unknown token; otherwise it is an error.
	legacy bool
	// vocabField and mergeField name the vocabulary and the i-th merge in error messages.
	vocabField string
	mergeField func(i int) string
}

// newBPE builds a BPE model; path names the file for errors.
func newBPE(path string, vocab []vocabEntry, merges [][2]string, o bpeOptions) (*bpe, error) {
	v, err := newVocabulary(vocab)
	if err != nil {
		return nil, fileErr(path, o.vocabField, ErrInvalid, "%v", err)
	}
	m := &bpe{
		vocabulary:   v,
		nReal:        int32(v.idLimit()),
		symbols:      map[string]int32{},
		merges:       make(map[uint64]uint64, len(merges)),
		unk:          o.unk,
		unkID:        -1,
		prefix:       o.prefix,
		suffix:       o.suffix,
		fuseUnk:      o.fuseUnk,
		byteFallback: o.byteFallback,
		ignoreMerges: o.ignoreMerges,
	}
	if id, ok := v.lookupString(o.unk); ok && o.unk != "" {
		m.unkID = id
	}
	next := m.nReal
	sym := func(s string, rank int) (int32, error) {
		if id, ok := m.symbolID(s); ok {
			return id, nil
		}
		if !o.legacy {
			return 0, fileErr(path, o.mergeField(rank), ErrInvalid, "merge token %q is not in the vocabulary", s)
		}
		s = strings.Clone(s) // not a substring of the file's text, which it would keep
		m.symbols[s] = next
		next++
		return next - 1, nil
	}
	var cat []byte // a merge's result
	for rank, pair := range merges {
		if pair[0] == "" || pair[1] == "" {
			continue
		}
		a, err := sym(pair[0], rank)
		if err != nil {
			return nil, err
		}
		b, err := sym(pair[1], rank)
		if err != nil {
			return nil, err
		}
		right := pair[1]
		if o.prefix != "" && len(right) >= len(o.prefix) && right[:len(o.prefix)] == o.prefix {
			right = right[len(o.prefix):]
		}
		cat = append(append(cat[:0], pair[0]...), right...)
		ab, ok := m.symbolBytesID(cat)
		if !ok {
			if ab, err = sym(string(cat), rank); err != nil {
				return nil, err
			}
		}
		m.merges[pairKey(a, b)] = uint64(uint32(rank))<<32 | uint64(uint32(ab))
	}
	for b := range m.byteSym {
		m.byteSym[b] = -1
		if id, ok := m.symbolID(byteToStr[b]); ok {
			m.byteSym[b] = id
		} else if o.legacy {
			m.symbols[byteToStr[b]] = next
			m.byteSym[b] = next
			next++
		}
	}
	return m, nil
}
