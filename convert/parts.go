package convert

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hfgo/hfgo/safetensors"
)

// part is one weight file of a checkpoint.
type part interface {
	file() string
	names() []string // in file order
	info(name string) (TensorInfo, bool)
	bytes(name string) ([]byte, error)
	float32(name string) ([]float32, error)
	release(name string) error
	metadata() map[string]string
	close() error
}

// openPart opens one weight file, telling safetensors from PyTorch by
// content.
func openPart(path string) (part, string, error) {
	kind, err := sniff(path)
	if err != nil {
		return nil, "", err
	}
	if kind == FormatSafetensors {
		f, err := safetensors.Open(path)
		if err != nil {
			return nil, "", err
		}
		return &stPart{path: path, f: f}, FormatSafetensors, nil
	}
	sd, err := OpenPyTorch(path)
	if err != nil {
		return nil, "", err
	}
	return &ptPart{path: path, sd: sd}, sd.Format(), nil
}

// sniff tells a safetensors file (by its extension, or an 8-byte header
// length followed by '{') from a PyTorch one.
func sniff(path string) (string, error) {
	if strings.HasSuffix(path, ".safetensors") {
		return FormatSafetensors, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return "", &Error{File: path, Err: err}
	}
	defer f.Close()
	var head [9]byte
	if n, _ := io.ReadFull(f, head[:]); n == len(head) && head[8] == '{' {
		return FormatSafetensors, nil
	}
	return FormatPyTorch, nil
}

// stPart is a safetensors file.
type stPart struct {
	path string
	f    *safetensors.File
}

func (p *stPart) file() string    { return p.path }
func (p *stPart) names() []string { return p.f.Names() }
func (p *stPart) info(name string) (TensorInfo, bool) {
	t, ok := p.f.Tensor(name)
	if !ok {
		return TensorInfo{}, false
	}
	return TensorInfo{Name: name, DType: string(t.DType), Shape: t.Shape, Size: t.End - t.Begin, File: filepath.Base(p.path)}, true
}
func (p *stPart) bytes(name string) ([]byte, error)      { return p.f.Bytes(name) }
func (p *stPart) float32(name string) ([]float32, error) { return p.f.Float32(name) }
func (p *stPart) release(name string) error              { return p.f.Release(name) }
func (p *stPart) metadata() map[string]string            { return p.f.Metadata() }
func (p *stPart) close() error                           { return p.f.Close() }

// ptPart is a PyTorch file.
type ptPart struct {
	path string
	sd   *StateDict
}

func (p *ptPart) file() string    { return p.path }
func (p *ptPart) names() []string { return p.sd.Names() }
func (p *ptPart) info(name string) (TensorInfo, bool) {
	t, ok := p.sd.Tensor(name)
	if !ok {
		return TensorInfo{}, false
	}
	return TensorInfo{Name: name, DType: t.DType, Shape: slices.Clone(t.Shape), Size: t.Size(), File: filepath.Base(p.path)}, true
}
func (p *ptPart) bytes(name string) ([]byte, error) {
	t, ok := p.sd.Tensor(name)
	if !ok {
		return nil, &Error{File: p.path, Tensor: name, Err: ErrNotFound}
	}
	return t.Bytes()
}
func (p *ptPart) float32(name string) ([]float32, error) {
	t, ok := p.sd.Tensor(name)
	if !ok {
		return nil, &Error{File: p.path, Tensor: name, Err: ErrNotFound}
	}
	return t.Float32()
}

func (p *ptPart) release(name string) error   { return p.sd.Release(name) }
func (p *ptPart) metadata() map[string]string { return nil }
func (p *ptPart) close() error                { return p.sd.Close() }
