package gpt2

import (
	"fmt"

	"github.com/hfgo/hfgo/internal/kernel"
)

// Cache holds the keys and values of the tokens already run (transformers'
// past_key_values), preallocated for a batch of sequences up to a maximum
// length, so that each decoding step runs only the new tokens. It also keeps
// the attention mask of the past tokens. A Cache belongs to one model and
// one caller at a time.
type Cache struct {
	layers, batch, maxLen, width int
	n                            int         // filled positions
	k, v                         [][]float32 // per layer: batch x maxLen x n_embd
	bias                         []float32   // batch x maxLen: 0 or kernel.MaskValue per key
	masked                       bool        // some past key is masked
}

// NewCache returns an empty cache for batch sequences of up to maxLen tokens
// each (prompt and generated tokens together). It allocates
// 2·n_layer·batch·maxLen·n_embd float32s at once. It panics if batch or
// maxLen is not positive.
func (m *Model) NewCache(batch, maxLen int) *Cache {
	if batch <= 0 || maxLen <= 0 {
		panic(fmt.Sprintf("gpt2: cache of %d sequences of %d tokens", batch, maxLen))
	}
	c := &Cache{
		layers: len(m.Blocks), batch: batch, maxLen: maxLen, width: m.Config.NEmbd,
		k: make([][]float32, len(m.Blocks)), v: make([][]float32, len(m.Blocks)),
		bias: make([]float32, batch*maxLen),
	}
	for l := range c.k {
		c.k[l] = make([]float32, batch*maxLen*c.width)
		c.v[l] = make([]float32, batch*maxLen*c.width)
	}
	return c
}

// Len is the number of positions already in the cache (the past length).
func (c *Cache) Len() int { return c.n }

// Cap is the number of positions the cache was allocated for.
func (c *Cache) Cap() int { return c.maxLen }

// Batch is the number of sequences the cache holds.
func (c *Cache) Batch() int { return c.batch }

// Reset empties the cache, keeping its memory.
func (c *Cache) Reset() {
	c.n = 0
	c.masked = false
}

// check reports whether a forward pass of batch x seq new tokens fits.
func (c *Cache) check(m *Model, batch, seq int) error {
	if c.layers != len(m.Blocks) || c.width != m.Config.NEmbd {
		return fmt.Errorf("%w: cache made for another model (%d layers of width %d)", ErrInput, c.layers, c.width)
	}
	if batch != c.batch {
		return fmt.Errorf("%w: batch of %d sequences, the cache holds %d", ErrInput, batch, c.batch)
	}
	if c.n+seq > c.maxLen {
		return fmt.Errorf("%w: %d cached + %d new tokens exceed the cache capacity of %d", ErrInput, c.n, seq, c.maxLen)
	}
	return nil
}

// keys returns the key and value rows of sequence b in layer l.
func (c *Cache) keys(l, b int) (k, v []float32) {
	off := b * c.maxLen * c.width
	return c.k[l][off : off+c.maxLen*c.width], c.v[l][off : off+c.maxLen*c.width]
}

// store copies seq new key and value rows (row stride ld) of sequence b into
// layer l after the past positions.
func (c *Cache) store(l, b, seq int, k, v []float32, ld int) {
	ck, cv := c.keys(l, b)
	for i := range seq {
		dst := (c.n + i) * c.width
		copy(ck[dst:dst+c.width], k[i*ld:i*ld+c.width])
		copy(cv[dst:dst+c.width], v[i*ld:i*ld+c.width])
	}
}

// setMask records the attention mask of seq new tokens (nil: all kept)
// after the past positions.
func (c *Cache) setMask(mask [][]int, seq int) {
	for b := range c.batch {
		row := c.bias[b*c.maxLen+c.n : b*c.maxLen+c.n+seq]
		for i := range row {
			row[i] = 0
			if mask != nil && mask[b][i] == 0 {
				row[i] = kernel.MaskValue
				c.masked = true
			}
		}
	}
}

// keyBias returns the additive biases of the first kLen keys of sequence b,
// or nil when no key is masked.
func (c *Cache) keyBias(b, kLen int) []float32 {
	if !c.masked {
		return nil
	}
	return c.bias[b*c.maxLen : b*c.maxLen+kLen]
}
