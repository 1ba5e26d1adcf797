package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hfgo/hfgo/convert"
)

func init() {
	commands["convert"] = command{summary: "convert a checkpoint (pytorch_model.bin, ...) to safetensors", run: runConvert}
}

// convertOptions holds the arguments of hfget convert.
type convertOptions struct {
	src, dst string
	revision string
	opts     convert.Options
}

func runConvert(ctx context.Context, e *env, args []string) int {
	o, err := parseConvert(e, args)
	if err != nil {
		return usageExit(err)
	}
	src, err := resolveCheckpoint(ctx, e, o.src, o.revision)
	if err != nil {
		fmt.Fprintf(e.stderr, "hfget convert: %v\n", err)
		return exitFailure
	}
	c, err := convert.Open(src)
	if err != nil {
		fmt.Fprintf(e.stderr, "hfget convert: %v\n", err)
		return exitFailure
	}
	defer c.Close()
	fmt.Fprintf(e.stderr, "hfget convert: %s (%s, %d tensors) -> %s\n", c.Path(), c.Format(), len(c.Names()), o.dst)
	step := int64(-1)
	o.opts.Progress = func(done, total int64) {
		// A line per tenth, so that a log shows progress on large models.
		if s := done * 10 / max(total, 1); s > step && s < 10 {
			step = s
			fmt.Fprintf(e.stderr, "hfget convert: %3d%% (%s of %s)\n", s*10, humanBytes(done), humanBytes(total))
		}
	}
	res, err := convert.ConvertCheckpoint(ctx, c, o.dst, &o.opts)
	if err != nil {
		fmt.Fprintf(e.stderr, "hfget convert: %v\n", err)
		return exitFailure
	}
	if len(res.Dropped) > 0 {
		fmt.Fprintf(e.stderr, "hfget convert: tied duplicates left out: %s\n", strings.Join(res.Dropped, ", "))
	}
	fmt.Fprintf(e.stderr, "hfget convert: wrote %d tensors, %s bytes, in %d file(s)\n", res.Tensors, thousands(res.TotalSize), len(res.Files))
	for _, f := range res.Files {
		fmt.Fprintln(e.stdout, f)
	}
	return exitOK
}

// parseConvert parses SRC DST with flags anywhere.
func parseConvert(e *env, args []string) (*convertOptions, error) {
	fs := newFlagSet(e, "convert", "usage: hfget convert SRC DST [--dtype f32|f16|bf16] [--max-shard-size 5GB]",
		"\nConverts the checkpoint SRC (weight file, model folder, shard index or cached",
		"repo) to safetensors as save_pretrained writes it: into the folder DST",
		"(model.safetensors, or shards and model.safetensors.index.json), or into",
		"the single file DST if it ends in .safetensors. Prints the files written.",
		"\nFlags:")
	o := &convertOptions{}
	dtype := fs.String("dtype", "", "cast floating-point tensors to f32, f16 or bf16 (default: keep)")
	shard := fs.String("max-shard-size", "5GB", "largest shard, as transformers' max_shard_size (5GB, 500MB, 2GiB, ...)")
	fs.StringVar(&o.revision, "revision", "main", "revision of a cached repo (branch, tag or commit)")
	pos, err := parseArgs(fs, args, 2, 2)
	if err != nil {
		return nil, err
	}
	o.src, o.dst = pos[0], pos[1]
	if *dtype != "" {
		if o.opts.DType, err = convert.ParseDType(*dtype); err != nil {
			fmt.Fprintf(e.stderr, "hfget convert: --dtype %q: want f32, f16 or bf16\n", *dtype)
			return nil, err
		}
	}
	if o.opts.MaxShardSize, err = convert.ParseSize(*shard); err != nil || o.opts.MaxShardSize == 0 {
		fmt.Fprintf(e.stderr, "hfget convert: --max-shard-size %q: want a size such as 5GB or 500MB\n", *shard)
		return nil, errors.New("bad --max-shard-size")
	}
	return o, nil
}
