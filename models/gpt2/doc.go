// Package gpt2 runs GPT-2 (GPT2Model and GPT2LMHeadModel of Hugging Face
// transformers) in pure Go on spago matrices: the forward pass over whole
// (tokens x hidden) matrices, a preallocated key/value cache for incremental
// decoding, and text generation (greedy or sampled, with temperature, top-k,
// top-p and repetition penalty) that streams tokens as they are produced.
//
// A model folder, a weight file, or a repo id (downloaded into the Hugging
// Face cache) loads as a Pipeline:
//
//	p, err := gpt2.Load(ctx, "openai-community/gpt2")
//	...
//	defer p.Close()
//	g := p.Generation // generation_config.json
//	g.MaxNewTokens = 30
//	for piece, err := range p.Stream(ctx, "Hello, my dog is", g) { ... }
//
// Numerics follow transformers: pre-LN blocks, Conv1D layers (weights
// stored (in, out) in checkpoints), the fused c_attn projection split into
// q|k|v, attention scaled by 1/sqrt(head_dim) (and 1/(layer+1) when the
// config asks), causal and padding masks at the float32 minimum, gelu_new,
// and an lm_head tied to the token embeddings. Every matrix product and row pass goes through
// internal/kernel. Outputs match transformers to float32 precision.
//
// The Conv1D weights of the blocks are transposed once at load to out×in,
// the layout the products read fastest, and the biases and norms copied,
// into memory of the model's own outside the Go heap; the checkpoint's
// pages of them are given back. The embeddings (wte, also the LM head, and
// wpe) stay in the checkpoint's float32 memory (fp16 and bf16 checkpoints
// are widened once): the model never writes into them, so a memory-mapped
// checkpoint is shared, not copied. Close a model (or its
// Pipeline) to free both. A Model is safe for concurrent use until Close; a
// Cache belongs to one decoding sequence batch at a time.
package gpt2
