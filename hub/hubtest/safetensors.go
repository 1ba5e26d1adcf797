package hubtest

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"math"
	"slices"
)

// safetensorsInfo is the repo info's "safetensors" field: parameter counts
// by dtype and their total.
type safetensorsInfo struct {
	Parameters map[string]int64 `json:"parameters"`
	Total      int64            `json:"total"`
}

// maxHeader is the largest safetensors header read, as the format's
// reference reader allows.
const maxHeader = 100_000_000

var errSafetensors = errors.New("hubtest: invalid safetensors header")

// parseSafetensorsHeader counts the parameters of a safetensors file by
// dtype from its header.
func parseSafetensorsHeader(r io.ReaderAt, size int64) (map[string]int64, error) {
	var lenBuf [8]byte
	if size < 8 {
		return nil, errSafetensors
	}
	if _, err := r.ReadAt(lenBuf[:], 0); err != nil {
		return nil, err
	}
	n := binary.LittleEndian.Uint64(lenBuf[:])
	if n > maxHeader || n > uint64(size-8) {
		return nil, errSafetensors
	}
	buf := make([]byte, n)
	if _, err := r.ReadAt(buf, 8); err != nil {
		return nil, err
	}
	var header map[string]json.RawMessage
	if err := json.Unmarshal(buf, &header); err != nil {
		return nil, errSafetensors
	}
	counts := map[string]int64{}
	for name, raw := range header {
		if name == "__metadata__" {
			continue
		}
		var t struct {
			Dtype string  `json:"dtype"`
			Shape []int64 `json:"shape"`
		}
		if err := json.Unmarshal(raw, &t); err != nil || t.Dtype == "" {
			return nil, errSafetensors
		}
		p := int64(1)
		for _, d := range t.Shape {
			if d < 0 || d > 0 && p > math.MaxInt64/d {
				return nil, errSafetensors
			}
			p *= d
		}
		if counts[t.Dtype] > math.MaxInt64-p {
			return nil, errSafetensors
		}
		counts[t.Dtype] += p
	}
	return counts, nil
}

// safetensors computes a commit's safetensors info from model.safetensors,
// or from the shards model.safetensors.index.json lists; nil when there is
// none or a header is invalid.
func (c *commit) safetensors() *safetensorsInfo {
	c.stOnce.Do(func() { c.st = c.computeSafetensors() })
	return c.st
}

func (c *commit) computeSafetensors() *safetensorsInfo {
	var names []string
	if idx := c.files["model.safetensors.index.json"]; idx != nil && idx.size < maxHeader {
		var index struct {
			WeightMap map[string]string `json:"weight_map"`
		}
		if json.Unmarshal(readAll(idx), &index) != nil {
			return nil
		}
		for _, shard := range index.WeightMap {
			if !slices.Contains(names, shard) {
				names = append(names, shard)
			}
		}
	} else if c.files["model.safetensors"] != nil {
		names = []string{"model.safetensors"}
	}
	if len(names) == 0 {
		return nil
	}
	info := &safetensorsInfo{Parameters: map[string]int64{}}
	for _, name := range names {
		f := c.files[name]
		if f == nil {
			return nil
		}
		r, closer, err := f.open()
		if err != nil {
			return nil
		}
		counts, err := parseSafetensorsHeader(r, f.size)
		closer.Close()
		if err != nil {
			return nil
		}
		for dt, n := range counts {
			info.Parameters[dt] += n
			info.Total += n
		}
	}
	return info
}

// readAll returns a file's content, nil if it cannot be read.
func readAll(f *file) []byte {
	r, closer, err := f.open()
	if err != nil {
		return nil
	}
	defer closer.Close()
	buf := make([]byte, f.size)
	if _, err := r.ReadAt(buf, 0); err != nil && err != io.EOF {
		return nil
	}
	return buf
}
