package kernel

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestOnCores checks that every part runs exactly once, with spinning and
// parked workers, more parts than cores, nested calls and concurrent callers.
func TestOnCores(t *testing.T) {
	check := func(t *testing.T, cores, parts int) {
		counts := make([]atomic.Int32, parts)
		onCores(cores, parts, func(p int) {
			counts[p].Add(1)
			time.Sleep(time.Duration(p%3) * time.Microsecond)
		})
		for p := range counts {
			if c := counts[p].Load(); c != 1 {
				t.Errorf("%d cores, %d parts: part %d ran %d times", cores, parts, p, c)
			}
		}
	}
	for _, s := range [][2]int{{1, 1}, {2, 1}, {2, 2}, {2, 7}, {3, 3}, {4, 17}, {1, 5}, {2, 0}} {
		check(t, s[0], s[1])
	}
	// Workers parked after a pause.
	time.Sleep(3 * spinFor)
	check(t, 3, 9)
	// A part that is itself parallel runs on goroutines of its own.
	var inner atomic.Int32
	onCores(2, 3, func(int) {
		onCores(2, 4, func(int) { inner.Add(1) })
	})
	if got := inner.Load(); got != 12 {
		t.Errorf("nested: %d inner parts ran, want 12", got)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				check(t, 2, 5)
			}
		}()
	}
	wg.Wait()
}

// BenchmarkOnCores is the cost of one parallel call with nothing to do: on
// the team, and on goroutines started for the call.
func BenchmarkOnCores(b *testing.B) {
	var sink atomic.Int64
	fn := func(p int) { sink.Add(int64(p)) }
	b.Run("team", func(b *testing.B) {
		for b.Loop() {
			onCores(2, 2, fn)
		}
	})
	b.Run("goroutines", func(b *testing.B) {
		for b.Loop() {
			onGoroutines(2, 2, fn)
		}
	})
}
