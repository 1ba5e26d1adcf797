package kernel

import "runtime"

// Parallel calls fn on contiguous chunks [lo, hi) covering [0, n), spread
// over the available cores, and returns when all are done. The cores take
// the chunks as they come, so that one slowed by other work takes fewer.
func Parallel(n int, fn func(lo, hi int)) {
	w := min(runtime.GOMAXPROCS(0), n)
	if w <= 1 {
		if n > 0 {
			fn(0, n)
		}
		return
	}
	chunk := max(1, n/(4*w))
	onCores(w, ceilDiv(n, chunk), func(p int) {
		fn(p*chunk, min((p+1)*chunk, n))
	})
}
