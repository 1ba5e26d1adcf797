package convert

import (
	"fmt"
	"strconv"
	"strings"
)

// DefaultMaxShardSize is transformers' default max_shard_size, "5GB".
const DefaultMaxShardSize = 5_000_000_000

// ParseSize parses a shard size as transformers' convert_file_size_to_int
// does: an integer followed by GIB, MIB or KIB (powers of 1024), or GB, MB
// or KB (powers of 1000; a lower-case "b", as in "5Gb", means bits), case
// otherwise ignored; a plain integer is a byte count.
func ParseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{
		{"GIB", 1 << 30}, {"MIB", 1 << 20}, {"KIB", 1 << 10},
		{"GB", 1_000_000_000}, {"MB", 1_000_000}, {"KB", 1_000},
	}
	up := strings.ToUpper(s)
	for _, u := range units {
		if !strings.HasSuffix(up, u.suffix) {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(s[:len(s)-len(u.suffix)]), 10, 64)
		if err != nil || n < 0 || n > (1<<62)/u.mult {
			break
		}
		size := n * u.mult
		if len(u.suffix) == 2 && strings.HasSuffix(s, "b") {
			size /= 8
		}
		return size, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= 0 {
		return n, nil
	}
	return 0, fmt.Errorf("convert: size %q: want an integer followed by a unit, e.g. \"5GB\"", s)
}

// plannedTensor is one tensor to write, with its size after any cast.
type plannedTensor struct {
	name string
	size int64
}

// splitShards groups tensors, in order, into shards of at most maxSize
// bytes the way transformers' shard_checkpoint does: a tensor that would
// take the current shard over the limit starts a new shard, unless the
// current shard is empty (so a tensor larger than the limit gets a shard
// of its own).
func splitShards(tensors []plannedTensor, maxSize int64) [][]plannedTensor {
	shards := [][]plannedTensor{nil}
	var last int64
	for _, t := range tensors {
		cur := &shards[len(shards)-1]
		if last+t.size > maxSize && len(*cur) > 0 {
			shards = append(shards, nil)
			cur = &shards[len(shards)-1]
			last = 0
		}
		*cur = append(*cur, t)
		last += t.size
	}
	return shards
}

// shardName returns transformers' name of shard i (from 0) of n for the
// weights file name: model.safetensors -> model-00001-of-00003.safetensors.
func shardName(weights string, i, n int) string {
	ext := ".safetensors"
	stem := strings.TrimSuffix(weights, ext)
	if stem == weights {
		ext = ".bin"
		stem = strings.TrimSuffix(weights, ext)
	}
	return fmt.Sprintf("%s-%05d-of-%05d%s", stem, i+1, n, ext)
}
