package tokenizer

import (
	"fmt"
)

// postProcessor adds the special tokens around the encoded sequences and sets the type ids.
type postProcessor interface {
	// added returns how many special tokens process adds.
	added(pair bool) int
	// process joins a and b (nil for a single text) into the final encoding.
	process(t *Tokenizer, a, b *sequence, addSpecial bool) (*Encoding, error)
}

// templatePiece is a piece of a TemplateProcessing template: a sequence ("A" or "B") or a
// special token, with its type id.
type templatePiece struct {
	seq    int // 0 (A), 1 (B), or -1 for a special token
	token  string
	typeID int
}

// specialTokenIDs is an entry of the special_tokens map of a TemplateProcessing.
type specialTokenIDs struct {
	ids    []int
	tokens []string
}

// templateProcessor is TemplateProcessing; BertProcessing is the template [CLS] $A [SEP] / $B [SEP].
type templateProcessor struct {
	single, pair []templatePiece
	special      map[string]specialTokenIDs
	// zeroTypesPlain: without special tokens every type id is 0 (the Python tokenizers).
	zeroTypesPlain bool
}

func (p *templateProcessor) added(pair bool) int {
	tpl := p.single
	if pair {
		tpl = p.pair
	}
	n := 0
	for _, pc := range tpl {
		if pc.seq < 0 {
			n += len(p.special[pc.token].ids)
		}
	}
	return n
}

func (p *templateProcessor) process(t *Tokenizer, a, b *sequence, addSpecial bool) (*Encoding, error) {
	tpl := p.single
	if b != nil {
		tpl = p.pair
	}
	if !addSpecial && p.zeroTypesPlain {
		return t.defaultProcess(a, b, 0), nil
	}
	out := newEncoding(a.len() + lenOf(b) + p.added(b != nil))
	for _, pc := range tpl {
		switch {
		case pc.seq == 0:
			t.appendSequence(out, a, pc.typeID, 0)
		case pc.seq == 1:
			if b == nil {
				return nil, fmt.Errorf("%w: template expects a pair", ErrInvalid)
			}
			t.appendSequence(out, b, pc.typeID, 1)
		case addSpecial:
			st := p.special[pc.token]
			for i, id := range st.ids {
				appendSpecial(out, id, st.tokens[i], pc.typeID)
			}
		}
	}
	return out, nil
}

// robertaProcessor is RobertaProcessing: <s> A </s></s> B </s>, type ids 0, offsets trimmed.
type robertaProcessor struct {
	sep, cls       specialToken
	trimOffsets    bool
	addPrefixSpace bool
}

type specialToken struct {
	token string
	id    int
}

func (p *robertaProcessor) added(pair bool) int {
	if pair {
		return 4
	}
	return 2
}

func (p *robertaProcessor) process(t *Tokenizer, a, b *sequence, addSpecial bool) (*Encoding, error) {
	if p.trimOffsets {
		t.trimOffsets(a, p.addPrefixSpace)
		if b != nil {
			t.trimOffsets(b, p.addPrefixSpace)
		}
	}
	if !addSpecial {
		// The Rust RobertaProcessing gives the second sequence type id 0 as well.
		return t.defaultProcess(a, b, 0), nil
	}
	out := newEncoding(a.len() + lenOf(b) + p.added(b != nil))
	appendSpecial(out, p.cls.id, p.cls.token, 0)
	t.appendSequence(out, a, 0, 0)
	appendSpecial(out, p.sep.id, p.sep.token, 0)
	if b != nil {
		appendSpecial(out, p.sep.id, p.sep.token, 0)
		t.appendSequence(out, b, 0, 1)
		appendSpecial(out, p.sep.id, p.sep.token, 0)
	}
	return out, nil
}

// byteLevelProcessor is the ByteLevel post-processor: it only trims offsets.
type byteLevelProcessor struct {
	trimOffsets    bool
	addPrefixSpace bool
}

func (p *byteLevelProcessor) added(bool) int { return 0 }

func (p *byteLevelProcessor) process(t *Tokenizer, a, b *sequence, _ bool) (*Encoding, error) {
	if p.trimOffsets {
		t.trimOffsets(a, p.addPrefixSpace)
		if b != nil {
			t.trimOffsets(b, p.addPrefixSpace)
		}
	}
	return t.defaultProcess(a, b, 1), nil
}

// sequenceProcessor applies processors in order (the Rust Sequence post-processor).
type sequenceProcessor []postProcessor

func (s sequenceProcessor) added(pair bool) int {
	n := 0
	for _, p := range s {
		n += p.added(pair)
	}
	return n
}

func (s sequenceProcessor) process(t *Tokenizer, a, b *sequence, addSpecial bool) (*Encoding, error) {
	// Every processor but the last sees the sequences apart; as in the Rust library, only
	// offset trimming can come before a template.
	for i, p := range s {
		if i == len(s)-1 {
			return p.process(t, a, b, addSpecial)
		}
		bl, ok := p.(*byteLevelProcessor)
		if !ok {
			return nil, fmt.Errorf("%w: post-processor Sequence: only ByteLevel may come before the last processor", ErrUnsupported)
		}
		if bl.trimOffsets {
			t.trimOffsets(a, bl.addPrefixSpace)
			if b != nil {
				t.trimOffsets(b, bl.addPrefixSpace)
			}
		}
	}
	return t.defaultProcess(a, b, 1), nil
}

// trimOffsets removes the leading and trailing spaces of byte-level tokens from their offsets
// (process_offsets of the Rust ByteLevel processor). Offsets here are bytes; the spaces a token
// starts or ends with are one byte each.
func (t *Tokenizer) trimOffsets(e *sequence, addPrefixSpace bool) {
	for i := range e.ids {
		tk := t.tokenString(e, i)
		lead, trail := 0, 0
		for _, r := range tk {
			if r != 'Ġ' && classOf(r)&clsSpace == 0 {
				break
			}
			lead++
		}
		rs := []rune(tk)
		for k := len(rs) - 1; k >= 0; k-- {
			if rs[k] != 'Ġ' && classOf(rs[k])&clsSpace == 0 {
				break
			}
			trail++
		}
		if lead == 0 && trail == 0 {
			continue
		}
		o := &e.offsets[i]
		if lead > 0 {
			first := i == 0 || o[0] == 0
			if first && addPrefixSpace && lead == 1 {
				lead = 0
			}
			o[0] = min(o[0]+lead, o[1])
		}
		if trail > 0 && o[1] >= trail {
			o[1] = max(o[1]-trail, o[0])
		}
	}
}

func lenOf(e *sequence) int {
	if e == nil {
		return 0
	}
	return e.len()
}

// newEncoding returns an empty encoding with room for n tokens; the int fields share one
// allocation, each capped so that appending to one never writes into another.
func newEncoding(n int) *Encoding {
	ints := make([]int, 5*n)
	field := func(i int) []int { return ints[i*n : i*n : (i+1)*n] }
	return &Encoding{
		IDs:               field(0),
		Tokens:            make([]string, 0, n),
		Offsets:           make([][2]int, 0, n),
		AttentionMask:     field(1),
		TypeIDs:           field(2),
		SpecialTokensMask: field(3),
		SequenceIDs:       field(4),
	}
}

func (t *Tokenizer) appendSequence(out *Encoding, e *sequence, typeID, seq int) {
	out.IDs = append(out.IDs, e.ids...)
	for i := range e.ids {
		out.Tokens = append(out.Tokens, t.tokenString(e, i))
	}
	out.Offsets = append(out.Offsets, e.offsets...)
	out.AttentionMask = fill(out.AttentionMask, e.len(), 1)
	out.TypeIDs = fill(out.TypeIDs, e.len(), typeID)
	out.SpecialTokensMask = fill(out.SpecialTokensMask, e.len(), 0)
	out.SequenceIDs = fill(out.SequenceIDs, e.len(), seq)
}

func appendSpecial(out *Encoding, id int, token string, typeID int) {
	out.IDs = append(out.IDs, id)
	out.Tokens = append(out.Tokens, token)
	out.Offsets = append(out.Offsets, [2]int{0, 0})
	out.AttentionMask = append(out.AttentionMask, 1)
	out.TypeIDs = append(out.TypeIDs, typeID)
	out.SpecialTokensMask = append(out.SpecialTokensMask, 1)
	out.SequenceIDs = append(out.SequenceIDs, -1)
}

// fill appends n copies of v to s.
func fill(s []int, n, v int) []int {
	l := len(s)
	s = append(s, make([]int, n)...)
	if v != 0 {
		for i := l; i < len(s); i++ {
			s[i] = v
		}
	}
	return s
}

// defaultProcess joins the sequences without special tokens; the second gets type id pairType.
func (t *Tokenizer) defaultProcess(a, b *sequence, pairType int) *Encoding {
	out := newEncoding(a.len() + lenOf(b))
	t.appendSequence(out, a, 0, 0)
	if b != nil {
		t.appendSequence(out, b, pairType, 1)
	}
	return out
}

// postProcess truncates, then adds special tokens.
func (t *Tokenizer) postProcess(a, b *sequence, o *encodeOptions) (*Encoding, error) {
	addSpecial := !o.noSpecial
	if tr := o.truncation; tr != nil && tr.maxLength > 0 {
		n := 0
		if t.post != nil && addSpecial {
			n = t.post.added(b != nil)
		}
		if tr.maxLength < n {
			return nil, fmt.Errorf("%w: max length %d is less than the %d special tokens", ErrTruncation, tr.maxLength, n)
		}
		if err := t.truncate(a, b, tr, tr.maxLength-n); err != nil {
			return nil, err
		}
	}
	if t.post == nil {
		pairType := 1
		if t.legacy && !addSpecial {
			pairType = 0
		}
		return t.defaultProcess(a, b, pairType), nil
	}
	return t.post.process(t, a, b, addSpecial)
}
