package hub

import "sync"

// ProgressKind says what a ProgressEvent reports.
type ProgressKind int

// Progress event kinds. Each file goes Started -> Progressed... -> Completed.
const (
	Started ProgressKind = iota
	Progressed
	Completed
)

// String names the kind.
func (k ProgressKind) String() string {
	switch k {
	case Started:
		return "started"
	case Progressed:
		return "progressed"
	case Completed:
		return "completed"
	}
	return "unknown"
}

// ProgressEvent reports the progress of one file and of the whole call.
type ProgressEvent struct {
	Kind ProgressKind
	// File is the file's path in the repo.
	File string
	// Bytes of Size are held for this file (a resumed download starts
	// above zero).
	Bytes, Size int64
	// TotalBytes of TotalSize are held over every file of the call.
	TotalBytes, TotalSize int64
	// Cached (on Completed) says the file was already in the cache.
	Cached bool
	// Err (on Completed) is why the file failed, if it did.
	Err error
}

// ProgressFunc receives progress events. It is called from one goroutine at
// a time, in order, and never slows the download: events wait in a queue,
// and Progressed events of a file still waiting are merged into the latest.
// The download call returns only after every event has been delivered.
type ProgressFunc func(ProgressEvent)

// progressQueue delivers events to a ProgressFunc from its own goroutine.
type progressQueue struct {
	fn        ProgressFunc
	mu        sync.Mutex
	pending   []ProgressEvent
	merge     map[string]int // file -> index in pending of its Progressed event
	fileBytes map[string]int64
	total     int64
	totalSize int64
	growTotal bool // totalSize grows as files start (size unknown up front)
	wake      chan struct{}
	done      chan struct{}
	closed    bool
}

// newProgressQueue returns nil (a valid, silent queue) when fn is nil. A
// totalSize < 0 means unknown: it grows as files start.
func newProgressQueue(fn ProgressFunc, totalSize int64) *progressQueue {
	if fn == nil {
		return nil
	}
	q := &progressQueue{
		fn: fn, merge: map[string]int{}, fileBytes: map[string]int64{},
		totalSize: max(totalSize, 0), growTotal: totalSize < 0,
		wake: make(chan struct{}, 1), done: make(chan struct{}),
	}
	go q.deliver()
	return q
}

func (q *progressQueue) deliver() {
	defer close(q.done)
	for {
		q.mu.Lock()
		batch, closed := q.pending, q.closed
		q.pending, q.merge = nil, map[string]int{}
		q.mu.Unlock()
		for _, ev := range batch {
			q.fn(ev)
		}
		if closed && len(batch) == 0 {
			return
		}
		if len(batch) == 0 {
			<-q.wake
		}
	}
}

// push queues ev (q.mu held).
func (q *progressQueue) push(ev ProgressEvent) {
	ev.TotalBytes, ev.TotalSize = q.total, q.totalSize
	if ev.Kind == Progressed {
		if i, ok := q.merge[ev.File]; ok {
			q.pending[i] = ev
			return
		}
		q.merge[ev.File] = len(q.pending)
	} else {
		delete(q.merge, ev.File)
	}
	q.pending = append(q.pending, ev)
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// fileProgress reports one file's events to the queue.
type fileProgress struct {
	q    *progressQueue
	file string
	size int64
}

func (q *progressQueue) file(name string) *fileProgress {
	return &fileProgress{q: q, file: name}
}

func (p *fileProgress) start(size, have int64) {
	if p == nil || p.q == nil {
		return
	}
	q := p.q
	q.mu.Lock()
	defer q.mu.Unlock()
	p.size = size
	if q.growTotal {
		q.totalSize += size
	}
	q.total += have - q.fileBytes[p.file]
	q.fileBytes[p.file] = have
	q.push(ProgressEvent{Kind: Started, File: p.file, Bytes: have, Size: size})
}

func (p *fileProgress) progress(have int64) {
	if p == nil || p.q == nil {
		return
	}
	q := p.q
	q.mu.Lock()
	defer q.mu.Unlock()
	q.total += have - q.fileBytes[p.file]
	q.fileBytes[p.file] = have
	q.push(ProgressEvent{Kind: Progressed, File: p.file, Bytes: have, Size: p.size})
}

func (p *fileProgress) complete(cached bool, err error) {
	if p == nil || p.q == nil {
		return
	}
	q := p.q
	q.mu.Lock()
	defer q.mu.Unlock()
	have := q.fileBytes[p.file]
	if err == nil {
		q.total += p.size - have
		have = p.size
		q.fileBytes[p.file] = have
	}
	q.push(ProgressEvent{Kind: Completed, File: p.file, Bytes: have, Size: p.size, Cached: cached, Err: err})
}

// close delivers what is queued and stops the goroutine.
func (q *progressQueue) close() {
	if q == nil {
		return
	}
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
	<-q.done
}
