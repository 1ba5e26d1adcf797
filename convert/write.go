package convert

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
)

// writer writes a set of files into dir through temporary files, renamed
// into place only when all are complete.
type writer struct {
	dir   string
	names []string // final names, in order
	temps []string // temporary paths, same order
}

// add writes one file through fill into a synced temporary file.
func (w *writer) add(name string, fill func(*os.File) error) error {
	path := filepath.Join(w.dir, name)
	f, err := os.CreateTemp(w.dir, "."+name+".tmp-*")
	if err != nil {
		return &Error{File: path, Err: err}
	}
	w.temps = append(w.temps, f.Name())
	w.names = append(w.names, name)
	err = fill(f)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return &Error{File: path, Err: err}
	}
	return nil
}

// commit renames every file into place, the last one (the index) last, and
// returns their paths.
func (w *writer) commit() ([]string, error) {
	var out []string
	for i, tmp := range w.temps {
		path := filepath.Join(w.dir, w.names[i])
		if err := os.Rename(tmp, path); err != nil {
			return nil, &Error{File: path, Err: err}
		}
		w.temps[i] = ""
		out = append(out, path)
	}
	if d, err := os.Open(w.dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return out, nil
}

// abort removes the temporary files not yet committed.
func (w *writer) abort() {
	for _, tmp := range w.temps {
		if tmp != "" {
			os.Remove(tmp)
		}
	}
}

var shardFile = regexp.MustCompile(`^model-\d{5}-of-\d{5}\.safetensors$`)

// removeStale deletes the model-0000k-of-0000n.safetensors files of an
// earlier conversion that the new set does not include, as save_pretrained
// does, and an earlier index when the new set is a single file.
func removeStale(dir string, written []string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		n, path := e.Name(), filepath.Join(dir, e.Name())
		stale := shardFile.MatchString(n) || (n == SafetensorsIndexName && len(written) == 1)
		if e.Type().IsRegular() && stale && !slices.Contains(written, path) {
			os.Remove(path)
		}
	}
}
