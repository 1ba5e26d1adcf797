package kernel

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// The team runs the parts of one parallel call at a time on the caller and
// persistent worker goroutines, one per core beside the caller's. Parts are
// taken as they come, by whoever is free: when a worker is slow to start
// (its thread descheduled by other work), the caller runs its parts. After
// a call a worker spins for a while, watching for the next, and only then
// parks: the products and row passes of a forward pass follow each other
// within microseconds, and waking a parked goroutine costs several.
//
// A call made while the team is busy (another goroutine's product, or a
// part that is itself parallel) runs on goroutines of its own instead.

// spinFor is how long an idle worker, or a caller waiting for the workers,
// spins before parking.
var spinFor = 100 * time.Microsecond

// member is one worker of the team. Each sits on cache lines of its own.
type member struct {
	_      [64]byte
	seq    atomic.Uint64 // number of calls posted to this member
	call   atomic.Pointer[teamCall]
	parked atomic.Bool
	wake   chan struct{} // one token: a post to a parked member
	_      [64]byte
}

// teamCall is one parallel call: fn(p) for p in [0, parts). A worker that
// wakes late may find a later call, or an old one with no part left.
type teamCall struct {
	fn      func(part int)
	parts   int64
	next    atomic.Int64 // parts taken
	left    atomic.Int64 // parts not yet finished
	waiting atomic.Bool
	done    chan struct{}
}

var team struct {
	mu      sync.Mutex // held by the caller whose parts the workers run
	members []*member
	done    chan struct{} // the token of the last part to the waiting caller
}

// onCores calls fn(0), ..., fn(parts-1), spread over at most cores
// goroutines (the caller's and the team's), and returns when all have
// returned. The parts must not wait for one another.
func onCores(cores, parts int, fn func(part int)) {
	cores = min(cores, parts)
	if cores <= 1 {
		for p := range parts {
			fn(p)
		}
		return
	}
	if !team.mu.TryLock() {
		onGoroutines(cores, parts, fn)
		return
	}
	defer team.mu.Unlock()
	for len(team.members) < cores-1 {
		m := &member{wake: make(chan struct{}, 1)}
		team.members = append(team.members, m)
		go m.run()
	}
	if team.done == nil {
		team.done = make(chan struct{}, 1)
	}
	c := &teamCall{fn: fn, parts: int64(parts), done: team.done}
	c.left.Store(int64(parts))
	for _, m := range team.members[:cores-1] {
		m.post(c)
	}
	c.work()
	c.wait()
}

// onGoroutines is onCores on goroutines started for the call.
func onGoroutines(cores, parts int, fn func(part int)) {
	var next atomic.Int64
	work := func() {
		for p := int(next.Add(1) - 1); p < parts; p = int(next.Add(1) - 1) {
			fn(p)
		}
	}
	var wg sync.WaitGroup
	wg.Add(cores - 1)
	for range cores - 1 {
		go func() {
			defer wg.Done()
			work()
		}()
	}
	work()
	wg.Wait()
}

// work runs parts of c until none is left to take.
func (c *teamCall) work() {
	for {
		p := c.next.Add(1) - 1
		if p >= c.parts {
			return
		}
		c.fn(int(p))
		if c.left.Add(-1) == 0 && c.waiting.Swap(false) {
			c.done <- struct{}{}
		}
	}
}

// post hands c to the member, waking it if it parked.
func (m *member) post(c *teamCall) {
	m.call.Store(c)
	m.seq.Add(1)
	if m.parked.Swap(false) {
		m.wake <- struct{}{}
	}
}

// run is the member's loop: wait for a call, take its parts, repeat.
func (m *member) run() {
	var seen uint64
	for {
		seen = m.await(seen)
		m.call.Load().work()
	}
}

// await returns the sequence number of the next call after seen: spinning
// first, then parked until post wakes it.
func (m *member) await(seen uint64) uint64 {
	if spinUntil(func() bool { return m.seq.Load() != seen }) {
		return m.seq.Load()
	}
	for {
		m.parked.Store(true)
		if s := m.seq.Load(); s != seen {
			if !m.parked.Swap(false) {
				<-m.wake // post saw the flag: take its token
			}
			return s
		}
		<-m.wake
		if s := m.seq.Load(); s != seen {
			return s
		}
	}
}

// wait returns when every part of c has returned.
func (c *teamCall) wait() {
	if spinUntil(func() bool { return c.left.Load() == 0 }) {
		return
	}
	c.waiting.Store(true)
	if c.left.Load() == 0 {
		if !c.waiting.Swap(false) {
			<-c.done // the last worker saw the flag: take its token
		}
		return
	}
	<-c.done
}

// spinUntil polls cond for up to spinFor and reports whether it became true.
func spinUntil(cond func() bool) bool {
	var deadline time.Time
	for i := 0; ; i++ {
		if cond() {
			return true
		}
		if i&255 == 255 {
			now := time.Now()
			if deadline.IsZero() {
				deadline = now.Add(spinFor)
			} else if now.After(deadline) {
				return false
			}
			if i&4095 == 4095 {
				runtime.Gosched()
			}
		}
	}
}
