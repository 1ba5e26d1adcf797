package kernel

// gemmParallel runs j, with B packed, on the given number of cores. A is
// packed once, all of it, by all cores together; then the cores take chunks
// of columns of C as they come and multiply them by the shared packed A.
func gemmParallel(im *impl, j *gemmJob, workers, chunk int) {
	kcb := kcFor(j.k)
	mp := roundUp(j.m, mr)
	ws := workspaces.get()
	defer workspaces.put(ws)
	if len(ws.shared) < mp*j.k {
		ws.shared = make([]float32, mp*j.k)
	}
	ap := ws.shared[:mp*j.k]
	rowsPer := roundUp(ceilDiv(j.m, workers), mr)
	onCores(workers, ceilDiv(j.m, rowsPer), func(w int) {
		// Rows [r0, r1) of A, in every block of kcb columns.
		r0, r1 := w*rowsPer, min((w+1)*rowsPer, j.m)
		for pc := 0; pc < j.k; pc += kcb {
			kc := min(kcb, j.k-pc)
			im.packA(ap[mp*pc+r0*kc:], j.a[r0*j.lda+pc:], j.lda, r1-r0, kc, j.alpha)
		}
	})
	onCores(workers, ceilDiv(j.n, chunk), func(p int) {
		own := workspaces.get()
		defer workspaces.put(own)
		own.grow()
		jc := p * chunk
		j.columns(im, own, ap, mp, kcb, jc, min(chunk, j.n-jc))
	})
}

// columns computes the columns [jc, jc+nc) of C from the packed A.
func (j *gemmJob) columns(im *impl, ws *workspace, ap []float32, mp, kcb, jc, nc int) {
	c := j.c[jc:]
	if j.beta != 0 {
		scaleRows(c, j.m, nc, j.ldc, j.beta)
	}
	for pc := 0; pc < j.k; pc += kcb {
		kc := min(kcb, j.k-pc)
		bp, stride := j.panelB(jc, pc)
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
