package tokenizer

import (
	"sync"
	"sync/atomic"
)

// bpeCache keeps the merged tokens of words, as (id, size) pairs, up to a number of words.
type bpeCache struct {
	shards [16]cacheShard
	size   atomic.Int64
	limit  int64
}

type cacheShard struct {
	mu sync.RWMutex
	m  map[string][]uint32
	_  [40]byte // keep shards on separate cache lines
}

func newBPECache(limit int64) *bpeCache {
	c := &bpeCache{limit: limit}
	for i := range c.shards {
		c.shards[i].m = make(map[string][]uint32)
	}
	return c
}

func (c *bpeCache) shard(key []byte) *cacheShard {
	h := uint(len(key))
	if len(key) > 0 {
		h = h*31 + uint(key[0])
		h = h*31 + uint(key[len(key)-1])
		h = h*31 + uint(key[len(key)/2])
	}
	return &c.shards[h%uint(len(c.shards))]
}

func (c *bpeCache) get(key []byte) ([]uint32, bool) {
	s := c.shard(key)
	s.mu.RLock()
	v, ok := s.m[string(key)]
	s.mu.RUnlock()
	return v, ok
}

func (c *bpeCache) put(key []byte, v []uint32) {
	if c.size.Load() >= c.limit {
		return
	}
	s := c.shard(key)
	s.mu.Lock()
	if _, ok := s.m[string(key)]; !ok {
		s.m[string(key)] = v
		c.size.Add(1)
	}
	s.mu.Unlock()
}
