package hub

import (
	"io"
	"sync/atomic"
	"time"
)

// A stream's body flows through three goroutines that overlap on separate
// cores: one reads it into buffers, the caller writes each buffer to the
// file, and one hashes the buffers written, in order, then hands them back
// to the reader. streamBlocks buffers of blockSize bytes are in flight.
// Large blocks make few hand-overs between the goroutines (with 1 MiB
// blocks, waking them cost a fifth more CPU time on loopback); a block is
// passed on early when filling it takes longer than blockWait, so a slow
// download still shows progress.
const (
	blockSize    = 4 << 20
	streamBlocks = 4
	blockWait    = 100 * time.Millisecond
)

// readBlock reads into buf until it is full, r ends or fails, or maxWait
// has passed since the first read returned. Like io.ReadFull, it returns
// io.EOF if r ended before any byte, io.ErrUnexpectedEOF if it ended after
// some.
func readBlock(r io.Reader, buf []byte, maxWait time.Duration) (int, error) {
	var n int
	var start time.Time
	for n < len(buf) {
		k, err := r.Read(buf[n:])
		n += k
		switch {
		case err == io.EOF && n > 0:
			return n, io.ErrUnexpectedEOF
		case err != nil:
			return n, err
		case start.IsZero():
			start = time.Now()
		case time.Since(start) >= maxWait:
			return n, nil
		}
	}
	return n, nil
}

// block is a buffer read from a body, with the error that ended the read.
type block struct {
	b   []byte
	err error
}

// reader reads a body ahead into a fixed set of buffers.
type reader struct {
	full chan block
	free chan []byte
	done chan struct{}
	// starved is how long the reader waited for a free buffer: time the
	// writing or the hashing, not the network, held the download up.
	starved atomic.Int64
}

// readAhead starts reading r into n buffers of size bytes; each buffer comes
// back on full and must be returned on free. stop ends the reading (the body
// must then be closed to unblock a read in progress).
func readAhead(r io.Reader, n, size int) *reader {
	rd := &reader{full: make(chan block, n), free: make(chan []byte, n), done: make(chan struct{})}
	for range n {
		rd.free <- make([]byte, size)
	}
	go rd.run(r)
	return rd
}

func (rd *reader) run(r io.Reader) {
	for {
		var buf []byte
		select {
		case buf = <-rd.free:
		default:
			t := time.Now()
			select {
			case buf = <-rd.free:
			case <-rd.done:
				return
			}
			rd.starved.Add(int64(time.Since(t)))
		}
		k, err := readBlock(r, buf, blockWait)
		select {
		case rd.full <- block{buf[:k], err}:
		case <-rd.done:
			return
		}
		if err != nil {
			return
		}
	}
}

func (rd *reader) stop() { close(rd.done) }

// release gives a buffer back to the reader.
func (rd *reader) release(b []byte) { rd.free <- b[:cap(b)] }

// hasher feeds buffers to a contentHash in its own goroutine, in the order
// they are sent, and releases each one to the reader once hashed.
type hasher struct {
	in   chan []byte
	done chan struct{}
}

// startHasher returns nil (and buffers go straight back) when h is nil.
func startHasher(h *contentHash, rd *reader, n int) *hasher {
	if h == nil {
		return nil
	}
	hs := &hasher{in: make(chan []byte, n), done: make(chan struct{})}
	go func() {
		defer close(hs.done)
		for b := range hs.in {
			h.Write(b)
			rd.release(b)
		}
	}()
	return hs
}

// hash queues b, bytes already written to the file, to be hashed; without
// a hasher b goes back to rd at once.
func (hs *hasher) hash(rd *reader, b []byte) {
	if hs == nil {
		rd.release(b)
		return
	}
	hs.in <- b
}

// wait returns once every buffer queued is hashed: the hash then covers
// exactly the bytes written.
func (hs *hasher) wait() {
	if hs == nil {
		return
	}
	close(hs.in)
	<-hs.done
}
