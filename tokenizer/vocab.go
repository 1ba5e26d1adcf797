package tokenizer

import "sort"

// TokenToID returns the id of a token, added tokens included.
func (t *Tokenizer) TokenToID(token string) (int, bool) {
	if at, ok := t.added.byContent[token]; ok {
		return at.ID, true
	}
	return t.model.tokenToID(token)
}

// IDToToken returns the token of an id, added tokens included.
func (t *Tokenizer) IDToToken(id int) (string, bool) {
	if at, ok := t.added.byID[id]; ok {
		if at.decoded != "" {
			return at.decoded, true
		}
		return at.Content, true
	}
	return t.model.idToToken(id)
}

// VocabSize returns the number of tokens: the model's vocabulary and the added tokens that are
// not in it (len(tokenizer) in transformers).
func (t *Tokenizer) VocabSize() int {
	n := t.model.vocabSize()
	for _, at := range t.added.tokens {
		if _, ok := t.model.idToToken(at.ID); !ok {
			n++
		}
	}
	return n
}

// AddedTokens returns the added tokens, by id.
func (t *Tokenizer) AddedTokens() []AddedToken {
	out := make([]AddedToken, 0, len(t.added.tokens))
	for _, at := range t.added.tokens {
		out = append(out, *at)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// SpecialToken returns a special token by its transformers name: "cls_token", "sep_token",
// "pad_token", "mask_token", "unk_token", "bos_token" or "eos_token".
func (t *Tokenizer) SpecialToken(name string) (token string, id int, ok bool) {
	token, ok = t.special[name]
	if !ok {
		return "", 0, false
	}
	id, ok = t.TokenToID(token)
	return token, id, ok
}

// SpecialTokens returns the special tokens by name (see SpecialToken).
func (t *Tokenizer) SpecialTokens() map[string]string {
	out := make(map[string]string, len(t.special))
	for k, v := range t.special {
		out[k] = v
	}
	return out
}

// ModelMaxLength returns model_max_length from tokenizer_config.json, 0 when unknown.
func (t *Tokenizer) ModelMaxLength() int { return t.maxLength }
