package kernel_test

import (
	"fmt"

	"github.com/hfgo/hfgo/internal/kernel"
)

// A Linear layer y = x·Wᵀ + b with W stored out×in, as PyTorch stores it.
func ExampleGemmBias() {
	x := []float32{1, 2, 3, 4, 5, 6} // 2 rows of 3 features
	w := []float32{
		1, 0, 0, // out 0 = in 0
		0, 1, 1, // out 1 = in 1 + in 2
	}
	b := []float32{10, 20}
	y := make([]float32, 4)
	kernel.GemmBias(true, 2, 2, 3, 1, x, 3, w, 3, 0, y, 2, b)
	fmt.Println(y)
	// Output: [11 25 14 31]
}

// Packing a weight once makes every later product skip that step.
func ExamplePackB() {
	w := []float32{1, 2, 3, 4, 5, 6} // 2×3, in×out: GPT-2's Conv1D layout
	p := kernel.PackB(false, 2, 3, w, 3)
	x := []float32{1, 1, 2, 0}
	y := make([]float32, 6)
	kernel.GemmPacked(2, 1, x, 2, p, 0, y, 3, nil)
	fmt.Println(y)
	// Output: [5 7 9 2 4 6]
}

// One decoding step multiplies a single row by each weight.
func ExampleGemv() {
	w := []float32{1, 2, 3, 4, 5, 6} // 3×2, in×out
	x := []float32{1, 0, 1}
	y := make([]float32, 2)
	kernel.Gemv(false, 2, 3, 1, x, w, 2, 0, y, nil)
	fmt.Println(y)
	// Output: [6 8]
}

func ExampleLayerNorm() {
	x := []float32{1, 2, 3, 4}
	gamma := []float32{1, 1, 1, 1}
	beta := []float32{0, 0, 0, 0}
	kernel.LayerNorm(x, 1, 4, gamma, beta, 0)
	fmt.Printf("%.4f\n", x)
	// Output: [-1.3416 -0.4472 0.4472 1.3416]
}

func ExampleSoftmax() {
	x := []float32{0, 0, kernel.MaskValue, 1, 1, 1}
	kernel.Softmax(x, 2, 3, 3)
	fmt.Printf("%.4f\n", x)
	// Output: [0.5000 0.5000 0.0000 0.3333 0.3333 0.3333]
}
