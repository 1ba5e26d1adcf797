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
// Products read their right-hand operand (a weight) where it lies, never
// copying it, so that a model's weights can stay in a checkpoint's memory
// mapping: a weight stored n×k (a Linear's out×in) is broadcast element by
// element against packed rows of A, in tiles of C computed transposed, or
// for up to six rows of A streamed row by row as dot products; a weight
// stored k×n (a Conv1D's in×out) is read a row at a time by a 4×24
// micro-kernel, over blocks of k short enough to stay in L2; one-row
// products (decoding) stream it at memory bandwidth. The parts of a product
// are spread over persistent workers, one per core. A weight may also be
// packed once into the micro-kernel's panels (PackB, GemmPacked). On amd64
// CPUs with AVX2 and FMA the inner loops are assembly
// generated with avo from _asm (go generate; the build itself needs neither
// cgo nor avo); elsewhere, or with the purego build tag, portable Go runs the
// same algorithms. Transcendental functions (exp, erf, tanh) are float32
// polynomials accurate to a few units in the last place.
package kernel
