package hub

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/gofrs/flock"
)

// lockFile takes the flock huggingface_hub takes on the same path, creating
// the lock file group-writable (0664) as it does. Where the file system has
// no flock (some network file systems) it goes on unlocked, as Python's
// WeakFileLock does, rather than hang.
func (c *Client) lockFile(ctx context.Context, path string) (unlock func(), err error) {
	if err := createLockFile(path); err != nil {
		return nil, err
	}
	fl := flock.New(path, flock.SetPermissions(0o664))
	start := time.Now()
	lastLog := start
	for {
		ok, err := fl.TryLock()
		if err != nil {
			if errors.Is(err, syscall.ENOLCK) || errors.Is(err, syscall.ENOTSUP) || errors.Is(err, syscall.EOPNOTSUPP) {
				c.logger.Warn("hub: file system has no locks; going on unlocked", "lock", path, "error", err)
				return func() {}, nil
			}
			return nil, err
		}
		if ok {
			return func() { fl.Unlock() }, nil
		}
		if time.Since(lastLog) >= 10*time.Second {
			c.logger.Info("hub: still waiting for lock", "lock", path, "waited", time.Since(start).Round(time.Second))
			lastLog = time.Now()
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// createLockFile makes the lock file and its folder if missing, 0664 as
// huggingface_hub makes it.
func createLockFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
		return err
	}
	if f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o664); err == nil {
		f.Chmod(0o664)
		f.Close()
	}
	return nil
}
