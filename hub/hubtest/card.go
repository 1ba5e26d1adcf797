package hubtest

import (
	"encoding/json"
	"path"
	"slices"
	"strconv"
	"strings"
)

// commitMeta is what the Hub derives from a commit's files: the model
// card's front matter and tags inferred from config.json and weight files.
type commitMeta struct {
	tags        []string
	pipelineTag string
	libraryName string
	cardData    map[string]any
}

// meta derives a commit's metadata once.
func (c *commit) meta() *commitMeta {
	c.metaOnce.Do(func() { c.metaV = c.computeMeta() })
	return c.metaV
}

func (c *commit) computeMeta() *commitMeta {
	m := &commitMeta{}
	if readme := c.files["README.md"]; readme != nil && readme.size < 1<<20 {
		m.cardData = parseFrontMatter(readAll(readme))
	}
	str := func(k string) string { s, _ := m.cardData[k].(string); return s }
	m.pipelineTag, m.libraryName = str("pipeline_tag"), str("library_name")
	add := func(tag string) {
		if tag != "" && !slices.Contains(m.tags, tag) {
			m.tags = append(m.tags, tag)
		}
	}
	if tags, ok := m.cardData["tags"].([]any); ok {
		for _, t := range tags {
			if s, ok := t.(string); ok {
				add(s)
			}
		}
	}
	if cfg := c.files["config.json"]; cfg != nil && cfg.size < 1<<20 {
		var conf struct {
			ModelType string `json:"model_type"`
		}
		if json.Unmarshal(readAll(cfg), &conf) == nil && conf.ModelType != "" {
			if m.libraryName == "" {
				m.libraryName = "transformers"
			}
			add(m.libraryName)
			add(conf.ModelType)
		}
	}
	for _, p := range c.paths {
		switch base := path.Base(p); {
		case strings.HasSuffix(base, ".safetensors"):
			add("safetensors")
		case strings.HasPrefix(base, "pytorch_model") && strings.HasSuffix(base, ".bin"):
			add("pytorch")
		}
	}
	return m
}

// parseFrontMatter reads the YAML front matter of a model card (between
// "---" lines at its top) as the Hub's cardData. It reads the subset model
// cards use at top level: scalars, block lists and flow lists of scalars;
// a key with nested mappings is left out.
func parseFrontMatter(readme []byte) map[string]any {
	text := strings.ReplaceAll(string(readme), "\r\n", "\n")
	body, ok := strings.CutPrefix(text, "---\n")
	if !ok {
		return nil
	}
	end := strings.Index("\n"+body, "\n---")
	if end < 0 {
		return nil
	}
	out := map[string]any{}
	var key string // the top-level key whose block is being read
	var items []any
	var nested bool
	flush := func() {
		if key != "" && !nested {
			if items != nil {
				out[key] = items
			} else {
				out[key] = nil
			}
		}
		key, items, nested = "", nil, false
	}
	for _, line := range strings.Split(body[:max(end-1, 0)], "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "" || strings.HasPrefix(trimmed, "#"):
		case line[0] != ' ' && line[0] != '\t' && line[0] != '-':
			flush()
			k, v, found := strings.Cut(line, ":")
			k = strings.Trim(strings.TrimSpace(k), `"'`)
			if !found || k == "" {
				continue
			}
			if v = strings.TrimSpace(v); v == "" {
				key = k
			} else {
				out[k] = yamlValue(v)
			}
		case key != "" && !nested && (strings.HasPrefix(trimmed, "- ") || trimmed == "-"):
			item := strings.TrimSpace(strings.TrimPrefix(trimmed, "-"))
			if isMapping(item) {
				nested = true
				continue
			}
			items = append(items, yamlScalar(item))
		default:
			nested = true
		}
	}
	flush()
	return out
}

// isMapping reports whether a list item is a mapping ("name: x").
func isMapping(item string) bool {
	if strings.HasPrefix(item, `"`) || strings.HasPrefix(item, "'") {
		return false
	}
	return strings.Contains(item, ": ") || strings.HasSuffix(item, ":")
}

// yamlValue reads a flow list "[a, b]" or a scalar.
func yamlValue(v string) any {
	if inner, ok := strings.CutPrefix(v, "["); ok && strings.HasSuffix(inner, "]") {
		list := []any{}
		for _, item := range strings.Split(strings.TrimSuffix(inner, "]"), ",") {
			if item = strings.TrimSpace(item); item != "" {
				list = append(list, yamlScalar(item))
			}
		}
		return list
	}
	return yamlScalar(v)
}

// yamlScalar reads a quoted or plain scalar: a string, bool, null or number.
func yamlScalar(v string) any {
	if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
		if u, err := strconv.Unquote(`"` + strings.ReplaceAll(v[1:len(v)-1], `"`, `\"`) + `"`); err == nil && v[0] == '"' {
			return u
		}
		return v[1 : len(v)-1]
	}
	if i := strings.Index(v, " #"); i >= 0 {
		v = strings.TrimSpace(v[:i])
	}
	switch strings.ToLower(v) {
	case "true":
		return true
	case "false":
		return false
	case "null", "~", "":
		return nil
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return n
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil && strings.ContainsAny(v, "0123456789") && !strings.ContainsAny(v, "xXpP_") {
		return f
	}
	return v
}
