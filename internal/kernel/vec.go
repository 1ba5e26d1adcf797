package kernel

// Portable forms of the vector loops in kernel_amd64.s, also used for the
// tails of rows (fewer than 8 floats) by the assembly wrappers.

func sumGo(x []float32) float32 {
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		v := x[i : i+4 : i+4]
		s0 += v[0]
		s1 += v[1]
		s2 += v[2]
		s3 += v[3]
	}
	for ; i < len(x); i++ {
		s0 += x[i]
	}
	return (s0 + s1) + (s2 + s3)
}

func sumSqDevGo(x []float32, m float32) float32 {
	var s0, s1 float32
	i := 0
	for ; i+2 <= len(x); i += 2 {
		d0, d1 := x[i]-m, x[i+1]-m
		s0 += d0 * d0
		s1 += d1 * d1
	}
	if i < len(x) {
		d := x[i] - m
		s0 += d * d
	}
	return s0 + s1
}

func addSumGo(x, r []float32) float32 {
	r = r[:len(x)]
	for i, v := range r {
		x[i] += v
	}
	return sumGo(x)
}

func maxGo(x []float32) float32 {
	m := x[0]
	for _, v := range x[1:] {
		if v > m {
			m = v
		}
	}
	return m
}

func normGo(dst, x []float32, m, inv float32, gamma, beta []float32) {
	x, gamma, beta = x[:len(dst)], gamma[:len(dst)], beta[:len(dst)]
	for i, v := range x {
		dst[i] = (v-m)*inv*gamma[i] + beta[i]
	}
}

func expSubGo(x []float32, m float32) float32 {
	var s float32
	for i, v := range x {
		e := expf(v - m)
		x[i] = e
		s += e
	}
	return s
}

func scaleGo(x []float32, s float32) {
	for i := range x {
		x[i] *= s
	}
}

func addGo(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		dst[i] += v
	}
}

func geluGo(x []float32) {
	for i, v := range x {
		x[i] = geluf(v)
	}
}

func gateGo(x []float32, a, b float32) {
	for i, v := range x {
		x[i] = gatef(v, a, b)
	}
}
