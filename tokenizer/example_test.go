package tokenizer_test

import (
	"fmt"

	"github.com/hfgo/hfgo/tokenizer"
)

// BERT's WordPiece, from bert-base-uncased's vocab.txt and tokenizer_config.json.
func ExampleLoad_bert() {
	tk, err := tokenizer.Load("../testdata/fixtures/bert")
	if err != nil {
		fmt.Println(err)
		return
	}
	enc, err := tk.Encode("Hello, unaffable world!")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(enc.Tokens)
	fmt.Println(enc.IDs)
	fmt.Println(enc.Offsets)
	fmt.Println(tk.Decode(enc.IDs, true))
	// Output:
	// [[CLS] hello , una ##ffa ##ble world ! [SEP]]
	// [101 7592 1010 14477 20961 3468 2088 999 102]
	// [[0 0] [0 5] [5 6] [7 10] [10 13] [13 16] [17 22] [22 23] [0 0]]
	// hello, unaffable world!
}

// GPT-2's byte-level BPE, from its vocab.json and merges.txt.
func ExampleLoad_gpt2() {
	tk, err := tokenizer.Load("../testdata/fixtures/gpt2")
	if err != nil {
		fmt.Println(err)
		return
	}
	text := "Héllo wörld<|endoftext|>"
	enc, err := tk.Encode(text)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(enc.Tokens)
	fmt.Println(enc.IDs)
	fmt.Println(enc.Offsets)
	fmt.Println(enc.CharOffsets(text))
	fmt.Printf("%q\n", tk.Decode(enc.IDs, false))
	// Output:
	// [H Ã© llo Ġw Ã¶r ld <|endoftext|>]
	// [39 2634 18798 266 30570 335 50256]
	// [[0 1] [1 3] [3 6] [6 8] [8 11] [11 13] [13 26]]
	// [[0 1] [1 2] [2 5] [5 7] [7 9] [9 11] [11 24]]
	// "Héllo wörld<|endoftext|>"
}

// A pair of texts, truncated and padded as a batch for BERT.
func ExampleTokenizer_EncodePair() {
	tk, err := tokenizer.Load("../testdata/fixtures/bert")
	if err != nil {
		fmt.Println(err)
		return
	}
	enc, err := tk.EncodePair("Who wrote it?", "The quick brown fox wrote it.", tokenizer.WithTruncation(10), tokenizer.WithPadding(12, false))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(enc.Tokens)
	fmt.Println(enc.TypeIDs)
	fmt.Println(enc.AttentionMask)
	// Output:
	// [[CLS] who wrote it ? [SEP] the quick brown [SEP] [PAD] [PAD]]
	// [0 0 0 0 0 0 1 1 1 1 0 0]
	// [1 1 1 1 1 1 1 1 1 1 0 0]
}

// A tokenizer.json, read with the semantics of the Rust library.
func ExampleLoadFile() {
	tk, err := tokenizer.LoadFile("../testdata/fixtures/tokenizer_json/bert-base-uncased.tokenizer.json")
	if err != nil {
		fmt.Println(err)
		return
	}
	enc, err := tk.Encode("[MASK] is a token", tokenizer.WithoutSpecialTokens())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(enc.Tokens, enc.IDs)
	_, id, _ := tk.SpecialToken("mask_token")
	fmt.Println(id, tk.VocabSize())
	// Output:
	// [[MASK] is a token] [103 2003 1037 19204]
	// 103 30522
}
