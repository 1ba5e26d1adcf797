package safetensors_test

import (
	"bytes"
	"errors"
	"fmt"
	"log"

	"github.com/hfgo/hfgo/safetensors"
)

func ExampleOpen() {
	f, err := safetensors.Open("../testdata/fixtures/formats/bert/model.safetensors")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	fmt.Println(len(f.Names()), "tensors, metadata", f.Metadata())

	info, _ := f.Tensor("bert.embeddings.word_embeddings.weight")
	fmt.Println(info.DType, info.Shape)

	// A read-only view of the mapping: do not write to it, do not use it
	// after Close.
	w, err := f.Float32("bert.embeddings.word_embeddings.weight")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d values, first %.6f\n", len(w), w[0])
	// Output:
	// 46 tensors, metadata map[format:pt]
	// F32 [512 32]
	// 16384 values, first 0.291788
}

func ExampleReader_Float32() {
	// Half-precision checkpoints decode exactly to float32.
	f, err := safetensors.Open("../testdata/fixtures/formats/bert/fp16/model.safetensors")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	w, err := f.Float32("bert.embeddings.LayerNorm.weight")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%.6f\n", w[:3])

	_, err = f.Int64("bert.embeddings.LayerNorm.weight")
	fmt.Println(errors.Is(err, safetensors.ErrDType))
	// Output:
	// [1.059570 0.912598 0.955078]
	// true
}

func ExampleWrite() {
	tensors := []safetensors.Tensor{
		{Name: "bias", DType: safetensors.F32, Shape: []int{2}, Data: []byte{0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0}},
		{Name: "ids", DType: safetensors.I64, Shape: []int{1}, Data: []byte{7, 0, 0, 0, 0, 0, 0, 0}},
	}
	var buf bytes.Buffer
	if err := safetensors.Write(&buf, tensors, map[string]string{"format": "pt"}); err != nil {
		log.Fatal(err)
	}
	b := buf.Bytes()
	fmt.Printf("%d-byte file, header %q\n", len(b), b[8:8+b[0]])

	r, err := safetensors.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		log.Fatal(err)
	}
	bias, _ := r.Float32("bias")
	ids, _ := r.Int64("ids")
	fmt.Println(bias, ids)
	// Output:
	// 168-byte file, header "{\"__metadata__\":{\"format\":\"pt\"},\"ids\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]},\"bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}"
	// [1 -2] [7]
}

func ExampleOpenIndex() {
	s, err := safetensors.OpenIndex("../testdata/fixtures/formats/gpt2/sharded_safetensors/model.safetensors.index.json")
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	total, _ := s.TotalSize()
	shard, _ := s.Shard("transformer.wte.weight")
	fmt.Println(len(s.Shards()), "shards,", s.Len(), "tensors,", total, "bytes")
	fmt.Println("transformer.wte.weight is in", shard)
	// Output:
	// 4 shards, 28 tensors, 175616 bytes
	// transformer.wte.weight is in model-00001-of-00004.safetensors
}

func ExampleValues() {
	f, err := safetensors.Open("../testdata/fixtures/formats/bert/expected.safetensors")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	ids, err := safetensors.Values[int64](f, "input.input_ids")
	if err != nil {
		log.Fatal(err)
	}
	info, _ := f.Tensor("input.input_ids")
	fmt.Println(info.Shape, ids[:4])

	_, err = safetensors.Values[int32](f, "input.input_ids")
	fmt.Println(err)
	// Output:
	// [2 11] [409 191 80 91]
	// safetensors: ../testdata/fixtures/formats/bert/expected.safetensors: tensor "input.input_ids": unsupported dtype conversion: cannot read I64 as int32
}

func ExampleError() {
	_, err := safetensors.NewReader(bytes.NewReader([]byte{1, 2, 3}), 3)
	var e *safetensors.Error
	fmt.Println(errors.As(err, &e), errors.Is(err, safetensors.ErrTruncated))
	fmt.Println(err)
	// Output:
	// true true
	// safetensors: file truncated: file of 3 bytes has no room for the 8-byte header length
}
