package kernel

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

func TestTranspose(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(7, 7))
	for _, s := range [][2]int{{0, 5}, {1, 1}, {3, 70}, {33, 31}, {768, 96}, {100, 1}, {600, 1030}} {
		rows, cols := s[0], s[1]
		src := randSlice(r, rows*cols)
		dst := make([]float32, rows*cols)
		Transpose(dst, src, rows, cols)
		for i := range rows {
			for j := range cols {
				if got, want := dst[j*rows+i], src[i*cols+j]; got != want {
					t.Fatalf("%dx%d: dst[%d][%d] = %v, want %v", rows, cols, j, i, got, want)
				}
			}
		}
	}
}

func TestTransposeShort(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("Transpose into a short dst did not panic")
		}
	}()
	Transpose(make([]float32, 5), make([]float32, 6), 2, 3)
}

func BenchmarkTranspose(b *testing.B) {
	r := rand.New(rand.NewPCG(7, 7))
	for _, s := range [][2]int{{768, 3072}, {3072, 768}} {
		src := randSlice(r, s[0]*s[1])
		dst := make([]float32, len(src))
		b.Run(fmt.Sprintf("%dx%d", s[0], s[1]), func(b *testing.B) {
			for b.Loop() {
				Transpose(dst, src, s[0], s[1])
			}
			b.ReportMetric(float64(8*len(src))*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
		})
	}
}
