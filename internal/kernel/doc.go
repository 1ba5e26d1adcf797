// Package kernel holds the float32 numeric kernels that every model in hfgo
// runs on: the matrix products (Gemm, GemmBias, GemmPacked, Gemv), attention,
// and fused row passes (bias, residual, LayerNorm, softmax, activations).
//
// All matrices are row-major float32 slices with an explicit row stride, so a
// block of columns of a larger matrix (one attention head of a
// tokens x hidden activation) is passed without copying. Shapes are
// programmer errors: a mismatch panics. The functions do not allocate on the
// hot path and split large work across all cores (GOMAXPROCS).
//
// Products are cache-blocked and packed in the GotoBLAS/BLIS manner around a
// 4×24 micro-kernel; products with few rows and a transposed weight read the
// weight in place, and one-row products (decoding) stream it at memory
// bandwidth. On amd64 CPUs with AVX2 and FMA the inner loops are assembly
// generated with avo from _asm (go generate; the build itself needs neither
// cgo nor avo); elsewhere, or with the purego build tag, portable Go runs the
// same algorithms. Transcendental functions (exp, erf, tanh) are float32
// polynomials accurate to a few units in the last place.
package kernel
