package convert

import (
	"encoding/binary"
	"fmt"
	"math/big"

	"github.com/nlpodyssey/gopickle/types"
)

// Legacy format (torch.save before 1.6, or _use_new_zipfile_serialization=
// False): five pickles, then the raw storages:
//
//	magic number 0x1950a86a20f9469cfc6c   (pickled int)
//	protocol version 1001                 (pickled int)
//	sys info {"little_endian": ..., ...}  (pickled dict)
//	the state dict, storages as persistent ids
//	    ('storage', type, root_key, location, numel, view_metadata)
//	the root storage keys, in data order  (pickled list of str)
//	for each key: numel as an 8-byte int, then numel elements
const legacyProtocol = 1001

var legacyMagic, _ = new(big.Int).SetString("1950a86a20f9469cfc6c", 16)

// readLegacy reads a legacy-format checkpoint.
func readLegacy(data []byte, file string) (*StateDict, error) {
	r := &legacyReader{file: file, data: data, roots: map[string]*storage{}, views: map[string]*storage{}}
	magic, err := r.next(nil)
	if err != nil {
		return nil, err
	}
	if m, ok := magic.(*big.Int); !ok || m.Cmp(legacyMagic) != 0 {
		return nil, errorf(file, "", ErrFormat, "bad magic number: not a PyTorch checkpoint")
	}
	proto, err := r.next(nil)
	if err != nil {
		return nil, err
	}
	if p, ok := proto.(int); !ok || p != legacyProtocol {
		return nil, errorf(file, "", ErrUnsupported, "legacy protocol version %v (want %d)", proto, legacyProtocol)
	}
	if err := r.sysInfo(); err != nil {
		return nil, err
	}
	start := r.pos
	root, err := r.next(r.storage)
	if err != nil {
		return nil, err
	}
	sd := &StateDict{file: file, format: FormatPyTorchLegacy, globals: r.globals, bigEndian: r.bigEndian}
	if err := r.readStorages(); err != nil {
		return nil, err
	}
	if err := collect(sd, root, r.pos-start); err != nil {
		return nil, err
	}
	return sd, nil
}

// legacyReader reads the legacy format's pickles and storages in order.
type legacyReader struct {
	file      string
	data      []byte
	pos       int
	globals   []string
	bigEndian bool
	roots     map[string]*storage
	views     map[string]*storage
}

// next unpickles the pickle at the current position.
func (r *legacyReader) next(persistent func(*types.Tuple) (any, error)) (any, error) {
	v, scan, err := unpickle(r.data[r.pos:], persistent)
	if err != nil {
		return nil, &Error{File: r.file, Err: fmt.Errorf("pickle at offset %d: %w", r.pos, err)}
	}
	r.pos += scan.end
	for _, g := range scan.globals {
		r.globals = appendNew(r.globals, g)
	}
	return v, nil
}

// sysInfo reads the byte order from the sys info dict.
func (r *legacyReader) sysInfo() error {
	v, err := r.next(nil)
	if err != nil {
		return err
	}
	keys, vals := dictItems(v)
	if keys == nil && !isDict(v) {
		return errorf(r.file, "", ErrFormat, "sys info is a %s, want a dict", pyType(v))
	}
	for i, k := range keys {
		if k == "little_endian" {
			le, ok := vals[i].(bool)
			if !ok {
				return errorf(r.file, "", ErrFormat, "sys info little_endian is %s", pyType(vals[i]))
			}
			r.bigEndian = !le
		}
	}
	return nil
}

// storage resolves a legacy persistent id. Tensors of one root key share
// its storage; a view_metadata (view_key, offset, size) makes a window of
// the root, shared by its view key.
func (r *legacyReader) storage(pid *types.Tuple) (any, error) {
	if len(*pid) != 6 || (*pid)[0] != "storage" {
		return nil, fmt.Errorf("%w: persistent id %s, want ('storage', type, key, location, numel, view)", ErrFormat, describePID(pid))
	}
	cls, key, numel, err := storageID(pid)
	if err != nil {
		return nil, err
	}
	root, ok := r.roots[key]
	if !ok {
		root = &storage{key: key, dt: cls.dt, numel: numel, bigEndian: r.bigEndian}
		r.roots[key] = root
	} else if root.dt != cls.dt || root.numel != numel {
		return nil, fmt.Errorf("%w: storage %q declared as %d %s and as %d %s", ErrFormat, key, root.numel, root.dt.name, numel, cls.dt.name)
	}
	view := (*pid)[5]
	if view == nil {
		return root, nil
	}
	vt, ok := view.(*types.Tuple)
	if !ok || len(*vt) != 3 {
		return nil, fmt.Errorf("%w: storage %q view is %s, want (key, offset, size)", ErrFormat, key, pyType(view))
	}
	vkey, ok := (*vt)[0].(string)
	if !ok {
		return nil, fmt.Errorf("%w: storage %q view key is %s", ErrFormat, key, pyType((*vt)[0]))
	}
	if s, ok := r.views[vkey]; ok {
		return s, nil
	}
	off, err1 := pyInt((*vt)[1])
	size, err2 := pyInt((*vt)[2])
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("%w: storage view %q offset or size is not a non-negative int", ErrFormat, vkey)
	}
	s := &storage{key: vkey, dt: cls.dt, numel: size, root: root, offset: off, bigEndian: r.bigEndian}
	r.views[vkey] = s
	return s, nil
}

// readStorages reads the key list and the raw storages after it.
func (r *legacyReader) readStorages() error {
	v, err := r.next(nil)
	if err != nil {
		return err
	}
	list, ok := v.(*types.List)
	if !ok {
		return errorf(r.file, "", ErrFormat, "storage key list is a %s", pyType(v))
	}
	order := binary.ByteOrder(binary.LittleEndian)
	if r.bigEndian {
		order = binary.BigEndian
	}
	for _, k := range *list {
		key, ok := k.(string)
		if !ok {
			return errorf(r.file, "", ErrFormat, "storage key is a %s", pyType(k))
		}
		s := r.roots[key]
		if s == nil {
			return errorf(r.file, "", ErrFormat, "storage %q in the key list is used by no tensor", key)
		}
		if s.data != nil {
			return errorf(r.file, "", ErrFormat, "storage %q listed twice", key)
		}
		if len(r.data)-r.pos < 8 {
			return errorf(r.file, "", ErrFormat, "storage %q: file truncated at offset %d", key, r.pos)
		}
		n := order.Uint64(r.data[r.pos:])
		r.pos += 8
		if n != uint64(s.numel) {
			return errorf(r.file, "", ErrFormat, "storage %q holds %d elements, its persistent id says %d", key, n, s.numel)
		}
		size := uint64(s.dt.size) * n
		if n > uint64(len(r.data)) || size > uint64(len(r.data)-r.pos) {
			return errorf(r.file, "", ErrFormat, "storage %q: %d bytes of %s past the end of the file (offset %d)", key, size, s.dt.name, r.pos)
		}
		s.data = r.data[r.pos : r.pos+int(size)]
		r.pos += int(size)
	}
	return nil
}

// appendNew appends s to list unless present.
func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
