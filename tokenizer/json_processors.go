package tokenizer

import (
	"encoding/json"
	"fmt"
)

// tokenID reads a ["token", id] pair.
func (p jparser) tokenID(field string, m map[string]json.RawMessage, key string) (specialToken, error) {
	var pair []json.RawMessage
	if err := p.get(m, field, key, &pair); err != nil {
		return specialToken{}, err
	}
	var st specialToken
	if len(pair) != 2 || json.Unmarshal(pair[0], &st.token) != nil || json.Unmarshal(pair[1], &st.id) != nil || st.id < 0 {
		return specialToken{}, p.errf(field+"."+key, "want [\"token\", id]")
	}
	return st, nil
}

func (p jparser) postProcessor(field string, raw json.RawMessage) (postProcessor, error) {
	m, typ, err := p.object(field, raw)
	if err != nil {
		return nil, err
	}
	switch typ {
	case "TemplateProcessing":
		return p.template(field, m)
	case "BertProcessing":
		sep, err := p.tokenID(field, m, "sep")
		if err != nil {
			return nil, err
		}
		cls, err := p.tokenID(field, m, "cls")
		if err != nil {
			return nil, err
		}
		return bertTemplate(cls.token, cls.id, sep.token, sep.id, false), nil
	case "RobertaProcessing":
		r := &robertaProcessor{trimOffsets: true, addPrefixSpace: true}
		if r.sep, err = p.tokenID(field, m, "sep"); err != nil {
			return nil, err
		}
		if r.cls, err = p.tokenID(field, m, "cls"); err != nil {
			return nil, err
		}
		if err := p.get(m, field, "trim_offsets", &r.trimOffsets); err != nil {
			return nil, err
		}
		if err := p.get(m, field, "add_prefix_space", &r.addPrefixSpace); err != nil {
			return nil, err
		}
		return r, nil
	case "ByteLevel":
		b := &byteLevelProcessor{trimOffsets: true, addPrefixSpace: true}
		if err := p.get(m, field, "trim_offsets", &b.trimOffsets); err != nil {
			return nil, err
		}
		if err := p.get(m, field, "add_prefix_space", &b.addPrefixSpace); err != nil {
			return nil, err
		}
		return b, nil
	case "Sequence":
		seq, err := parseList(p, m, field, "processors", p.postProcessor)
		if err != nil {
			return nil, err
		}
		for i, pp := range seq[:max(len(seq)-1, 0)] {
			if _, ok := pp.(*byteLevelProcessor); !ok {
				return nil, p.unsupported(fmt.Sprintf("%s.processors[%d]", field, i), "only ByteLevel may come before the last processor of a Sequence")
			}
		}
		return sequenceProcessor(seq), nil
	case "":
		return nil, p.errf(field+".type", "missing")
	}
	return nil, p.unsupported(field+".type", "post-processor %s", typ)
}

func (p jparser) template(field string, m map[string]json.RawMessage) (postProcessor, error) {
	t := &templateProcessor{special: map[string]specialTokenIDs{}}
	var special map[string]struct {
		ID     string   `json:"id"`
		IDs    []int    `json:"ids"`
		Tokens []string `json:"tokens"`
	}
	if err := p.get(m, field, "special_tokens", &special); err != nil {
		return nil, err
	}
	for name, st := range special {
		if len(st.IDs) != len(st.Tokens) {
			return nil, p.errf(field+".special_tokens."+name, "%d ids for %d tokens", len(st.IDs), len(st.Tokens))
		}
		for _, id := range st.IDs {
			if id < 0 {
				return nil, p.errf(field+".special_tokens."+name, "negative id")
			}
		}
		t.special[name] = specialTokenIDs{ids: st.IDs, tokens: st.Tokens}
	}
	for _, key := range []string{"single", "pair"} {
		var pieces []struct {
			Sequence *struct {
				ID     string `json:"id"`
				TypeID int    `json:"type_id"`
			} `json:"Sequence"`
			SpecialToken *struct {
				ID     string `json:"id"`
				TypeID int    `json:"type_id"`
			} `json:"SpecialToken"`
		}
		if err := p.get(m, field, key, &pieces); err != nil {
			return nil, err
		}
		var tpl []templatePiece
		for i, pc := range pieces {
			f := fmt.Sprintf("%s.%s[%d]", field, key, i)
			switch {
			case pc.Sequence != nil && pc.SpecialToken == nil:
				seq := map[string]int{"A": 0, "B": 1}
				s, ok := seq[pc.Sequence.ID]
				if !ok {
					return nil, p.errf(f+".Sequence.id", "want A or B, got %q", pc.Sequence.ID)
				}
				tpl = append(tpl, templatePiece{seq: s, typeID: pc.Sequence.TypeID})
			case pc.SpecialToken != nil && pc.Sequence == nil:
				if _, ok := t.special[pc.SpecialToken.ID]; !ok {
					return nil, p.errf(f+".SpecialToken.id", "%q is not in special_tokens", pc.SpecialToken.ID)
				}
				tpl = append(tpl, templatePiece{seq: -1, token: pc.SpecialToken.ID, typeID: pc.SpecialToken.TypeID})
			default:
				return nil, p.errf(f, "want a Sequence or a SpecialToken")
			}
		}
		if key == "single" {
			t.single = tpl
		} else {
			t.pair = tpl
		}
	}
	if t.single == nil {
		t.single = []templatePiece{{seq: 0}}
	}
	if t.pair == nil {
		t.pair = []templatePiece{{seq: 0}, {seq: 1, typeID: 1}}
	}
	return t, nil
}

func (p jparser) decoder(field string, raw json.RawMessage) (decoder, error) {
	m, typ, err := p.object(field, raw)
	if err != nil {
		return nil, err
	}
	switch typ {
	case "WordPiece":
		d := wordPieceDecoder{prefix: "##", cleanup: true}
		if err := p.get(m, field, "prefix", &d.prefix); err != nil {
			return nil, err
		}
		if err := p.get(m, field, "cleanup", &d.cleanup); err != nil {
			return nil, err
		}
		return d, nil
	case "ByteLevel":
		return byteLevelDecoder{}, nil
	case "BPEDecoder":
		d := bpeDecoder{suffix: "</w>"}
		if err := p.get(m, field, "suffix", &d.suffix); err != nil {
			return nil, err
		}
		return d, nil
	case "Fuse":
		return fuseDecoder{}, nil
	case "ByteFallback":
		return byteFallbackDecoder{}, nil
	case "Strip":
		var d stripDecoder
		for key, dst := range map[string]any{"content": &d.content, "start": &d.start, "stop": &d.stop} {
			if err := p.get(m, field, key, dst); err != nil {
				return nil, err
			}
		}
		return d, nil
	case "Replace":
		lit, re, gpt2, err := p.patternField(field, m)
		if err != nil {
			return nil, err
		}
		if re != nil || gpt2 {
			return nil, p.unsupported(field+".pattern", "a regular expression in a Replace decoder")
		}
		d := replaceDecoder{pattern: lit}
		if err := p.get(m, field, "content", &d.content); err != nil {
			return nil, err
		}
		return d, nil
	case "Sequence":
		seq, err := parseList(p, m, field, "decoders", p.decoder)
		if err != nil {
			return nil, err
		}
		return sequenceDecoder(seq), nil
	case "":
		return nil, p.errf(field+".type", "missing")
	}
	return nil, p.unsupported(field+".type", "decoder %s", typ)
}

func (p jparser) truncation(raw json.RawMessage) (*truncationConfig, error) {
	if isNull(raw) {
		return nil, nil
	}
	var t struct {
		Direction string `json:"direction"`
		MaxLength int    `json:"max_length"`
		Strategy  string `json:"strategy"`
		Stride    int    `json:"stride"`
	}
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, p.errf("truncation", "cannot read: %v", err)
	}
	if t.MaxLength <= 0 {
		return nil, p.errf("truncation.max_length", "want a positive length, got %d", t.MaxLength)
	}
	if t.Stride != 0 {
		return nil, p.unsupported("truncation.stride", "stride %d (overflowing tokens)", t.Stride)
	}
	c := &truncationConfig{maxLength: t.MaxLength}
	switch t.Direction {
	case "", "Right":
	case "Left":
		c.left = true
	default:
		return nil, p.errf("truncation.direction", "want Left or Right, got %q", t.Direction)
	}
	switch t.Strategy {
	case "", "LongestFirst":
	case "OnlyFirst":
		c.strategy = OnlyFirst
	case "OnlySecond":
		c.strategy = OnlySecond
	default:
		return nil, p.errf("truncation.strategy", "unknown strategy %q", t.Strategy)
	}
	return c, nil
}

// maxPadding bounds the padded length a tokenizer.json may ask for.
const maxPadding = 1 << 20

func (p jparser) padding(raw json.RawMessage) (*paddingConfig, error) {
	if isNull(raw) {
		return nil, nil
	}
	var pj struct {
		Strategy  json.RawMessage `json:"strategy"`
		Direction string          `json:"direction"`
		Multiple  *int            `json:"pad_to_multiple_of"`
		PadID     int             `json:"pad_id"`
		PadTypeID int             `json:"pad_type_id"`
		PadToken  string          `json:"pad_token"`
	}
	if err := json.Unmarshal(raw, &pj); err != nil {
		return nil, p.errf("padding", "cannot read: %v", err)
	}
	c := &paddingConfig{padID: pj.PadID, padType: pj.PadTypeID, padToken: pj.PadToken}
	if pj.PadID < 0 {
		return nil, p.errf("padding.pad_id", "negative id")
	}
	var s string
	var fixed struct {
		Fixed *int `json:"Fixed"`
	}
	switch {
	case json.Unmarshal(pj.Strategy, &s) == nil && s == "BatchLongest":
	case json.Unmarshal(pj.Strategy, &fixed) == nil && fixed.Fixed != nil && *fixed.Fixed > 0 && *fixed.Fixed <= maxPadding:
		c.length = *fixed.Fixed
	default:
		return nil, p.errf("padding.strategy", "want \"BatchLongest\" or {\"Fixed\": n}, got %s", truncateJSON(pj.Strategy))
	}
	switch pj.Direction {
	case "", "Right":
	case "Left":
		c.left = true
	default:
		return nil, p.errf("padding.direction", "want Left or Right, got %q", pj.Direction)
	}
	if pj.Multiple != nil {
		if *pj.Multiple < 0 || *pj.Multiple > maxPadding {
			return nil, p.errf("padding.pad_to_multiple_of", "want 0 to %d, got %d", maxPadding, *pj.Multiple)
		}
		c.multiple = *pj.Multiple
	}
	return c, nil
}
