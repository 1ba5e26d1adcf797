package hub

import (
	"context"
	"fmt"
	"io"
	"math"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// heldWindow is how far ahead of the hashing a parallel download keeps the
// blocks its workers write in memory, so that the hashing takes them from
// there rather than reading them back from the file: the head of the file
// as it lands, and the parts that land out of order just ahead of it. What
// lands further ahead is read back.
const heldWindow = 64 << 20

// heldBlock is a block written to the file and kept for the hashing.
type heldBlock struct {
	off int64
	b   []byte
}

// heldBlocks are the blocks kept, per chunk in file order, and spare
// buffers for the workers.
type heldBlocks struct {
	mu     sync.Mutex
	chunks [][]heldBlock // by chunk index, in file order
	bytes  int64
	hashAt atomic.Int64 // how far the hashing has gone
	free   chan []byte
}

func newHeldBlocks(chunks int) *heldBlocks {
	return &heldBlocks{chunks: make([][]heldBlock, chunks), free: make(chan []byte, heldWindow/blockSize)}
}

// buffer returns a buffer to read a block into.
func (hb *heldBlocks) buffer() []byte {
	select {
	case b := <-hb.free:
		return b
	default:
		return make([]byte, blockSize)
	}
}

// keep offers b, just written at off in chunk i, to the hashing, and
// reports whether it was kept: then b belongs to the hashing and the
// worker takes another buffer.
func (hb *heldBlocks) keep(i int, off int64, b []byte) bool {
	end := off + int64(len(b))
	if at := hb.hashAt.Load(); end <= at || off >= at+heldWindow {
		return false
	}
	hb.mu.Lock()
	defer hb.mu.Unlock()
	// Checked again under the lock: the hashing drops a chunk's blocks,
	// under the lock, only after moving hashAt past it.
	if hb.bytes+int64(len(b)) > heldWindow || end <= hb.hashAt.Load() {
		return false
	}
	hb.chunks[i] = append(hb.chunks[i], heldBlock{off, b})
	hb.bytes += int64(len(b))
	return true
}

// take removes and returns the block of chunk i holding byte at, if one is
// kept, after dropping the blocks that end before at. Otherwise it returns
// where the next kept block of the chunk starts (math.MaxInt64 if none).
func (hb *heldBlocks) take(i int, at int64) (blk heldBlock, ok bool, next int64) {
	hb.mu.Lock()
	defer hb.mu.Unlock()
	q := hb.chunks[i]
	for len(q) > 0 && q[0].off+int64(len(q[0].b)) <= at {
		hb.releaseLocked(q[0].b)
		q = q[1:]
	}
	next = math.MaxInt64
	if len(q) > 0 && q[0].off <= at {
		blk, ok, q = q[0], true, q[1:]
	} else if len(q) > 0 {
		next = q[0].off
	}
	hb.chunks[i] = q
	return blk, ok, next
}

// dropBefore releases the blocks of the chunks before i, which the hashing
// has left.
func (hb *heldBlocks) dropBefore(i int) {
	hb.mu.Lock()
	defer hb.mu.Unlock()
	for k := range hb.chunks[:i] {
		for _, blk := range hb.chunks[k] {
			hb.releaseLocked(blk.b)
		}
		hb.chunks[k] = nil
	}
}

// release gives back the buffer of a block taken and hashed.
func (hb *heldBlocks) release(b []byte) {
	hb.mu.Lock()
	defer hb.mu.Unlock()
	hb.releaseLocked(b)
}

func (hb *heldBlocks) releaseLocked(b []byte) {
	hb.bytes -= int64(len(b))
	select {
	case hb.free <- b[:cap(b)]:
	default:
	}
}

// hashFile hashes the file from its start (or from the end of prefix), as
// far as the chunks have been written, waiting for more, and checks the
// result against the ETag. Blocks the workers kept are hashed from memory,
// the rest read back from the file.
func (p *partsDownload) hashFile(ctx context.Context, prefix *hashedPrefix) error {
	h := newContentHash(p.d.etag, p.d.size)
	if h == nil {
		p.held.hashAt.Store(math.MaxInt64) // keep nothing
		return nil
	}
	chunks := p.st.Chunks
	var at int64
	if first := chunks[0]; prefix != nil && prefix.h != nil && prefix.n > 0 &&
		first.Start == 0 && first.End == prefix.n && first.done.Load() == prefix.n {
		h, at = prefix.h, prefix.n
	}
	p.held.hashAt.Store(at)
	defer p.held.dropBefore(len(chunks))
	buf := make([]byte, blockSize)
	left := 0
	for at < p.d.size {
		i := sort.Search(len(chunks), func(i int) bool { return chunks[i].End > at }) // chunk holding at
		if i > left {
			p.held.dropBefore(i)
			left = i
		}
		blk, ok, next := p.held.take(i, at)
		if ok {
			h.Write(blk.b[at-blk.off:])
			at = blk.off + int64(len(blk.b))
			p.held.hashAt.Store(at)
			p.held.release(blk.b)
			continue
		}
		avail := min(chunks[i].Start+chunks[i].done.Load(), next)
		if at >= avail {
			select {
			case <-p.wake:
				continue
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(50 * time.Millisecond):
				continue
			}
		}
		n, err := p.f.ReadAt(buf[:min(int64(len(buf)), avail-at)], at)
		if err != nil && !(err == io.EOF && n > 0) {
			return fmt.Errorf("hub: read back %q: %w", p.d.filename, err)
		}
		h.Write(buf[:n])
		at += int64(n)
		p.held.hashAt.Store(at)
	}
	return h.check(p.d.filename)
}
