// Package hubload opens what a model package loads: a model folder, a
// weight file with config.json beside it, or a Hub repo id first
// downloaded into the Hugging Face cache (the configs, the tokenizer and one
// weight format, as hub.SelectDefault picks them).
package hubload

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/hfgo/hfgo/convert"
	"github.com/hfgo/hfgo/hub"
	"github.com/hfgo/hfgo/models/internal/weights"
)

// Option configures how a repo id is downloaded.
type Option func(*options)

type options struct {
	client   *hub.Client
	revision string
	progress hub.ProgressFunc
}

// WithClient downloads with c instead of a client configured from the
// environment.
func WithClient(c *hub.Client) Option { return func(o *options) { o.client = c } }

// WithRevision downloads a branch, tag or commit instead of main.
func WithRevision(rev string) Option { return func(o *options) { o.revision = rev } }

// WithProgress receives the download's progress events.
func WithProgress(f hub.ProgressFunc) Option { return func(o *options) { o.progress = f } }

// Resolve returns the local path of nameOrPath: the path itself when it
// exists or cannot be a repo id (hub.ValidateRepoID), else the snapshot
// folder of the repo id, downloaded into the cache. Files already cached
// are not fetched again.
func Resolve(ctx context.Context, nameOrPath string, opts []Option) (string, error) {
	_, err := os.Stat(nameOrPath)
	if err == nil || !errors.Is(err, os.ErrNotExist) || hub.ValidateRepoID(nameOrPath) != nil {
		return nameOrPath, nil
	}
	var o options
	for _, f := range opts {
		f(&o)
	}
	c := o.client
	if c == nil {
		if c, err = hub.NewClient(); err != nil {
			return "", err
		}
	}
	dir, err := c.SnapshotDownload(ctx, nameOrPath, &hub.SnapshotOptions{
		Revision: o.revision, Select: hub.SelectDefault, Progress: o.progress,
	})
	if err != nil {
		return "", fmt.Errorf("%s is not a folder, and as a repo id: %w", nameOrPath, err)
	}
	return dir, nil
}

// Dir returns the folder of a model path: the path itself, or the folder of
// a weight file.
func Dir(path string) string {
	if st, err := os.Stat(path); err == nil && !st.IsDir() {
		return filepath.Dir(path)
	}
	return path
}

// Load resolves nameOrPath, has readConfig read the config of its folder,
// opens its weights in any format convert.Open reads, and has build make
// the model of them. Along with the model it returns the checkpoint to
// close once the model is done with, when the model may use the
// checkpoint's memory in place (some tensor is float32); else nil, the
// checkpoint being closed already.
//
// Errors of readConfig and build are returned as they are, build's followed
// by the checkpoint's path; the others are prefixed with pkg, the model
// package's name. ctx is checked before and after, and bounds the download.
func Load[M any](ctx context.Context, pkg, nameOrPath string, opts []Option,
	readConfig func(dir string) error, build func(weights.Source) (M, error)) (M, io.Closer, error) {
	var none M
	if err := ctx.Err(); err != nil {
		return none, nil, fmt.Errorf("%s: %w", pkg, err)
	}
	path, err := Resolve(ctx, nameOrPath, opts)
	if err != nil {
		return none, nil, fmt.Errorf("%s: %w", pkg, err)
	}
	if _, err := os.Stat(path); err != nil {
		return none, nil, fmt.Errorf("%s: %w", pkg, err)
	}
	if err := readConfig(Dir(path)); err != nil {
		return none, nil, err
	}
	ck, err := convert.Open(path)
	if err != nil {
		return none, nil, fmt.Errorf("%s: %w", pkg, err)
	}
	m, err := build(ck)
	if err != nil {
		ck.Close()
		return none, nil, fmt.Errorf("%w (checkpoint %s)", err, ck.Path())
	}
	var owner io.Closer
	if mapsFloat32(ck) {
		owner = ck
	} else if err := ck.Close(); err != nil {
		return none, nil, fmt.Errorf("%s: %w", pkg, err)
	}
	if err := ctx.Err(); err != nil {
		if owner != nil {
			owner.Close()
		}
		return none, nil, fmt.Errorf("%s: %w", pkg, err)
	}
	return m, owner, nil
}

// mapsFloat32 reports whether some tensor of the checkpoint is float32, and
// so may be used in place from the file's memory.
func mapsFloat32(ck *convert.Checkpoint) bool {
	for _, t := range ck.Tensors() {
		if t.DType == "F32" {
			return true
		}
	}
	return false
}
