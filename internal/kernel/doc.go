// Package kernel holds the float32 numeric kernels that every model in hfgo
// runs on: one matrix-product entry point (Gemm) and fused row passes
// (bias, residual, LayerNorm, softmax, activations).
//
// All matrices are row-major float32 slices with an explicit row stride, so a
// block of columns of a larger matrix (one attention head of a
// tokens x hidden activation) is passed without copying. Shapes are
// programmer errors: a mismatch panics. The functions never allocate on the
// hot path and split large work across all cores.
package kernel
