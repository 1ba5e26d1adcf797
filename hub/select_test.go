package hub

import (
	"fmt"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func listing(paths ...string) []RepoFile {
	files := make([]RepoFile, len(paths))
	for i, p := range paths {
		files[i] = RepoFile{Path: p, Size: int64(10 * (i + 1))}
	}
	return files
}

func names(files []RepoFile) []string {
	out := []string{}
	for _, f := range files {
		out = append(out, f.Path)
	}
	sort.Strings(out)
	return out
}

func TestSelectDefault(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		files   []RepoFile
		fetch   []string
		weights string
	}{
		{
			name: "bert-base-uncased",
			files: listing(".gitattributes", "LICENSE", "README.md", "config.json",
				"coreml/fill-mask/float32_model.mlpackage/Data/com.apple.CoreML/model.mlmodel",
				"coreml/fill-mask/float32_model.mlpackage/Data/com.apple.CoreML/weights/weight.bin",
				"coreml/fill-mask/float32_model.mlpackage/Manifest.json",
				"flax_model.msgpack", "model.onnx", "model.safetensors", "pytorch_model.bin", "rust_model.ot",
				"tf_model.h5", "tokenizer.json", "tokenizer_config.json", "vocab.txt"),
			fetch:   []string{"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "vocab.txt"},
			weights: "safetensors",
		},
		{
			name: "gpt2",
			files: listing("64-8bits.tflite", "64.tflite", "config.json", "flax_model.msgpack", "generation_config.json",
				"merges.txt", "model.safetensors", "onnx/config.json", "onnx/decoder_model.onnx", "pytorch_model.bin",
				"rust_model.ot", "tf_model.h5", "tokenizer.json", "tokenizer_config.json", "vocab.json"),
			fetch:   []string{"config.json", "generation_config.json", "merges.txt", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "vocab.json"},
			weights: "safetensors",
		},
		{
			name: "sharded safetensors beside sharded pytorch",
			files: listing("config.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors",
				"model.safetensors.index.json", "pytorch_model-00001-of-00002.bin", "pytorch_model-00002-of-00002.bin",
				"pytorch_model.bin.index.json", "tokenizer.model", "special_tokens_map.json", "added_tokens.json"),
			fetch: []string{"added_tokens.json", "config.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors",
				"model.safetensors.index.json", "special_tokens_map.json", "tokenizer.model"},
			weights: "safetensors (2 shards)",
		},
		{
			name:    "pytorch only",
			files:   listing("config.json", "pytorch_model.bin", "tf_model.h5", "vocab.txt", "spiece.model"),
			fetch:   []string{"config.json", "pytorch_model.bin", "spiece.model", "vocab.txt"},
			weights: "pytorch",
		},
		{
			name:    "sharded pytorch",
			files:   listing("config.json", "pytorch_model-00001-of-00003.bin", "pytorch_model-00002-of-00003.bin", "pytorch_model-00003-of-00003.bin", "pytorch_model.bin.index.json", "tf_model.h5.index.json"),
			fetch:   []string{"config.json", "pytorch_model-00001-of-00003.bin", "pytorch_model-00002-of-00003.bin", "pytorch_model-00003-of-00003.bin", "pytorch_model.bin.index.json"},
			weights: "pytorch (3 shards)",
		},
		{
			name: "sentence-transformers",
			files: listing("1_Pooling/config.json", "2_Normalize/.gitkeep", "README.md", "config.json", "config_sentence_transformers.json",
				"model.safetensors", "modules.json", "onnx/model.onnx", "openvino/openvino_model.xml", "sentence_bert_config.json",
				"special_tokens_map.json", "tokenizer.json", "tokenizer_config.json", "vocab.txt", "pytorch_model.bin"),
			fetch: []string{"1_Pooling/config.json", "config.json", "config_sentence_transformers.json", "model.safetensors", "modules.json",
				"sentence_bert_config.json", "special_tokens_map.json", "tokenizer.json", "tokenizer_config.json", "vocab.txt"},
			weights: "safetensors",
		},
		{
			name:    "no weights hfgo reads",
			files:   listing("config.json", "tf_model.h5", "model.onnx"),
			fetch:   []string{"config.json"},
			weights: "",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sel := SelectDefault(tc.files)
			if diff := cmp.Diff(tc.fetch, names(sel.Fetch)); diff != "" {
				t.Errorf("fetch (-want +got):\n%s", diff)
			}
			if len(sel.Fetch)+len(sel.Skipped) != len(tc.files) {
				t.Errorf("%d fetched + %d skipped != %d files", len(sel.Fetch), len(sel.Skipped), len(tc.files))
			}
			if sel.Weights != tc.weights {
				t.Errorf("weights %q, want %q", sel.Weights, tc.weights)
			}
		})
	}
}

func ExampleSelectDefault() {
	sel := SelectDefault([]RepoFile{
		{Path: "config.json"}, {Path: "model.safetensors"}, {Path: "pytorch_model.bin"},
		{Path: "tf_model.h5"}, {Path: "vocab.txt"}, {Path: "onnx/model.onnx"},
	})
	for _, f := range sel.Fetch {
		fmt.Println("fetch", f.Path)
	}
	for _, f := range sel.Skipped {
		fmt.Println("skip ", f.Path)
	}
	fmt.Println("weights:", sel.Weights)
	// Output:
	// fetch config.json
	// fetch model.safetensors
	// fetch vocab.txt
	// skip  pytorch_model.bin
	// skip  tf_model.h5
	// skip  onnx/model.onnx
	// weights: safetensors
}
