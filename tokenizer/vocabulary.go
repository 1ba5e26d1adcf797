package tokenizer

import (
	"fmt"
	"hash/maphash"
	"sort"
)

// vocabulary maps tokens to ids and back. It holds no pointer per token (one string with all of
// them, offsets, and an open-addressing table), so the garbage collector has nothing to scan in
// it, however large.
type vocabulary struct {
	data   string   // the tokens, sorted
	offs   []uint32 // token k is data[offs[k]:offs[k+1]]
	idOf   []int32  // id of token k
	idRef  []uint64 // the string of each id as a reference (see ref), 0 for an id no token has
	table  []int32  // k + 1 at the hash of token k, 0 for an empty slot
	mask   uint64
	maxLen int // longest token, in bytes
}

var vocabSeed = maphash.MakeSeed()

func newVocabulary(ids map[string]int32) (vocabulary, error) {
	maxID := int32(-1)
	total := 0
	keys := make([]string, 0, len(ids))
	for tok, id := range ids {
		if id < 0 {
			return vocabulary{}, fmt.Errorf("negative id %d", id)
		}
		maxID = max(maxID, id)
		total += len(tok)
		keys = append(keys, tok)
	}
	if int(maxID) >= 4*len(ids)+1024 {
		return vocabulary{}, fmt.Errorf("id %d far beyond the %d entries of the vocabulary", maxID, len(ids))
	}
	sort.Strings(keys)
	v := vocabulary{offs: make([]uint32, len(keys)+1), idOf: make([]int32, len(keys)), idRef: make([]uint64, maxID+1)}
	buf := make([]byte, 0, total)
	slots := 16
	for slots < 2*len(keys) {
		slots *= 2
	}
	v.table = make([]int32, slots)
	v.mask = uint64(slots - 1)
	for k, tok := range keys {
		id := ids[tok]
		v.offs[k] = uint32(len(buf))
		buf = append(buf, tok...)
		v.idOf[k] = id
		if v.idRef[id] == 0 { // two tokens for one id: the first in sorted order decodes it
			v.idRef[id] = uint64(v.offs[k])<<32 | uint64(len(tok)+1)
		}
		v.maxLen = max(v.maxLen, len(tok))
		for h := maphash.String(vocabSeed, tok) & v.mask; ; h = (h + 1) & v.mask {
			if v.table[h] == 0 {
				v.table[h] = int32(k) + 1
				break
			}
		}
	}
	v.offs[len(keys)] = uint32(len(buf))
	v.data = string(buf)
	return v, nil
}

func (v *vocabulary) key(k int32) string { return v.data[v.offs[k]:v.offs[k+1]] }

// lookup returns the id of the token b.
func (v *vocabulary) lookup(b []byte) (int32, bool) {
	for h := maphash.Bytes(vocabSeed, b) & v.mask; ; h = (h + 1) & v.mask {
		e := v.table[h]
		if e == 0 {
			return 0, false
		}
		if v.key(e-1) == string(b) {
			return v.idOf[e-1], true
		}
	}
}

// lookupString returns the id of the token s.
func (v *vocabulary) lookupString(s string) (int32, bool) {
	for h := maphash.String(vocabSeed, s) & v.mask; ; h = (h + 1) & v.mask {
		e := v.table[h]
		if e == 0 {
			return 0, false
		}
		if v.key(e-1) == s {
			return v.idOf[e-1], true
		}
	}
}

// idLimit returns one more than the largest id.
func (v *vocabulary) idLimit() int { return len(v.idRef) }

// ref returns a reference to the string of a token id: its offset in data and its length plus
// one, 0 when the id has no token. A reference holds no pointer and gives the string without
// reading memory.
func (v *vocabulary) ref(id int32) uint64 {
	if id >= 0 && int(id) < len(v.idRef) {
		return v.idRef[id]
	}
	return 0
}

// refText returns the string of a reference.
func (v *vocabulary) refText(r uint64) string {
	off, n := uint32(r>>32), uint32(r)-1
	return v.data[off : off+n]
}

// tokenText returns the string of a token id, "" when there is none.
func (v *vocabulary) tokenText(id int32) string {
	if r := v.ref(id); r != 0 {
		return v.refText(r)
	}
	return ""
}

// vocab returns the vocabulary itself.
func (v *vocabulary) vocab() *vocabulary { return v }

func (v *vocabulary) vocabSize() int { return len(v.idOf) }

func (v *vocabulary) tokenToID(token string) (int, bool) {
	id, ok := v.lookupString(token)
	return int(id), ok
}

func (v *vocabulary) idToToken(id int) (string, bool) {
	if id < 0 || id >= len(v.idRef) || v.idRef[id] == 0 {
		return "", false
	}
	return v.refText(v.idRef[id]), true
}
