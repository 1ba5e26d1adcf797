// Package tokenizer turns text into the token ids that BERT and GPT-2 checkpoints expect, exactly
// as Hugging Face `transformers` does, and back.
//
// Two families are supported: WordPiece (BERT) and byte-level BPE (GPT-2). A [Tokenizer] is read
// from a model folder with [Load] (or [LoadFS]): from its tokenizer.json when there is one, the
// schema of the Rust `tokenizers` library that the "fast" tokenizers of `transformers` run;
// otherwise from the legacy files of the "slow" Python tokenizers: vocab.txt with
// tokenizer_config.json (BertTokenizer), or vocab.json with merges.txt (GPT2Tokenizer).
// [LoadFile] reads a tokenizer.json alone.
//
// Each source keeps its own semantics, where the two libraries differ: a tokenizer.json behaves
// as the Rust library does (its BertNormalizer, its truncation of pairs, its WordPiece decoder
// that cleans up token by token), legacy files as the Python classes do (BasicTokenizer with NFC,
// truncate_sequences, convert_tokens_to_string). Loaded with its tokenizer_config.json, a
// tokenizer.json also takes from it what transformers takes: the special token names, the
// clean-up of decoding, model_max_length.
//
// # Supported tokenizer.json components
//
// Normalizers BertNormalizer, Lowercase, NFC, NFD, NFKC, NFKD, StripAccents, Replace, Strip,
// Prepend and Sequence; pre-tokenizers BertPreTokenizer, ByteLevel, Whitespace, WhitespaceSplit,
// Punctuation, Digits, Split (string patterns, the GPT-2 pattern, and regular expressions with
// the meaning they have in Oniguruma, the Rust library's engine: Unicode \s and \d, ^ and $ at
// every line; those Go's regexp cannot match alike, such as \w, \b or lookarounds, are refused)
// and Sequence; models WordPiece and BPE (prefix, suffix, unknown token, fuse_unk,
// byte_fallback, ignore_merges); post-processors TemplateProcessing, BertProcessing,
// RobertaProcessing, ByteLevel and Sequence; decoders WordPiece, ByteLevel, BPEDecoder,
// ByteFallback, Fuse, Strip, Replace and Sequence; added_tokens with their single_word, lstrip,
// rstrip, normalized and special flags; truncation and padding. Anything else (a Unigram model, a
// Metaspace pre-tokenizer, BPE dropout...) is an error naming the file and field, never a silent
// difference.
//
// # Offsets
//
// [Encoding.Offsets] are byte offsets into the input string, [start, end), always on character
// boundaries, so text[start:end] is the text a token covers; a byte-level token that covers part
// of a character covers the whole character, as in the Rust library. Special tokens added around
// the text and padding have offsets (0, 0); for a pair, offsets of the second sequence
// ([Encoding.SequenceIDs] 1) point into the second text. The Rust library and the fast tokenizers
// of transformers report character (code point) offsets: [Encoding.CharOffsets] and [CharOffsets]
// convert. Invalid UTF-8 is accepted: every invalid byte is one character, read as U+FFFD, and
// byte-level BPE keeps its bytes, so that decoding gives them back (as U+FFFD, the way Python
// decodes with errors="replace").
//
// # Concurrency and speed
//
// A Tokenizer is safe for concurrent use; [Tokenizer.EncodeBatch] encodes on all cores. No regular
// expression runs on the WordPiece or GPT-2 paths (the GPT-2 pattern, lookahead included, is a
// hand-written scanner), words are cached, and the vocabulary and the per-call buffers hold no
// pointers per token, so the garbage collector has little to do.
package tokenizer
