package hub

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
)

// blobDownload is one file to fetch into a temporary file and then move into
// place.
type blobDownload struct {
	url        string // where to GET it (the CDN location, or the resolve URL)
	filename   string // path in the repo, for errors
	etag       string
	size       int64
	incomplete string // resumable partial: a contiguous prefix of the file
	dest       string // where the finished file goes
	// progress receives the number of bytes of the file held so far.
	progress func(done int64)
}

// partsPath and statePath hold a parallel download in progress: a file of
// the final size with holes, and which ranges of it are written. They are
// not named like the partial huggingface_hub resumes, which must always be
// a contiguous prefix.
func (d *blobDownload) partsPath() string {
	return strings.TrimSuffix(d.incomplete, ".incomplete") + ".parts.incomplete"
}
func (d *blobDownload) statePath() string { return d.partsPath() + ".json" }

func (d *blobDownload) report(done int64) {
	if d.progress != nil {
		d.progress(done)
	}
}

// removePartials deletes every temporary file of d.
func (d *blobDownload) removePartials() {
	os.Remove(d.incomplete)
	os.Remove(d.partsPath())
	os.Remove(d.statePath())
}

// fetch downloads d, resuming what an earlier attempt (in this process or
// another) left, checks its size and hash, and renames it to d.dest. The
// caller holds the blob's lock.
func (c *Client) fetch(ctx context.Context, d *blobDownload, force bool) error {
	if force {
		d.removePartials()
	}
	if c.useParts(d) {
		return c.fetchPartsOrStream(ctx, d, nil)
	}
	var pr *probe
	if c.mayAddParts(d) {
		pr = c.newProbe()
	}
	prefix, err := c.fetchStream(ctx, d, pr)
	if !errors.Is(err, errSlowStream) {
		return err
	}
	c.logger.Info("hub: one stream is slow; fetching the rest in parallel parts", "file", d.filename, "have", prefix.n, "size", d.size)
	return c.fetchPartsOrStream(ctx, d, prefix)
}

// fetchPartsOrStream downloads d in parts, continuing prefix if set, and
// falls back to one stream if the server ignores ranges.
func (c *Client) fetchPartsOrStream(ctx context.Context, d *blobDownload, prefix *hashedPrefix) error {
	err := c.fetchParts(ctx, d, prefix)
	if !errors.Is(err, errNoRanges) {
		return err
	}
	c.logger.Info("hub: server ignores ranges; downloading in one stream", "file", d.filename)
	d.removePartials()
	_, err = c.fetchStream(ctx, d, nil)
	return err
}

// fetchStream downloads d in one stream into d.incomplete, resuming it with
// Range after a broken connection or an earlier run. With a probe it stops
// with errSlowStream when the stream is slow, and returns the partial's
// hash so far for parallel parts to continue.
func (c *Client) fetchStream(ctx context.Context, d *blobDownload, pr *probe) (prefix *hashedPrefix, err error) {
	f, err := c.fs.OpenFile(d.incomplete, os.O_RDWR|os.O_CREATE, 0o666)
	if err != nil {
		return nil, fmt.Errorf("hub: download %q: %w", d.filename, err)
	}
	s := &stream{c: c, d: d, f: f, hash: newContentHash(d.etag, d.size), probe: pr}
	closed := false
	defer func() {
		if !closed {
			f.Close()
		}
		if errors.Is(err, ErrChecksum) || errors.Is(err, ErrSize) {
			os.Remove(d.incomplete)
		}
	}()
	if err := s.loadPrefix(); err != nil {
		return nil, err
	}
	if err := s.run(ctx); err != nil {
		if errors.Is(err, errSlowStream) {
			return &hashedPrefix{h: s.hash, n: s.have}, err
		}
		return nil, err
	}
	if s.hash != nil {
		if err := s.hash.check(d.filename); err != nil {
			return nil, err
		}
	}
	closed = true
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("hub: download %q: %w", d.filename, err)
	}
	return nil, os.Rename(d.incomplete, d.dest)
}

// stream is the state of a single-stream download.
type stream struct {
	c    *Client
	d    *blobDownload
	f    blobFile
	have int64
	hash *contentHash
	// probe, if set, watches the stream's rate to give way to parts.
	probe *probe
}

// loadPrefix takes over what an earlier attempt wrote, hashing it.
func (s *stream) loadPrefix() error {
	st, err := s.f.Stat()
	if err != nil {
		return err
	}
	s.have = st.Size()
	if s.have > s.d.size {
		s.c.logger.Info("hub: partial file larger than the file; starting over", "file", s.d.filename)
		return s.restart()
	}
	if s.have > 0 {
		s.c.logger.Info("hub: resuming download", "file", s.d.filename, "have", s.have, "size", s.d.size)
		if s.hash != nil {
			if _, err := io.Copy(s.hash, io.NewSectionReader(s.f, 0, s.have)); err != nil {
				return fmt.Errorf("hub: resume %q: %w", s.d.filename, err)
			}
		}
	}
	s.d.report(s.have)
	return nil
}

func (s *stream) restart() error {
	if err := s.f.Truncate(0); err != nil {
		return err
	}
	s.have = 0
	if s.hash != nil {
		s.hash.reset()
	}
	s.d.report(0)
	return nil
}

// run requests the missing bytes until the file is complete. A broken
// connection is resumed with Range; it gives up after MaxRetries attempts
// in a row that brought no byte.
func (s *stream) run(ctx context.Context) error {
	failures := 0
	restarted := false
	for s.have < s.d.size {
		before := s.have
		err := s.once(ctx)
		var herr *HTTPError
		switch {
		case err == nil:
			if s.have < s.d.size {
				err = &netError{method: http.MethodGet, url: s.d.url, err: fmt.Errorf("connection closed after %d of %d bytes", s.have, s.d.size)}
			}
		case errors.As(err, &herr) && herr.StatusCode == http.StatusRequestedRangeNotSatisfiable && !restarted:
			if total, ok := unsatisfiedRangeTotal(herr.header.Get("Content-Range")); ok && total != s.d.size {
				return &SizeError{Filename: s.d.filename, Want: s.d.size, Got: total, Detail: "the server holds"}
			}
			// The partial file does not fit the remote file: start over once.
			restarted = true
			if err := s.restart(); err != nil {
				return err
			}
			continue
		}
		if err == nil {
			break
		}
		var ne *netError
		if !errors.As(err, &ne) || ctx.Err() != nil {
			return err
		}
		if s.have > before {
			failures = 0
		}
		failures++
		if failures > s.c.retry.MaxRetries {
			return err
		}
		s.c.logger.Info("hub: download interrupted; resuming", "file", s.d.filename, "have", s.have, "error", err)
		if err := s.c.retry.Sleep(ctx, s.c.retry.backoff(failures-1)); err != nil {
			return err
		}
	}
	return nil
}

// once makes one GET from s.have on and streams its body into the file.
func (s *stream) once(ctx context.Context) error {
	h := map[string]string{"Accept-Encoding": "identity"}
	if s.have > 0 {
		h["Range"] = fmt.Sprintf("bytes=%d-", s.have)
	}
	resp, err := s.c.do(ctx, &request{method: http.MethodGet, url: s.d.url, headers: h, timeout: s.c.downloadTimeout, retryNetErrors: true})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		if s.have > 0 {
			if err := s.restart(); err != nil {
				return err
			}
		}
	case http.StatusPartialContent:
		if err := checkContentRange(resp.Header.Get("Content-Range"), s.have, s.d); err != nil {
			return err
		}
	default:
		return fmt.Errorf("%w: GET %s: unexpected status %d", ErrBadResponse, redactURL(s.d.url), resp.StatusCode)
	}
	body, probe := io.Reader(resp.Body), s.probe
	if enc := resp.Header.Get("Content-Encoding"); enc != "" && !strings.EqualFold(enc, "identity") {
		// Compressed despite Accept-Encoding: identity; the length on
		// the wire says nothing and ranges would not fit. Decode it all.
		if s.have > 0 {
			if err := s.restart(); err != nil {
				return err
			}
		}
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			return &netError{method: http.MethodGet, url: s.d.url, err: err}
		}
		body, probe = zr, nil
	} else if resp.StatusCode == http.StatusOK && resp.ContentLength >= 0 && resp.ContentLength != s.d.size {
		return &SizeError{Filename: s.d.filename, Want: s.d.size, Got: resp.ContentLength, Detail: "server announces"}
	}
	return s.copy(body, probe)
}

// copy writes body at s.have on, hashing it, and refuses more bytes than
// the file has. Reading, writing and hashing overlap (see readAhead and
// startHasher); whatever the outcome, the hash covers exactly the bytes
// written when copy returns, so a broken stream resumes where it stopped.
// With a probe, copy returns errSlowStream once the stream proves slower
// than parallel parts would be.
func (s *stream) copy(body io.Reader, probe *probe) error {
	rd := readAhead(body, streamBlocks, blockSize)
	defer rd.stop()
	hs := startHasher(s.hash, rd, streamBlocks)
	defer hs.wait()
	probe.arm(s.have)
	for {
		blk := <-rd.full
		if n := len(blk.b); n > 0 {
			if s.have+int64(n) > s.d.size {
				return &SizeError{Filename: s.d.filename, Want: s.d.size, Got: s.have + int64(n), Detail: "server sent at least"}
			}
			w, werr := s.f.WriteAt(blk.b, s.have)
			s.have += int64(w)
			hs.hash(rd, blk.b[:w])
			s.d.report(s.have)
			if werr != nil {
				return fmt.Errorf("hub: write %q: %w", s.d.filename, werr)
			}
		} else {
			rd.release(blk.b)
		}
		switch rerr := blk.err; {
		case rerr == io.EOF || rerr == io.ErrUnexpectedEOF:
			return nil
		case rerr != nil:
			var te *timeoutError
			if errors.As(rerr, &te) || !errors.Is(rerr, context.Canceled) {
				return &netError{method: http.MethodGet, url: s.d.url, err: rerr}
			}
			return rerr
		}
		if probe.slow(s.have, s.d.size, rd) {
			return errSlowStream
		}
	}
}

// checkContentRange checks that a 206 answer starts at from and describes a
// file of d.size bytes.
func checkContentRange(v string, from int64, d *blobDownload) error {
	first, last, total, err := parseContentRange(v)
	if err != nil {
		return fmt.Errorf("%w: GET %s: %v", ErrBadResponse, redactURL(d.url), err)
	}
	if total >= 0 && total != d.size {
		return &SizeError{Filename: d.filename, Want: d.size, Got: total, Detail: "Content-Range gives a total of"}
	}
	if first != from || last >= d.size {
		return fmt.Errorf("%w: GET %s: asked bytes from %d, got Content-Range %q", ErrBadResponse, redactURL(d.url), from, v)
	}
	return nil
}

// parseContentRange reads "bytes first-last/total" (total -1 for "*").
func parseContentRange(v string) (first, last, total int64, err error) {
	spec, ok := strings.CutPrefix(strings.TrimSpace(v), "bytes ")
	rng, tot, ok2 := strings.Cut(spec, "/")
	a, b, ok3 := strings.Cut(rng, "-")
	if !ok || !ok2 || !ok3 {
		return 0, 0, 0, fmt.Errorf("bad Content-Range %q", v)
	}
	if first, err = strconv.ParseInt(a, 10, 64); err == nil {
		last, err = strconv.ParseInt(b, 10, 64)
	}
	if err != nil || first < 0 || last < first {
		return 0, 0, 0, fmt.Errorf("bad Content-Range %q", v)
	}
	total = -1
	if tot != "*" {
		if total, err = strconv.ParseInt(tot, 10, 64); err != nil || total <= last {
			return 0, 0, 0, fmt.Errorf("bad Content-Range %q", v)
		}
	}
	return first, last, total, nil
}

// unsatisfiedRangeTotal reads the size in a 416's "bytes */size".
func unsatisfiedRangeTotal(v string) (int64, bool) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(v), "bytes */")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(rest, 10, 64)
	return n, err == nil && n >= 0
}
