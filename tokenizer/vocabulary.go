package tokenizer

import (
	"fmt"
	"hash/maphash"
)

// vocabulary maps tokens to ids and back. It holds no pointer per token (one string with all of
// them, offsets, and an open-addressing table), so the garbage collector has nothing to scan in
// it, however large.
type vocabulary struct {
	data   string   // the tokens
	offs   []uint32 // token k is data[offs[k]:offs[k+1]]
	idOf   []int32  // id of token k
	idRef  []uint64 // the string of each id as a reference (see ref), 0 for an id no token has
	table  []int32  // k + 1 at the hash of token k, 0 for an empty slot
	mask   uint64
	maxLen int // longest token, in bytes
}

var vocabSeed = maphash.MakeSeed()

// newVocabulary builds the vocabulary of entries; a token listed twice takes its later id, as in
// a JSON object. An id of several tokens decodes to the smallest of them, in byte order.
func newVocabulary(entries []vocabEntry) (vocabulary, error) {
	slots := 16
	for slots < 2*len(entries) {
		slots *= 2
	}
	var v vocabulary
	v.table, v.mask = make([]int32, slots), uint64(slots-1)
	for k, e := range entries { // the table holds entry indexes + 1 until compact
		for h := maphash.String(vocabSeed, e.tok) & v.mask; ; h = (h + 1) & v.mask {
			if t := v.table[h]; t == 0 || entries[t-1].tok == e.tok {
				v.table[h] = int32(k) + 1
				break
			}
		}
	}
	n, total, maxID := 0, 0, int32(-1)
	for _, t := range v.table {
		if t != 0 {
			e := entries[t-1]
			if e.id < 0 {
				return vocabulary{}, fmt.Errorf("negative id %d", e.id)
			}
			n, total, maxID = n+1, total+len(e.tok), max(maxID, e.id)
		}
	}
	if int(maxID) >= 4*n+1024 {
		return vocabulary{}, fmt.Errorf("id %d far beyond the %d entries of the vocabulary", maxID, n)
	}
	v.compact(entries, n, total, maxID)
	return v, nil
}

// compact copies the n tokens the table points to, total bytes, into data, points the table at
// them, and sets the string of each id up to maxID.
func (v *vocabulary) compact(entries []vocabEntry, n, total int, maxID int32) {
	v.offs, v.idOf, v.idRef = make([]uint32, n+1), make([]int32, n), make([]uint64, maxID+1)
	buf := make([]byte, 0, total)
	k := 0
	for h, t := range v.table {
		if t == 0 {
			continue
		}
		e := entries[t-1]
		v.offs[k] = uint32(len(buf))
		buf = append(buf, e.tok...)
		v.idOf[k] = e.id
		v.maxLen = max(v.maxLen, len(e.tok))
		v.table[h] = int32(k) + 1
		k++
	}
	v.offs[n] = uint32(len(buf))
	v.data = string(buf)
	for k := range int32(n) {
		id, tok := v.idOf[k], v.key(k)
		if r := v.idRef[id]; r == 0 || tok < v.refText(r) {
			v.idRef[id] = uint64(v.offs[k])<<32 | uint64(len(tok)+1)
		}
	}
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
