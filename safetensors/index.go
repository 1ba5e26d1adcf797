package safetensors

import (
	"maps"
	"slices"
	"unicode/utf8"

	"github.com/hfgo/hfgo/internal/jsonscan"
)

// index is a parsed model.safetensors.index.json.
type index struct {
	metadata  map[string]string // strings as they are, other values as JSON text
	weightMap map[string]string // tensor name -> shard file name
}

// parseIndex parses the JSON of a sharded index: {"metadata": {...},
// "weight_map": {"tensor": "shard file", ...}}. Other keys are ignored.
func parseIndex(b []byte) (*index, error) {
	if !utf8.Valid(b) {
		return nil, newError("", "", ErrInvalidIndex, "not valid UTF-8")
	}
	p := parser{jsonscan.NewOwned(b)}
	ix := &index{}
	seen := map[string]bool{}
	err := p.Object(func(key string) error {
		if seen[key] {
			return newError("", "", ErrInvalidIndex, "duplicate key %q", key)
		}
		seen[key] = true
		switch key {
		case "metadata":
			if p.Literal("null") {
				return nil
			}
			m, err := p.anyMap()
			ix.metadata = m
			return err
		case "weight_map":
			m, err := p.stringMap()
			ix.weightMap = m
			return err
		}
		return p.Skip()
	})
	if err == nil {
		err = p.End("index object")
	}
	if err == nil && ix.weightMap == nil {
		err = newError("", "", ErrInvalidIndex, "no weight_map")
	}
	if err != nil {
		return nil, asKind(err, ErrInvalidIndex)
	}
	return ix, nil
}

// stringMap reads an object of strings, rejecting duplicate keys.
func (p parser) stringMap() (map[string]string, error) {
	if p.Peek() != '{' {
		return nil, newError("", "", ErrInvalidIndex, "weight_map is not an object")
	}
	m := map[string]string{}
	err := p.Object(func(key string) error {
		if _, dup := m[key]; dup {
			return newError("", key, ErrInvalidIndex, "listed twice in weight_map")
		}
		if p.Peek() != '"' {
			return newError("", key, ErrInvalidIndex, "weight_map value is not a string")
		}
		v, err := p.Str()
		m[key] = v
		return err
	})
	return m, err
}

// anyMap reads an object whose string values are kept as they are and other
// values as their JSON text.
func (p parser) anyMap() (map[string]string, error) {
	if p.Peek() != '{' {
		return nil, newError("", "", ErrInvalidIndex, "metadata is not an object")
	}
	m := map[string]string{}
	err := p.Object(func(key string) error {
		if _, dup := m[key]; dup {
			return newError("", "", ErrInvalidIndex, "duplicate metadata key %q", key)
		}
		if p.Peek() == '"' {
			v, err := p.Str()
			m[key] = v
			return err
		}
		start := p.Pos()
		err := p.Skip()
		m[key] = p.Since(start)
		return err
	})
	return m, err
}

// shardNames returns the distinct shard files of the weight map, sorted.
func (ix *index) shardNames() []string {
	set := map[string]bool{}
	for _, s := range ix.weightMap {
		set[s] = true
	}
	return slices.Sorted(maps.Keys(set))
}
