// Package bert runs BERT checkpoints from the Hugging Face Hub in pure Go,
// with the outputs of transformers to float32 precision.
//
// A model folder (or a repo id, downloaded into the Hugging Face cache)
// loads as a Pipeline for the usual tasks:
//
//	p, err := bert.Load(ctx, "google-bert/bert-base-uncased")
//	...
//	defer p.Close()
//	fills, err := p.FillMask(ctx, "Paris is the [MASK] of France.", 5)
//	emb, err := p.Embed(ctx, "A sentence to embed.")       // sentence-transformers pooling
//	labels, err := p.Classify(ctx, "What a great movie!")  // BertForSequenceClassification
//
// Below the tasks, Model is BertModel (embeddings, post-LN encoder, pooler)
// with the heads the checkpoint holds (MLM, next sentence, sequence or token
// classifier). Forward runs a padded batch (Input: ids, token type ids,
// attention mask) on whole token×hidden matrices and returns the last hidden
// state, the pooled output and, on request, every hidden state and attention
// map; MLMLogits, NSPLogits and ClassifierLogits apply the heads.
//
// Weights are read from safetensors (single or sharded) or PyTorch
// pytorch_model.bin checkpoints (zip or legacy, single or sharded), fp32,
// fp16 or bf16, with or without the "bert." prefix and with legacy
// gamma/beta LayerNorm names. They become spago parameters that wrap the
// file's memory mapping without copying (fp16/bf16 are converted to
// float32 once), so a loaded model holds one float32 copy of its weights.
// Every matrix product and row pass runs through internal/kernel.
package bert
