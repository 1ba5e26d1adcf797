package tokenizer

import (
	"hash/maphash"
	"sync/atomic"
)

// wordCache remembers the tokens of words: a direct-mapped table of immutable entries, read and
// written without locks (a newer word replaces an older one in its slot).
type wordCache struct {
	slots []atomic.Pointer[cacheEntry]
	mask  uint64
}

// cacheEntry holds a word and its tokens as (id, size in bytes) pairs.
type cacheEntry struct {
	word   string
	tokens []uint32
}

// cacheMaxWord is the longest word (in bytes) the cache keeps, as in the Rust library.
const cacheMaxWord = 256

var cacheSeed = maphash.MakeSeed()

// newWordCache returns a cache of 2^bits slots.
func newWordCache(bits uint) *wordCache {
	return &wordCache{slots: make([]atomic.Pointer[cacheEntry], 1<<bits), mask: 1<<bits - 1}
}

func (c *wordCache) get(word []byte) ([]uint32, bool) {
	e := c.slots[maphash.Bytes(cacheSeed, word)&c.mask].Load()
	if e != nil && e.word == string(word) {
		return e.tokens, true
	}
	return nil, false
}

func (c *wordCache) put(word []byte, tokens []uint32) {
	c.slots[maphash.Bytes(cacheSeed, word)&c.mask].Store(&cacheEntry{word: string(word), tokens: tokens})
}

// emitCached appends the cached tokens of a word to out.
func emitCached(v []uint32, out []tok) []tok {
	start := int32(0)
	for i := 0; i+1 < len(v); i += 2 {
		size := int32(v[i+1])
		out = append(out, tok{id: int32(v[i]), start: start, end: start + size})
		start += size
	}
	return out
}

// cacheValue packs the tokens of a word for the cache.
func cacheValue(toks []tok) []uint32 {
	v := make([]uint32, 0, 2*len(toks))
	for _, t := range toks {
		v = append(v, uint32(t.id), uint32(t.end-t.start))
	}
	return v
}
