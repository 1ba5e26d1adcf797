package convert

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/hfgo/hfgo/safetensors"
)

// Options controls Convert.
type Options struct {
	// DType casts every floating-point tensor to "F32", "F16" or "BF16"
	// (ParseDType reads the usual spellings), rounding to nearest even as
	// PyTorch does; integer and boolean tensors are kept. Empty keeps
	// every dtype.
	DType string
	// MaxShardSize is the largest shard in bytes (see ParseSize); 0 means
	// DefaultMaxShardSize. Ignored when the destination is a file.
	MaxShardSize int64
	// Progress, if set, is called after each tensor is prepared with the
	// bytes done and the total.
	Progress func(done, total int64)
}

// Result describes what Convert wrote.
type Result struct {
	Files     []string // written files, shards then index
	Index     *Index   // the shard index, nil for a single file
	Tensors   int      // tensors written
	TotalSize int64    // bytes of tensor data written
	Dropped   []string // tied duplicates left out
}

// metadataPT is the safetensors metadata transformers writes.
var metadataPT = map[string]string{"format": "pt"}

// tiedWeightPatterns are the keys transformers' models declare as tied
// (_tied_weights_keys: BERT, RoBERTa, GPT-2, T5, BART, GPT-NeoX, ...),
// matched as transformers matches them, with re.search.
var tiedWeightPatterns = regexp.MustCompile(
	`lm_head\.weight|lm_head\.decoder\.(weight|bias)|predictions\.decoder\.(weight|bias)|` +
		`embed_tokens\.weight|embed_out\.weight|generator_lm_head\.weight`)

// Convert reads the checkpoint at src (anything Open accepts) and writes it
// as safetensors to dst, the way transformers' save_pretrained with
// safe_serialization does: tied duplicates dropped, shards of at most
// MaxShardSize named model-0000k-of-0000n.safetensors with a
// model.safetensors.index.json, {"format": "pt"} metadata. dst is a folder
// (created if needed), or a file name ending in .safetensors for a single
// unsharded file. Files appear atomically: on error nothing is left
// behind, and stale shards of an earlier conversion are removed.
func Convert(ctx context.Context, src, dst string, opts *Options) (*Result, error) {
	c, err := Open(src)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	return ConvertCheckpoint(ctx, c, dst, opts)
}

// ConvertCheckpoint writes an open checkpoint as Convert does.
func ConvertCheckpoint(ctx context.Context, c *Checkpoint, dst string, opts *Options) (*Result, error) {
	if opts == nil {
		opts = &Options{}
	}
	var to dtype
	if opts.DType != "" {
		name, err := ParseDType(opts.DType)
		if err != nil {
			return nil, err
		}
		to = dtypeByName[name]
	}
	keep, dropped := dropTied(c)
	res := &Result{Tensors: len(keep), Dropped: dropped}
	planned := make([]plannedTensor, len(keep))
	for i, n := range keep {
		info, _ := c.Info(n)
		planned[i] = plannedTensor{name: n, size: castSize(info, to)}
		res.TotalSize += planned[i].size
	}
	if err := checkExpansion(c, res.TotalSize); err != nil {
		return nil, err
	}
	dir, names, shards := layout(dst, planned, opts.MaxShardSize)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, &Error{File: dst, Err: err}
	}
	w := &writer{dir: dir}
	defer w.abort()
	var done int64
	progress := func(n int64) {
		if done += n; opts.Progress != nil {
			opts.Progress(done, res.TotalSize)
		}
	}
	for i, shard := range shards {
		tensors, err := prepare(ctx, c, shard, to, progress)
		if err != nil {
			return nil, err
		}
		if err := w.add(names[i], func(f *os.File) error { return safetensors.Write(f, tensors, metadataPT) }); err != nil {
			return nil, err
		}
	}
	if len(shards) > 1 {
		res.Index = &Index{TotalSize: res.TotalSize, WeightMap: map[string]string{}}
		for i, shard := range shards {
			for _, t := range shard {
				res.Index.WeightMap[t.name] = names[i]
			}
		}
		body := encodeIndex(res.Index)
		if err := w.add(SafetensorsIndexName, func(f *os.File) error { _, err := f.Write(body); return err }); err != nil {
			return nil, err
		}
	}
	files, err := w.commit()
	if err != nil {
		return nil, err
	}
	res.Files = files
	if !strings.HasSuffix(dst, ".safetensors") {
		removeStale(dir, files)
	}
	return res, nil
}

// checkExpansion refuses a conversion whose output would be much larger
// than its input: many overlapping views of one storage, each written as a
// copy, could turn a small hostile file into terabytes.
func checkExpansion(c *Checkpoint, total int64) error {
	var in int64
	for _, f := range c.Files() {
		if st, err := os.Stat(f); err == nil {
			in += st.Size()
		}
	}
	if limit := 4*in + 64<<20; total > limit {
		return errorf(c.Path(), "", ErrLimit, "its %d bytes of tensor views would be written as %d bytes of copies", in, total)
	}
	return nil
}

// layout returns the output folder, the file names and the tensors of each
// file: one file when dst names a .safetensors file, else model.safetensors
// or shards of at most maxShard bytes (DefaultMaxShardSize if 0).
func layout(dst string, planned []plannedTensor, maxShard int64) (string, []string, [][]plannedTensor) {
	if strings.HasSuffix(dst, ".safetensors") {
		return filepath.Dir(dst), []string{filepath.Base(dst)}, [][]plannedTensor{planned}
	}
	if maxShard <= 0 {
		maxShard = DefaultMaxShardSize
	}
	shards := splitShards(planned, maxShard)
	if len(shards) == 1 {
		return dst, []string{SafetensorsName}, shards
	}
	names := make([]string, len(shards))
	for i := range shards {
		names[i] = shardName(SafetensorsName, i, len(shards))
	}
	return dst, names, shards
}

// castSize returns a tensor's size in bytes after casting to dtype to.
func castSize(info TensorInfo, to dtype) int64 {
	from := dtypeByName[info.DType]
	if to.size == 0 || !from.float || from.size == 0 {
		return info.Size
	}
	return info.Size / int64(from.size) * int64(to.size)
}

// prepare reads (and casts) the tensors of one shard.
func prepare(ctx context.Context, c *Checkpoint, shard []plannedTensor, to dtype, progress func(int64)) ([]safetensors.Tensor, error) {
	out := make([]safetensors.Tensor, 0, len(shard))
	for _, p := range shard {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		info, _ := c.Info(p.name)
		b, err := c.Bytes(p.name)
		if err != nil {
			return nil, err
		}
		dt := info.DType
		if from := dtypeByName[dt]; to.size != 0 && from.float {
			if b, err = castFloat(from, to, b); err != nil {
				return nil, &Error{File: c.Path(), Tensor: p.name, Err: err}
			}
			dt = to.name
		}
		out = append(out, safetensors.Tensor{Name: p.name, DType: safetensors.DType(dt), Shape: info.Shape, Data: b})
		progress(p.size)
	}
	return out, nil
}

// dropTied returns the names to write, in checkpoint order, and the tied
// duplicates to leave out. Of each group of aliases (see
// Checkpoint.Aliases) transformers keeps one: it first removes names
// matching the model's tied-weight keys (in sorted order, never the last
// one), then keeps the first remaining in state dict order. Tensors that
// share a storage but view different parts of it are all kept, each
// written as its own copy.
func dropTied(c *Checkpoint) (keep, dropped []string) {
	names := c.Names()
	groups := c.Aliases()
	drop := map[string]bool{}
	for _, g := range groups {
		found := 0
		for _, n := range slices.Sorted(slices.Values(g)) {
			if tiedWeightPatterns.MatchString(n) {
				if found++; found < len(g) {
					drop[n] = true
				}
			}
		}
		kept := 0
		for _, n := range g {
			if !drop[n] {
				if kept++; kept > 1 {
					drop[n] = true
				}
			}
		}
	}
	for _, n := range names {
		if drop[n] {
			dropped = append(dropped, n)
		} else {
			keep = append(keep, n)
		}
	}
	return keep, dropped
}

// encodeIndex writes an index as transformers does:
// json.dumps(index, indent=2, sort_keys=True) + "\n".
func encodeIndex(x *Index) []byte {
	b := []byte("{\n  \"metadata\": {\n    \"total_size\": ")
	b = fmt.Appendf(b, "%d\n  },\n  \"weight_map\": {\n", x.TotalSize)
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range x.WeightMap {
			if !yield(n) {
				return
			}
		}
	})
	for i, n := range names {
		b = append(b, "    "...)
		b = appendPyJSONString(b, n)
		b = append(b, ": "...)
		b = appendPyJSONString(b, x.WeightMap[n])
		if i < len(names)-1 {
			b = append(b, ',')
		}
		b = append(b, '\n')
	}
	return append(b, "  }\n}\n"...)
}

// appendPyJSONString appends s as Python's json.dumps writes a str with
// ensure_ascii: non-ASCII as \uXXXX (surrogate pairs above U+FFFF).
func appendPyJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r == '\n':
			b = append(b, `\n`...)
		case r == '\r':
			b = append(b, `\r`...)
		case r == '\t':
			b = append(b, `\t`...)
		case r == '\b':
			b = append(b, `\b`...)
		case r == '\f':
			b = append(b, `\f`...)
		case r < 0x20 || (r >= 0x7f && r < 0x10000):
			b = fmt.Appendf(b, `\u%04x`, r)
		case r >= 0x10000:
			r -= 0x10000
			b = fmt.Appendf(b, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
		default:
			b = append(b, byte(r))
		}
	}
	return append(b, '"')
}
