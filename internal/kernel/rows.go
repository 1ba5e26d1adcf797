package kernel

import "math"

// AddRow adds the vector v to each of the rows of x (rows×len(v), stride ld).
func AddRow(x []float32, rows, ld int, v []float32) {
	for i := 0; i < rows; i++ {
		r := x[i*ld : i*ld+len(v)]
		for j, b := range v {
			r[j] += b
		}
	}
}

// Add sets dst[i] += src[i].
func Add(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		dst[i] += v
	}
}

// LayerNorm normalises each of the rows of x (rows×len(gamma), stride ld) in
// place: (x-mean)/sqrt(var+eps)·gamma + beta, the biased variance, as
// torch.nn.LayerNorm computes it.
func LayerNorm(x []float32, rows, ld int, gamma, beta []float32, eps float32) {
	n := len(gamma)
	for i := 0; i < rows; i++ {
		r := x[i*ld : i*ld+n]
		var mean float32
		for _, v := range r {
			mean += v
		}
		mean /= float32(n)
		var vr float32
		for _, v := range r {
			d := v - mean
			vr += d * d
		}
		vr /= float32(n)
		inv := float32(1 / math.Sqrt(float64(vr+eps)))
		for j, v := range r {
			r[j] = (v-mean)*inv*gamma[j] + beta[j]
		}
	}
}

// Softmax replaces each of the rows of x (rows×cols, stride ld) by its
// softmax. A row of -Inf only becomes uniform, as in PyTorch with a
// float32-min mask.
func Softmax(x []float32, rows, cols, ld int) {
	for i := 0; i < rows; i++ {
		r := x[i*ld : i*ld+cols]
		mx := float32(math.Inf(-1))
		for _, v := range r {
			if v > mx {
				mx = v
			}
		}
		var s float32
		for j, v := range r {
			e := float32(math.Exp(float64(v - mx)))
			r[j] = e
			s += e
		}
		inv := 1 / s
		for j := range r {
			r[j] *= inv
		}
	}
}
