package convert

import (
	"archive/zip"
	"bytes"
	"cmp"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"

	"github.com/nlpodyssey/gopickle/types"
)

// zipCheckpoint holds the entries of a torch.save zip archive:
// <folder>/data.pkl, <folder>/data/<key> storages, <folder>/version,
// <folder>/byteorder (torch >= 2.1). The folder is named after the file by
// torch 1.x and "archive" by torch 2.x; any name is accepted.
type zipCheckpoint struct {
	file    string
	data    []byte
	prefix  string // "<folder>/"
	entries map[string]*zip.File
	offsets map[string]int64 // data offsets of stored entries
}

// readZip reads a zip-format checkpoint.
func readZip(data []byte, file string) (*StateDict, error) {
	zc, err := openZip(data, file)
	if err != nil {
		return nil, err
	}
	pkl, err := zc.small("data.pkl", maxPickleBytes)
	if err != nil {
		return nil, err
	}
	bigEndian := false
	if bo, ok := zc.entries[zc.prefix+"byteorder"]; ok && bo != nil {
		b, err := zc.small("byteorder", 16)
		if err != nil {
			return nil, err
		}
		switch string(b) {
		case "little":
		case "big":
			bigEndian = true
		default:
			return nil, errorf(file, "", ErrFormat, "byteorder %q", b)
		}
	}
	storages := map[string]*storage{}
	persistent := func(pid *types.Tuple) (any, error) {
		return zc.storage(pid, storages, bigEndian)
	}
	root, scan, err := unpickle(pkl, persistent)
	if err != nil {
		return nil, &Error{File: file, Err: fmt.Errorf("%sdata.pkl: %w", zc.prefix, err)}
	}
	if scan.end != len(pkl) {
		return nil, errorf(file, "", ErrFormat, "%d bytes after the pickle in data.pkl", len(pkl)-scan.end)
	}
	sd := &StateDict{file: file, format: FormatPyTorch, globals: scan.globals, bigEndian: bigEndian}
	if err := collect(sd, root, len(pkl)); err != nil {
		return nil, err
	}
	return sd, nil
}

// openZip indexes the archive, refusing duplicate entries, entries outside
// the file and stored entries whose data overlap.
func openZip(data []byte, file string) (*zipCheckpoint, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, errorf(file, "", ErrFormat, "%v", err)
	}
	zc := &zipCheckpoint{file: file, data: data, entries: map[string]*zip.File{}, offsets: map[string]int64{}}
	type span struct {
		name    string
		lo, len int64
	}
	var spans []span
	for _, f := range zr.File {
		if _, dup := zc.entries[f.Name]; dup {
			return nil, errorf(file, "", ErrFormat, "duplicate zip entry %q", f.Name)
		}
		zc.entries[f.Name] = f
		dir, base := path.Split(f.Name)
		if base == "data.pkl" && strings.Count(dir, "/") == 1 {
			if zc.prefix != "" {
				return nil, errorf(file, "", ErrFormat, "two pickles: %sdata.pkl and %q", zc.prefix, f.Name)
			}
			zc.prefix = dir
		}
		off, err := f.DataOffset()
		if err != nil {
			return nil, errorf(file, "", ErrFormat, "zip entry %q: %v", f.Name, err)
		}
		size := int64(f.CompressedSize64)
		if f.CompressedSize64 > uint64(len(data)) || off > int64(len(data))-size {
			return nil, errorf(file, "", ErrFormat, "zip entry %q of %d bytes runs past the end of the file", f.Name, f.CompressedSize64)
		}
		if f.Method == zip.Store {
			if f.UncompressedSize64 != f.CompressedSize64 {
				return nil, errorf(file, "", ErrFormat, "stored zip entry %q claims %d bytes uncompressed, %d stored",
					f.Name, f.UncompressedSize64, f.CompressedSize64)
			}
			zc.offsets[f.Name] = off
		}
		spans = append(spans, span{f.Name, off, size})
	}
	if zc.prefix == "" {
		return nil, errorf(file, "", ErrFormat, "zip archive without <folder>/data.pkl: not a torch.save checkpoint")
	}
	slices.SortFunc(spans, func(a, b span) int { return cmp.Compare(a.lo, b.lo) })
	for i := 1; i < len(spans); i++ {
		if p := spans[i-1]; p.lo+p.len > spans[i].lo {
			return nil, errorf(file, "", ErrFormat, "zip entry %q overlaps %q: its size is wrong", p.name, spans[i].name)
		}
	}
	return zc, nil
}

// small returns the contents of a small entry of the archive folder,
// decompressing it if need be.
func (zc *zipCheckpoint) small(name string, limit int64) ([]byte, error) {
	f := zc.entries[zc.prefix+name]
	if f == nil {
		return nil, errorf(zc.file, "", ErrFormat, "no zip entry %s%s", zc.prefix, name)
	}
	if f.UncompressedSize64 > uint64(limit) {
		return nil, errorf(zc.file, "", ErrLimit, "zip entry %q of %d bytes (at most %d)", f.Name, f.UncompressedSize64, limit)
	}
	if off, ok := zc.offsets[f.Name]; ok {
		return zc.data[off : off+int64(f.UncompressedSize64)], nil
	}
	rc, err := f.Open()
	if err != nil {
		return nil, errorf(zc.file, "", ErrUnsupported, "zip entry %q: %v", f.Name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, int64(f.UncompressedSize64)+1))
	if err == nil && uint64(len(b)) != f.UncompressedSize64 {
		err = fmt.Errorf("%d bytes, header says %d", len(b), f.UncompressedSize64)
	}
	if err != nil {
		return nil, errorf(zc.file, "", ErrFormat, "zip entry %q: %v", f.Name, err)
	}
	return b, nil
}

// storage resolves a zip-format persistent id
// ('storage', storage_type, key, location, numel) to its storage, the
// entry <folder>/data/<key>. Every tensor of one key shares one storage.
func (zc *zipCheckpoint) storage(pid *types.Tuple, seen map[string]*storage, bigEndian bool) (any, error) {
	if len(*pid) != 5 || (*pid)[0] != "storage" {
		return nil, fmt.Errorf("%w: persistent id %s, want ('storage', type, key, location, numel)", ErrFormat, describePID(pid))
	}
	cls, key, numel, err := storageID(pid)
	if err != nil {
		return nil, err
	}
	if s, ok := seen[key]; ok {
		if s.dt != cls.dt {
			return nil, fmt.Errorf("%w: storage %q read as both %s and %s", ErrUnsupported, key, s.dt.name, cls.dt.name)
		}
		return s, nil
	}
	s := &storage{key: key, dt: cls.dt, numel: numel, bigEndian: bigEndian}
	name := zc.prefix + "data/" + key
	if f := zc.entries[name]; f != nil {
		off, ok := zc.offsets[name]
		if !ok {
			return nil, fmt.Errorf("%w: storage entry %q is compressed (torch.save stores them)", ErrUnsupported, name)
		}
		s.data = zc.data[off : off+int64(f.UncompressedSize64)]
		s.crc = &entryCRC{entry: s.data, want: f.CRC32}
	}
	seen[key] = s
	return s, nil
}

// storageID checks the fields a persistent id of either format shares:
// the storage class, the key and the element count.
func storageID(pid *types.Tuple) (*storageClass, string, int64, error) {
	t := *pid
	cls, ok := t[1].(*storageClass)
	if !ok {
		return nil, "", 0, fmt.Errorf("%w: storage type is %s", ErrFormat, pyType(t[1]))
	}
	if !cls.ok {
		return nil, "", 0, fmt.Errorf("%w: storage type %s", ErrUnsupported, cls.name)
	}
	key, ok := t[2].(string)
	if !ok {
		return nil, "", 0, fmt.Errorf("%w: storage key is %s", ErrFormat, pyType(t[2]))
	}
	if _, ok := t[3].(string); !ok {
		return nil, "", 0, fmt.Errorf("%w: storage location is %s", ErrFormat, pyType(t[3]))
	}
	numel, err := pyInt(t[4])
	if err != nil {
		return nil, "", 0, fmt.Errorf("%w: storage %q size: %v", ErrFormat, key, err)
	}
	return cls, key, numel, nil
}

// describePID renders a persistent id's shape for an error.
func describePID(pid *types.Tuple) string {
	parts := make([]string, len(*pid))
	for i, v := range *pid {
		if s, ok := v.(string); ok {
			parts[i] = fmt.Sprintf("%q", s)
		} else {
			parts[i] = pyType(v)
		}
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
