package kernel

import (
	"sync"
	"sync/atomic"
)

// gemmParallel runs j on the given number of goroutines. A is packed once,
// all of it, by all workers together; then each worker takes the next chunk
// of columns of C, packs that slice of B and multiplies it by the shared
// packed A. Taking chunks as they come keeps both cores busy when one of
// them is slowed by other work, and no element of A or B is packed twice.
func gemmParallel(im *impl, j *gemmJob, workers, chunk int) {
	kcb := kcFor(j.k)
	mp := roundUp(j.m, mr)
	ws := workspaces.get()
	defer workspaces.put(ws)
	if len(ws.shared) < mp*j.k {
		ws.shared = make([]float32, mp*j.k)
	}
	ap := ws.shared[:mp*j.k]
	var next atomic.Int64
	var packed, done sync.WaitGroup
	packed.Add(workers)
	done.Add(workers - 1)
	rowsPer := roundUp(ceilDiv(j.m, workers), mr)
	work := func(w int, own *workspace) {
		// Rows [r0, r1) of A, in every block of kcb columns.
		r0, r1 := min(w*rowsPer, j.m), min((w+1)*rowsPer, j.m)
		for pc := 0; pc < j.k && r0 < r1; pc += kcb {
			kc := min(kcb, j.k-pc)
			im.packA(ap[mp*pc+r0*kc:], j.a[r0*j.lda+pc:], j.lda, r1-r0, kc, j.alpha)
		}
		packed.Done()
		packed.Wait()
		own.grow()
		for {
			jc := int(next.Add(1)-1) * chunk
			if jc >= j.n {
				return
			}
			j.columns(im, own, ap, mp, kcb, jc, min(chunk, j.n-jc))
		}
	}
	for w := 1; w < workers; w++ {
		go func() {
			defer done.Done()
			own := workspaces.get()
			defer workspaces.put(own)
			work(w, own)
		}()
	}
	work(0, ws)
	done.Wait()
}

// columns computes the columns [jc, jc+nc) of C from the packed A.
func (j *gemmJob) columns(im *impl, ws *workspace, ap []float32, mp, kcb, jc, nc int) {
	c := j.c[jc:]
	if j.beta != 0 {
		scaleRows(c, j.m, nc, j.ldc, j.beta)
	}
	for pc := 0; pc < j.k; pc += kcb {
		kc := min(kcb, j.k-pc)
		bp, stride := j.panelB(im, ws, jc, pc, kc, nc)
		var bias []float32
		if pc == 0 && j.bias != nil {
			bias = j.bias[jc : jc+nc]
		}
		load := j.beta != 0 || pc > 0
		block := ap[mp*pc:]
		for ic := 0; ic < j.m; ic += mcMax {
			mc := min(mcMax, j.m-ic)
			macro(im, ws, kc, mc, nc, block[ic*kc:], bp, stride, c[ic*j.ldc:], j.ldc, bias, load)
		}
	}
}

// chunkFor is the width of the chunks of columns the workers take: about
// four per worker, whole micro-panels, at most ncMax.
func chunkFor(n, workers int) int {
	return min(roundUp(ceilDiv(n, 4*workers), nr), ncMax)
}
