package bert

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/hfgo/hfgo/hub"
)

// LoadOption configures Load and LoadModel.
type LoadOption func(*loadOptions)

type loadOptions struct {
	client   *hub.Client
	revision string
	progress hub.ProgressFunc
}

// WithClient downloads repos with c instead of a client configured from the
// environment (HF_ENDPOINT, HF_HOME, HF_TOKEN, HF_HUB_OFFLINE...).
func WithClient(c *hub.Client) LoadOption { return func(o *loadOptions) { o.client = c } }

// WithRevision loads a repo at a branch, tag or commit instead of main.
func WithRevision(rev string) LoadOption { return func(o *loadOptions) { o.revision = rev } }

// WithProgress receives the download's progress events.
func WithProgress(f hub.ProgressFunc) LoadOption { return func(o *loadOptions) { o.progress = f } }

// resolve returns the local path of nameOrPath: the path itself when it
// exists, else the snapshot folder of the repo id it names, downloaded into
// the Hugging Face cache with the configs, the tokenizer and one weight
// format (hub.SelectDefault).
func resolve(ctx context.Context, nameOrPath string, opts []LoadOption) (string, error) {
	_, err := os.Stat(nameOrPath)
	if err == nil || !errors.Is(err, os.ErrNotExist) || !isRepoID(nameOrPath) {
		return nameOrPath, nil
	}
	var o loadOptions
	for _, f := range opts {
		f(&o)
	}
	c := o.client
	if c == nil {
		if c, err = hub.NewClient(); err != nil {
			return "", fmt.Errorf("bert: %w", err)
		}
	}
	dir, err := c.SnapshotDownload(ctx, nameOrPath, &hub.SnapshotOptions{
		Revision: o.revision, Select: hub.SelectDefault, Progress: o.progress,
	})
	if err != nil {
		return "", fmt.Errorf("bert: %s is not a folder, and as a repo id: %w", nameOrPath, err)
	}
	return dir, nil
}

// isRepoID reports whether s has the form of a model repo id: "name" or
// "owner/name", made of letters, digits, "-", "_" and ".".
func isRepoID(s string) bool {
	parts := strings.Split(s, "/")
	if len(parts) > 2 {
		return false
	}
	for _, p := range parts {
		if p == "" || p == "." || p == ".." || strings.HasPrefix(p, ".") || len(p) > 96 {
			return false
		}
		for _, r := range p {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
				return false
			}
		}
	}
	return true
}
