package tokenizer

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
)

// wordCache remembers the tokens of words: a direct-mapped table of immutable entries, read and
// written without locks (a newer word replaces an older one in its slot). The table is allocated
// on first use.
type wordCache struct {
	once  sync.Once
	slots []atomic.Pointer[cacheEntry]
}

// cacheEntry holds a word and its tokens.
type cacheEntry struct {
	word   string
	tokens []cachedToken
}

// cachedToken is a token of a cached word: its id, size in bytes of the word, and string
// reference.
type cachedToken struct {
	id   int32
	size int32
	ref  uint64
}

const (
	// cacheMaxWord is the longest word (in bytes) the cache keeps, as in the Rust library.
	cacheMaxWord = 256
	// cacheSlots is the size of a word cache.
	cacheSlots = 1 << 17
)

var cacheSeed = maphash.MakeSeed()

func (c *wordCache) slot(word []byte) *atomic.Pointer[cacheEntry] {
	c.once.Do(func() { c.slots = make([]atomic.Pointer[cacheEntry], cacheSlots) })
	return &c.slots[maphash.Bytes(cacheSeed, word)&(cacheSlots-1)]
}

func (c *wordCache) get(word []byte) ([]cachedToken, bool) {
	e := c.slot(word).Load()
	if e != nil && e.word == string(word) {
		return e.tokens, true
	}
	return nil, false
}

func (c *wordCache) put(word []byte, toks []tok) {
	v := make([]cachedToken, len(toks))
	for i, t := range toks {
		v[i] = cachedToken{id: t.id, size: t.end - t.start, ref: t.ref}
	}
	c.slot(word).Store(&cacheEntry{word: string(word), tokens: v})
}

// emitCached appends the cached tokens of a word to out.
func emitCached(v []cachedToken, out []tok) []tok {
	start := int32(0)
	for _, c := range v {
		out = append(out, tok{id: c.id, start: start, end: start + c.size, ref: c.ref})
		start += c.size
	}
	return out
}
