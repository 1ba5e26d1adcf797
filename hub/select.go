package hub

import (
	"fmt"
	"regexp"
	"strings"
)

// Selection splits a repo's files into those to fetch and those skipped.
type Selection struct {
	Fetch, Skipped []RepoFile
	// Weights names the weight format chosen: "safetensors",
	// "safetensors (N shards)", "pytorch", "pytorch (N shards)", or "" if the
	// repo has none hfgo reads.
	Weights string
}

var (
	safetensorsShard = regexp.MustCompile(`^model-\d+-of-\d+\.safetensors$`)
	pytorchShard     = regexp.MustCompile(`^pytorch_model-\d+-of-\d+\.bin$`)
	moduleConfig     = regexp.MustCompile(`^\d+_[^/]+/config\.json$`)
)

// tokenizerFiles are the root files tokenizers load besides *.json.
var tokenizerFiles = map[string]bool{"vocab.txt": true, "merges.txt": true}

// SelectDefault picks what hfgo needs to load a model: the configs (root
// *.json, and config.json of sentence-transformers modules such as
// 1_Pooling/), the tokenizer files (tokenizer.json, vocab.txt, vocab.json,
// merges.txt, *.model, special tokens maps...), and one weight format:
// model.safetensors, else the sharded safetensors set with its index, else
// pytorch_model.bin, else the sharded PyTorch set with its index. Everything
// else (TF, Flax, ONNX, Core ML, Rust .ot, other weight indexes, docs) is
// skipped.
func SelectDefault(files []RepoFile) Selection {
	byName := map[string]bool{}
	for _, f := range files {
		byName[f.Path] = true
	}
	isWeight, format := chooseWeights(files, byName)
	var s Selection
	s.Weights = format
	for _, f := range files {
		if isWeight(f.Path) || isConfigOrTokenizer(f.Path) {
			s.Fetch = append(s.Fetch, f)
		} else {
			s.Skipped = append(s.Skipped, f)
		}
	}
	return s
}

// chooseWeights returns which paths belong to the chosen weight set.
func chooseWeights(files []RepoFile, byName map[string]bool) (func(string) bool, string) {
	countShards := func(re *regexp.Regexp) int {
		n := 0
		for _, f := range files {
			if re.MatchString(f.Path) {
				n++
			}
		}
		return n
	}
	one := func(name string) func(string) bool { return func(p string) bool { return p == name } }
	sharded := func(index string, re *regexp.Regexp) func(string) bool {
		return func(p string) bool { return p == index || re.MatchString(p) }
	}
	switch {
	case byName["model.safetensors"]:
		return one("model.safetensors"), "safetensors"
	case byName["model.safetensors.index.json"]:
		return sharded("model.safetensors.index.json", safetensorsShard), fmt.Sprintf("safetensors (%d shards)", countShards(safetensorsShard))
	case byName["pytorch_model.bin"]:
		return one("pytorch_model.bin"), "pytorch"
	case byName["pytorch_model.bin.index.json"]:
		return sharded("pytorch_model.bin.index.json", pytorchShard), fmt.Sprintf("pytorch (%d shards)", countShards(pytorchShard))
	}
	return func(string) bool { return false }, ""
}

// isConfigOrTokenizer reports configs and tokenizer files, weight indexes
// excluded.
func isConfigOrTokenizer(p string) bool {
	if moduleConfig.MatchString(p) {
		return true
	}
	if strings.Contains(p, "/") {
		return false
	}
	switch {
	case strings.HasSuffix(p, ".index.json"):
		return false
	case strings.HasSuffix(p, ".json"), strings.HasSuffix(p, ".model"), tokenizerFiles[p]:
		return true
	}
	return false
}
