package convert_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/hfgo/hfgo/convert"
)

// Open reads any weight format through one view; here a pytorch_model.bin
// whose lm_head.weight is tied to the token embeddings.
func ExampleOpen() {
	c, err := convert.Open("../testdata/fixtures/formats/gpt2/pytorch_model.bin")
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	fmt.Println(c.Format(), len(c.Names()), "tensors")
	info, _ := c.Info("transformer.wpe.weight")
	fmt.Println(info.Name, info.DType, info.Shape, info.Size, "bytes")
	w, shape, err := c.Float32("transformer.ln_f.bias")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(shape, len(w))
	fmt.Println("tied:", c.Aliases())
	// Output:
	// pytorch 29 tensors
	// transformer.wpe.weight F32 [64 32] 8192 bytes
	// [32] 32
	// tied: [[transformer.wte.weight lm_head.weight]]
}

// Convert writes a PyTorch checkpoint as save_pretrained(safe_serialization=
// True) would: tied duplicates dropped, sharded at max_shard_size, with an
// index.
func ExampleConvert() {
	dst, err := os.MkdirTemp("", "converted")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dst)
	size, _ := convert.ParseSize("46KB")
	res, err := convert.Convert(context.Background(), "../testdata/fixtures/formats/bert/pytorch_model.bin", dst,
		&convert.Options{MaxShardSize: size})
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range res.Files {
		fmt.Println(filepath.Base(f))
	}
	fmt.Println(res.Tensors, "tensors,", res.TotalSize, "bytes; left out:", res.Dropped)

	c, err := convert.Open(dst)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	fmt.Println(c.Format(), c.Metadata())
	// Output:
	// model-00001-of-00003.safetensors
	// model-00002-of-00003.safetensors
	// model-00003-of-00003.safetensors
	// model.safetensors.index.json
	// 46 tensors, 139568 bytes; left out: [cls.predictions.decoder.weight cls.predictions.decoder.bias]
	// safetensors (sharded) map[format:pt]
}
