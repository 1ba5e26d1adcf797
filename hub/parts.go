package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// errNoRanges: the server answered a ranged request with the whole file.
var errNoRanges = errors.New("hub: server does not honour Range requests")

// useParts reports whether d is fetched as parallel ranged chunks from the
// start: parts were asked for (WithParallelDownload) and d fits them, or d
// was already started that way.
func (c *Client) useParts(d *blobDownload) bool {
	if _, err := os.Stat(d.statePath()); err == nil {
		return true
	}
	return c.forceParts && c.partsFit(d)
}

// partsFit reports whether d may be fetched in parts: large enough, and
// verifiable (a sha256 ETag, so a chunk lost in a crash cannot go
// unnoticed).
func (c *Client) partsFit(d *blobDownload) bool {
	return c.parts > 1 && d.size >= c.partThreshold && len(d.etag) == 64 && isHex(d.etag)
}

// chunk is a byte range of the file and how much of it is written.
type chunk struct {
	Start int64 `json:"start"`
	End   int64 `json:"end"`  // exclusive
	Done  int64 `json:"done"` // bytes written from Start on
	done  atomic.Int64
}

// partsState is saved next to the parts file so another run resumes it.
type partsState struct {
	ETag   string   `json:"etag"`
	Size   int64    `json:"size"`
	Chunks []*chunk `json:"chunks"`
}

// chunkSize splits size into about 4 chunks per connection, between 8 and
// 64 MiB: small enough that chunks finish in order (so hashing follows the
// download closely), large enough that a request's latency is small. A file
// too small for that still gets one chunk per connection.
func chunkSize(size int64, parts int) int64 {
	perPart := (size + int64(parts) - 1) / int64(parts)
	return max(min(max(size/int64(parts*4), min(8<<20, perPart)), 64<<20), 1)
}

// splitChunks covers [from, size) with chunks.
func splitChunks(from, size, step int64) []*chunk {
	var cs []*chunk
	for s := from; s < size; s += step {
		cs = append(cs, &chunk{Start: s, End: min(s+step, size)})
	}
	return cs
}

// partsDownload is a parallel download in progress.
type partsDownload struct {
	c      *Client
	d      *blobDownload
	f      blobFile
	st     *partsState
	total  atomic.Int64 // bytes held
	wake   chan struct{}
	held   *heldBlocks
	saveMu sync.Mutex
	repMu  sync.Mutex // keeps the totals reported in order
}

// add counts n more bytes held and reports the new total.
func (p *partsDownload) add(n int64) {
	p.repMu.Lock()
	p.d.report(p.total.Add(n))
	p.repMu.Unlock()
}

// fetchParts downloads d as ranged chunks over c.parts connections into a
// file of the final size, hashing the contiguous prefix as it grows. The
// chunk state is saved as it advances, so a killed process resumes. prefix,
// if set, is the hash of the partial a stream left, so that it is not read
// back.
func (c *Client) fetchParts(ctx context.Context, d *blobDownload, prefix *hashedPrefix) (err error) {
	p := &partsDownload{c: c, d: d, wake: make(chan struct{}, 1)}
	if err := p.open(); err != nil {
		return err
	}
	closed := false
	defer func() {
		if !closed {
			p.f.Close()
		}
		switch {
		case errors.Is(err, ErrChecksum), errors.Is(err, ErrSize):
			d.removePartials()
		case err != nil:
			p.save()
		}
	}()
	if err := p.run(ctx, prefix); err != nil {
		return err
	}
	closed = true
	if err := p.f.Close(); err != nil {
		return fmt.Errorf("hub: download %q: %w", d.filename, err)
	}
	if err := os.Rename(d.partsPath(), d.dest); err != nil {
		return err
	}
	os.Remove(d.statePath())
	return nil
}

// open resumes a saved parallel download, or turns a contiguous partial into
// one, or starts one.
func (p *partsDownload) open() error {
	d := p.d
	if st, ok := p.loadState(); ok {
		f, err := p.c.fs.OpenFile(d.partsPath(), os.O_RDWR, 0)
		if err == nil {
			if fi, err := f.Stat(); err == nil && fi.Size() == d.size {
				p.f, p.st = f, st
				return nil
			}
			f.Close()
		}
	}
	os.Remove(d.statePath())
	var have int64
	if fi, err := os.Stat(d.incomplete); err == nil && fi.Size() <= d.size {
		// A contiguous partial (ours or Python's): keep its bytes.
		if err := os.Rename(d.incomplete, d.partsPath()); err != nil {
			return err
		}
		have = fi.Size()
	} else {
		os.Remove(d.incomplete)
		os.Remove(d.partsPath())
	}
	f, err := p.c.fs.OpenFile(d.partsPath(), os.O_RDWR|os.O_CREATE, 0o666)
	if err != nil {
		return fmt.Errorf("hub: download %q: %w", d.filename, err)
	}
	if err := f.Truncate(d.size); err != nil {
		f.Close()
		return fmt.Errorf("hub: download %q: %w", d.filename, err)
	}
	st := &partsState{ETag: d.etag, Size: d.size}
	if have > 0 {
		st.Chunks = append(st.Chunks, &chunk{Start: 0, End: have, Done: have})
	}
	st.Chunks = append(st.Chunks, splitChunks(have, d.size, chunkSize(d.size, p.c.parts))...)
	for _, ch := range st.Chunks {
		ch.done.Store(ch.Done)
	}
	p.f, p.st = f, st
	return p.save()
}

// loadState reads the saved state; ok only if it describes this file and
// its chunks tile it exactly.
func (p *partsDownload) loadState() (*partsState, bool) {
	b, err := os.ReadFile(p.d.statePath())
	if err != nil {
		return nil, false
	}
	var st partsState
	if json.Unmarshal(b, &st) != nil || st.ETag != p.d.etag || st.Size != p.d.size || len(st.Chunks) == 0 {
		return nil, false
	}
	var at int64
	for _, ch := range st.Chunks {
		if ch == nil || ch.Start != at || ch.End <= ch.Start || ch.Done < 0 || ch.Done > ch.End-ch.Start {
			return nil, false
		}
		ch.done.Store(ch.Done)
		at = ch.End
	}
	if at != st.Size {
		return nil, false
	}
	return &st, true
}

// save writes the chunk state atomically.
func (p *partsDownload) save() error {
	p.saveMu.Lock()
	defer p.saveMu.Unlock()
	for _, ch := range p.st.Chunks {
		ch.Done = ch.done.Load()
	}
	b, err := json.Marshal(p.st)
	if err != nil {
		return err
	}
	return writeFileAtomic(p.d.statePath(), b)
}

// run fetches the missing chunks with c.parts workers, taking chunks in
// order, while one goroutine hashes the file's contiguous prefix (from the
// end of prefix, if it is the file's first chunk).
func (p *partsDownload) run(ctx context.Context, prefix *hashedPrefix) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var held int64
	var todo []int
	for i, ch := range p.st.Chunks {
		held += ch.done.Load()
		if ch.done.Load() < ch.End-ch.Start {
			todo = append(todo, i)
		}
	}
	p.total.Store(held)
	p.d.report(held)

	queue := make(chan int, len(todo))
	for _, i := range todo {
		queue <- i
	}
	close(queue)
	p.held = newHeldBlocks(len(p.st.Chunks))
	var wg sync.WaitGroup
	for range min(p.c.parts, len(todo)) {
		wg.Go(func() {
			for i := range queue {
				if err := p.fetchChunk(ctx, i); err != nil {
					cancel(err)
					return
				}
				p.save()
			}
		})
	}
	stopSaver := p.saveEvery(200 * time.Millisecond)
	hashErr := make(chan error, 1)
	go func() { hashErr <- p.hashFile(ctx, prefix) }()
	wg.Wait()
	stopSaver()
	herr := <-hashErr
	if err := context.Cause(ctx); err != nil {
		return err
	}
	return herr
}

// saveEvery saves the state periodically until stopped.
func (p *partsDownload) saveEvery(d time.Duration) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				p.save()
			case <-done:
				return
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

// fetchChunk downloads the rest of chunk i, resuming it after a broken
// connection.
func (p *partsDownload) fetchChunk(ctx context.Context, i int) error {
	ch := p.st.Chunks[i]
	failures := 0
	for ch.done.Load() < ch.End-ch.Start {
		before := ch.done.Load()
		err := p.chunkOnce(ctx, i)
		if err == nil && ch.done.Load() < ch.End-ch.Start {
			err = &netError{method: http.MethodGet, url: p.d.url, err: fmt.Errorf("connection closed inside bytes %d-%d", ch.Start, ch.End-1)}
		}
		if err == nil {
			break
		}
		var ne *netError
		if !errors.As(err, &ne) || ctx.Err() != nil {
			return err
		}
		if ch.done.Load() > before {
			failures = 0
		}
		failures++
		if failures > p.c.retry.MaxRetries {
			return err
		}
		if err := p.c.retry.Sleep(ctx, p.c.retry.backoff(failures-1)); err != nil {
			return err
		}
	}
	return nil
}

// chunkOnce makes one ranged GET for the rest of chunk i.
func (p *partsDownload) chunkOnce(ctx context.Context, i int) error {
	ch := p.st.Chunks[i]
	from := ch.Start + ch.done.Load()
	h := map[string]string{
		"Accept-Encoding": "identity",
		"Range":           fmt.Sprintf("bytes=%d-%d", from, ch.End-1),
	}
	resp, err := p.c.do(ctx, &request{method: http.MethodGet, url: p.d.url, headers: h, timeout: p.c.downloadTimeout, retryNetErrors: true})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusOK:
		return errNoRanges
	case resp.StatusCode != http.StatusPartialContent:
		return fmt.Errorf("%w: GET %s: unexpected status %d", ErrBadResponse, redactURL(p.d.url), resp.StatusCode)
	}
	if err := checkContentRange(resp.Header.Get("Content-Range"), from, p.d); err != nil {
		return err
	}
	if enc := resp.Header.Get("Content-Encoding"); enc != "" && enc != "identity" {
		return errNoRanges
	}
	buf := p.held.buffer()
	for {
		at := ch.Start + ch.done.Load()
		if at == ch.End {
			return nil // a server sending more than asked is not read further
		}
		n, rerr := readBlock(resp.Body, buf[:min(int64(len(buf)), ch.End-at)], blockWait)
		if n > 0 {
			w, werr := p.f.WriteAt(buf[:n], at)
			ch.done.Add(int64(w))
			p.add(int64(w))
			if w > 0 && p.held.keep(i, at, buf[:w]) {
				buf = p.held.buffer()
			}
			select {
			case p.wake <- struct{}{}:
			default:
			}
			if werr != nil {
				return fmt.Errorf("hub: write %q: %w", p.d.filename, werr)
			}
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			return nil
		}
		if rerr != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return &netError{method: http.MethodGet, url: p.d.url, err: rerr}
		}
	}
}
