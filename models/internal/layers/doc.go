// Package layers holds the spago modules the models are built from: Linear
// (torch.nn.Linear and GPT-2's Conv1D), LayerNorm and Embedding, loaded by
// Hugging Face name through a weights.Loader, and the activations of
// transformers' ACT2FN by name.
//
// A module's parameters are spago matrices (*nn.Param over a
// *mat.Dense[float32]) that wrap the checkpoint's float32 data without
// copying (LoadConv1D's weight alone is a transposed copy, in the loader's
// weights.Arena): they may alias read-only memory and are never written.
// Forward passes work on whole row-major (tokens x features) float32
// slices, with no autograd graph, and every matrix product and row pass
// goes through internal/kernel.
package layers
