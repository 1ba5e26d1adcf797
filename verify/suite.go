package verify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
)

// suiteFile is one entry of a suite manifest's "files".
type suiteFile struct {
	Path   string `json:"path"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// verifySuite verifies a folder of references whose manifest lists its
// files: the size and sha256 of every file, then every reference in it
// (each folder with a manifest.json or edge_cases.json, each tokenizer case
// file), with row names prefixed by the reference's relative path.
func verifySuite(ctx context.Context, dir string, m *manifest, opts *Options) (*Report, error) {
	if opts.Model != "" {
		return nil, fmt.Errorf("%w: %s: a folder of references verifies the models it holds; a model does not apply", ErrReference, dir)
	}
	var files []suiteFile
	if err := json.Unmarshal(m.Files, &files); err != nil {
		return nil, fmt.Errorf("%w: %s: files: %v", ErrReference, filepath.Join(dir, "manifest.json"), err)
	}
	rep := &Report{Path: dir, Kind: KindSuite, Tolerance: opts.tolerance(m.Tolerance)}
	for _, f := range files {
		rep.add(fileRow(dir, f))
	}
	refs, err := findReferences(dir)
	if err != nil {
		return nil, err
	}
	for _, rel := range refs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		sub, err := Reference(ctx, filepath.Join(dir, rel), opts)
		if err != nil {
			rep.add(failRow(rel, nil, "%v", err))
			continue
		}
		rep.merge(filepath.ToSlash(rel)+": ", sub)
	}
	return rep, nil
}

// fileRow checks one listed file's size and sha256.
func fileRow(dir string, f suiteFile) Row {
	name := "file " + f.Path
	if !filepath.IsLocal(filepath.FromSlash(f.Path)) {
		return failRow(name, nil, "not a path inside the folder")
	}
	h, n, err := hashFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
	switch {
	case err != nil:
		return failRow(name, nil, "%v", err)
	case n != f.Bytes:
		return failRow(name, []int{int(n)}, "%d bytes, the manifest lists %d", n, f.Bytes)
	case !strings.EqualFold(h, f.SHA256):
		return failRow(name, []int{int(n)}, "sha256 %s, the manifest lists %s", h, f.SHA256)
	}
	return Row{Name: name, Shape: []int{int(n)}, MaxAbs: math.NaN(), MaxRel: math.NaN(), Status: Pass}
}

func hashFile(path string) (string, int64, error) {
	fh, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer fh.Close()
	h := sha256.New()
	n, err := io.Copy(h, fh)
	return hex.EncodeToString(h.Sum(nil)), n, err
}

// findReferences lists, relative to dir, the folders below it that hold a
// manifest.json or edge_cases.json and the tokenizer case files outside
// them, in walk order.
func findReferences(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if d.IsDir() {
			if rel == "." {
				return nil
			}
			for _, f := range []string{"manifest.json", "edge_cases.json"} {
				if _, err := os.Stat(filepath.Join(path, f)); err == nil {
					out = append(out, rel)
					return filepath.SkipDir
				}
			}
			return nil
		}
		if strings.HasSuffix(path, ".json") && rel != "manifest.json" && isCaseFile(path) {
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrReference, err)
	}
	return out, nil
}
