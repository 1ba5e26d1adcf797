// Package tokenizer turns text into the token ids that BERT and GPT-2 checkpoints expect, exactly
// as Hugging Face `transformers` does, and back.
//
// Two families are supported: WordPiece (BERT) and byte-level BPE (GPT-2). A [Tokenizer] is read
// from a model folder with [Load]: from its tokenizer.json when there is one (the schema of the
// Rust `tokenizers` library, which the "fast" tokenizers of `transformers` run), otherwise from the
// legacy files of the "slow" Python tokenizers: vocab.txt + tokenizer_config.json (BertTokenizer)
// or vocab.json + merges.txt (GPT2Tokenizer). Each source is followed with its own semantics: a
// tokenizer.json behaves as the Rust library does, legacy files as the Python classes do. A
// component the package does not implement is an error naming it, never a silent difference.
//
// # Offsets
//
// [Encoding.Offsets] are byte offsets into the input string, [start, end), always on character
// boundaries, so text[start:end] is the text a token covers. Special tokens added around the
// sequence have offsets (0, 0). The Rust library reports character (code point) offsets;
// [Encoding.CharOffsets] and [CharOffsets] convert. Invalid UTF-8 is accepted: every invalid byte
// counts as one character and is read as U+FFFD.
//
// # Concurrency
//
// A Tokenizer is safe for concurrent use; [Tokenizer.EncodeBatch] encodes on all cores.
package tokenizer
