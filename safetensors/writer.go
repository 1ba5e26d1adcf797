package safetensors

import (
	"bufio"
	"cmp"
	"encoding/binary"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"unicode/utf8"
)

// Tensor is a tensor to write: its bytes in little-endian C order.
type Tensor struct {
	Name  string
	DType DType
	Shape []int
	Data  []byte
}

// Write writes tensors and metadata as a safetensors file, byte for byte as
// Python's safetensors (save_file) writes them: tensors ordered by
// descending dtype alignment then by name, the header as compact JSON with
// "__metadata__" first, padded with spaces to a multiple of 8 bytes so that
// every tensor is aligned in the file.
//
// A nil metadata map writes no "__metadata__" entry; a non-nil empty one
// writes an empty object, as Python does for metadata={}. Metadata keys are
// written sorted (Python writes several keys in an unspecified order).
// transformers writes {"format": "pt"}.
func Write(w io.Writer, tensors []Tensor, metadata map[string]string) error {
	header, order, err := encodeHeader("", tensors, metadata)
	if err != nil {
		return err
	}
	return write("", w, header, order)
}

// write writes an encoded header and the tensors' data in file order.
func write(file string, w io.Writer, header []byte, order []*Tensor) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.Write(header)
	for _, t := range order {
		bw.Write(t.Data)
	}
	if err := bw.Flush(); err != nil {
		return &Error{File: file, Err: err}
	}
	return nil
}

// WriteFile writes the file at path through a temporary file in the same
// folder, synced and renamed over path, so that path never holds a partial
// file and readers that mapped the old file keep a consistent view.
func WriteFile(path string, tensors []Tensor, metadata map[string]string) (err error) {
	dir := filepath.Dir(path)
	header, order, err := encodeHeader(path, tensors, metadata)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return &Error{File: path, Err: err}
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := write(path, f, header, order); err != nil {
		return err
	}
	for _, step := range []func() error{
		func() error { return f.Chmod(0o644) },
		f.Sync,
		f.Close,
		func() error { return os.Rename(f.Name(), path) },
	} {
		if err := step(); err != nil {
			return &Error{File: path, Err: err}
		}
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename in dir durable, where the system allows it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// encodeHeader checks the tensors and returns the header (its 8-byte length,
// then the JSON padded with spaces) and the tensors in file order.
func encodeHeader(file string, tensors []Tensor, metadata map[string]string) ([]byte, []*Tensor, error) {
	order, err := checkTensors(file, tensors, metadata)
	if err != nil {
		return nil, nil, err
	}
	b := make([]byte, 8, 8+64*len(tensors)+64)
	b = append(b, '{')
	if metadata != nil {
		b = appendJSONString(b, metadataKey)
		b = append(b, ":{"...)
		for i, k := range slices.Sorted(maps.Keys(metadata)) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, k)
			b = append(b, ':')
			b = appendJSONString(b, metadata[k])
		}
		b = append(b, '}')
	}
	var offset int64
	for i, t := range order {
		if i > 0 || metadata != nil {
			b = append(b, ',')
		}
		b = appendJSONString(b, t.Name)
		b = append(b, `:{"dtype":`...)
		b = appendJSONString(b, string(t.DType))
		b = append(b, `,"shape":[`...)
		for j, d := range t.Shape {
			if j > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, int64(d), 10)
		}
		b = append(b, `],"data_offsets":[`...)
		b = strconv.AppendInt(b, offset, 10)
		offset += int64(len(t.Data))
		b = append(b, ',')
		b = strconv.AppendInt(b, offset, 10)
		b = append(b, "]}"...)
	}
	b = append(b, '}')
	for (len(b)-8)%8 != 0 {
		b = append(b, ' ')
	}
	binary.LittleEndian.PutUint64(b, uint64(len(b)-8))
	return b, order, nil
}

// checkTensors validates the tensors and metadata and returns the tensors
// in the order of the file.
func checkTensors(file string, tensors []Tensor, metadata map[string]string) ([]*Tensor, error) {
	for k, v := range metadata {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return nil, newError(file, "", ErrInvalidHeader, "metadata %q is not valid UTF-8", k)
		}
	}
	seen := make(map[string]bool, len(tensors))
	order := make([]*Tensor, len(tensors))
	for i := range tensors {
		t := &tensors[i]
		bad := func(kind error, format string, args ...any) error {
			return newError(file, t.Name, kind, format, args...)
		}
		switch {
		case !utf8.ValidString(t.Name):
			return nil, bad(ErrInvalidHeader, "name is not valid UTF-8")
		case t.Name == metadataKey:
			return nil, bad(ErrInvalidHeader, "name is reserved")
		case seen[t.Name]:
			return nil, bad(ErrInvalidHeader, "duplicate tensor name")
		case !t.DType.Known():
			return nil, bad(ErrUnknownDType, "%q", t.DType)
		}
		seen[t.Name] = true
		n, err := byteSize(t.DType, t.Shape)
		if err != nil {
			return nil, &Error{File: file, Tensor: t.Name, Err: err}
		}
		if n != int64(len(t.Data)) {
			return nil, bad(ErrDTypeShape, "%s %v is %d bytes, data has %d", t.DType, t.Shape, n, len(t.Data))
		}
		order[i] = t
	}
	slices.SortFunc(order, func(a, b *Tensor) int {
		return cmp.Or(cmp.Compare(dtypes[b.DType].rank, dtypes[a.DType].rank), cmp.Compare(a.Name, b.Name))
	})
	return order, nil
}

// appendJSONString appends s as a JSON string escaped as serde_json escapes
// it: quote, backslash and control characters only, \b \t \n \f \r short,
// the others as \u00xx with lowercase hex digits.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\b':
			b = append(b, `\b`...)
		case '\t':
			b = append(b, `\t`...)
		case '\n':
			b = append(b, `\n`...)
		case '\f':
			b = append(b, `\f`...)
		case '\r':
			b = append(b, `\r`...)
		default:
			if c < 0x20 {
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			} else {
				b = append(b, c)
			}
		}
	}
	return append(b, '"')
}
