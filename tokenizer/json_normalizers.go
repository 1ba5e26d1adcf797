package tokenizer

import (
	"encoding/json"
	"fmt"
)

func (p jparser) normalizer(field string, raw json.RawMessage) (normalizer, error) {
	m, typ, err := p.object(field, raw)
	if err != nil {
		return nil, err
	}
	switch typ {
	case "BertNormalizer":
		n := &bertNormalizer{clean: true, chinese: true, lowercase: true}
		var strip *bool
		for key, dst := range map[string]any{"clean_text": &n.clean, "handle_chinese_chars": &n.chinese, "lowercase": &n.lowercase, "strip_accents": &strip} {
			if err := p.get(m, field, key, dst); err != nil {
				return nil, err
			}
		}
		n.stripAccents = boolOr(strip, n.lowercase)
		return n, nil
	case "Lowercase":
		return lowercaseNormalizer{}, nil
	case "NFC":
		return formNormalizer{composed: true}, nil
	case "NFD":
		return formNormalizer{}, nil
	case "NFKC":
		return formNormalizer{compat: true, composed: true}, nil
	case "NFKD":
		return formNormalizer{compat: true}, nil
	case "StripAccents":
		return stripAccentsNormalizer{}, nil
	case "Strip":
		s := stripNormalizer{left: true, right: true}
		if err := p.get(m, field, "strip_left", &s.left); err != nil {
			return nil, err
		}
		if err := p.get(m, field, "strip_right", &s.right); err != nil {
			return nil, err
		}
		return s, nil
	case "Prepend":
		var s prependNormalizer
		if err := p.get(m, field, "prepend", &s.prefix); err != nil {
			return nil, err
		}
		return s, nil
	case "Replace":
		r := &replaceNormalizer{}
		lit, re, gpt2, err := p.patternField(field, m)
		if err != nil {
			return nil, err
		}
		if gpt2 {
			return nil, p.unsupported(field+".pattern", "the GPT-2 pattern in a Replace normalizer")
		}
		r.literal, r.re = lit, re
		if err := p.get(m, field, "content", &r.content); err != nil {
			return nil, err
		}
		return r, nil
	case "Sequence":
		seq, err := parseList(p, m, field, "normalizers", p.normalizer)
		if err != nil {
			return nil, err
		}
		return sequenceNormalizer(seq), nil
	case "":
		return nil, p.errf(field+".type", "missing")
	}
	return nil, p.unsupported(field+".type", "normalizer %s", typ)
}

func (p jparser) preTokenizer(field string, raw json.RawMessage) (preTokenizer, error) {
	m, typ, err := p.object(field, raw)
	if err != nil {
		return nil, err
	}
	switch typ {
	case "BertPreTokenizer":
		return &bertPreTokenizer{}, nil
	case "ByteLevel":
		b := byteLevelPreTokenizer{addPrefixSpace: true, useRegex: true}
		if err := p.get(m, field, "add_prefix_space", &b.addPrefixSpace); err != nil {
			return nil, err
		}
		if err := p.get(m, field, "use_regex", &b.useRegex); err != nil {
			return nil, err
		}
		return b, nil
	case "Whitespace":
		return whitespacePreTokenizer{}, nil
	case "WhitespaceSplit":
		return whitespaceSplitPreTokenizer{}, nil
	case "Punctuation":
		b, err := p.behavior(field, m, behaviorIsolated)
		if err != nil {
			return nil, err
		}
		return punctuationPreTokenizer{behavior: b}, nil
	case "Digits":
		var d digitsPreTokenizer
		if err := p.get(m, field, "individual_digits", &d.individual); err != nil {
			return nil, err
		}
		return d, nil
	case "Split":
		s := &splitPreTokenizer{}
		if s.literal, s.re, s.gpt2, err = p.patternField(field, m); err != nil {
			return nil, err
		}
		if s.behavior, err = p.behavior(field, m, behaviorRemoved); err != nil {
			return nil, err
		}
		if _, ok := m["behavior"]; !ok {
			return nil, p.errf(field+".behavior", "missing")
		}
		if err := p.get(m, field, "invert", &s.invert); err != nil {
			return nil, err
		}
		return s, nil
	case "Sequence":
		seq, err := parseList(p, m, field, "pretokenizers", p.preTokenizer)
		if err != nil {
			return nil, err
		}
		for i, pt := range seq[:max(len(seq)-1, 0)] {
			if _, ok := pt.(byteLevelPreTokenizer); ok {
				return nil, p.unsupported(fmt.Sprintf("%s.pretokenizers[%d]", field, i), "ByteLevel before other pre-tokenizers in a Sequence")
			}
		}
		return sequencePreTokenizer(seq), nil
	case "":
		return nil, p.errf(field+".type", "missing")
	}
	return nil, p.unsupported(field+".type", "pre-tokenizer %s", typ)
}
