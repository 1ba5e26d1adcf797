package hub

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// symlinkProbe remembers whether a cache folder accepts symlinks.
type symlinkProbe struct {
	once sync.Once
	ok   bool
}

// symlinksOK reports whether snapshots under root use symlinks: not when
// disabled, nor when the file system refuses them (as huggingface_hub probes).
func (c *Client) symlinksOK(root string) bool {
	if c.noSymlinks {
		return false
	}
	v, _ := c.symlinkOnce.LoadOrStore(root, &symlinkProbe{})
	p := v.(*symlinkProbe)
	p.once.Do(func() {
		if err := os.MkdirAll(root, 0o777); err != nil {
			return
		}
		dir, err := os.MkdirTemp(root, "tmp-symlink-probe-")
		if err != nil {
			return
		}
		defer os.RemoveAll(dir)
		p.ok = os.Symlink("dummy_file_src", filepath.Join(dir, "dummy_file_dst")) == nil
	})
	return p.ok
}

// linkPointer makes the snapshot entry pointer refer to blob: a relative
// symlink ("../../blobs/<etag>", one more "../" per subfolder). Without
// symlinks a new blob is moved there and an existing one copied, as
// huggingface_hub does. Temporary files go to the blob's folder, never to
// the snapshot.
func (c *Client) linkPointer(root, blob, pointer string, newBlob bool) error {
	if err := os.MkdirAll(filepath.Dir(pointer), 0o777); err != nil {
		return err
	}
	if !c.symlinksOK(root) {
		if newBlob {
			return os.Rename(blob, pointer)
		}
		return copyFileAtomic(blob, pointer, filepath.Dir(blob))
	}
	rel, err := filepath.Rel(filepath.Dir(pointer), blob)
	if err != nil {
		rel = blob
	}
	err = os.Symlink(rel, pointer)
	if err == nil || !errors.Is(err, fs.ErrExist) {
		return err
	}
	if cur, err := os.Readlink(pointer); err == nil && cur == rel {
		return nil
	}
	// Replace what is there: the link's text does not depend on where it
	// is made, so it is made beside the blob and renamed into place.
	tmp := tempName(blob)
	if err := os.Symlink(rel, tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, pointer); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// exists reports whether p exists (following symlinks).
func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// isRegularFile reports whether p is (or links to) a regular file.
func isRegularFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}
