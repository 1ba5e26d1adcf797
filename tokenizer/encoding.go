package tokenizer

import (
	"fmt"
	"unicode/utf8"
)

// truncate cuts a and b (b may be nil) to at most budget tokens together.
func (t *Tokenizer) truncate(a, b *sequence, tr *truncationConfig, budget int) error {
	total := a.len() + lenOf(b)
	if total <= budget {
		return nil
	}
	if b == nil {
		if tr.strategy == OnlySecond {
			return fmt.Errorf("%w: strategy OnlySecond needs a pair of sequences", ErrTruncation)
		}
		cut(a, budget, tr.left)
		return nil
	}
	remove := total - budget
	switch tr.strategy {
	case OnlyFirst, OnlySecond:
		e := a
		if tr.strategy == OnlySecond {
			e = b
		}
		if e.len() <= remove {
			return fmt.Errorf("%w: the sequence to truncate has %d tokens, %d must go", ErrTruncation, e.len(), remove)
		}
		cut(e, e.len()-remove, tr.left)
		return nil
	}
	na, nb := a.len(), b.len()
	if t.legacy {
		// transformers' truncate_sequences, longest_first.
		first := min(abs(nb-na), remove)
		second := remove - first
		var ra, rb int
		if na > nb {
			ra, rb = first+second/2, second-second/2
		} else {
			ra, rb = second/2, first+second-second/2
		}
		cut(a, max(na-ra, 0), tr.left)
		cut(b, max(nb-rb, 0), tr.left)
		return nil
	}
	// The Rust library: the shorter keeps its length if it can, else both get half.
	n1, n2 := na, nb
	swap := n1 > n2
	if swap {
		n1, n2 = n2, n1
	}
	if n1 > budget {
		n2 = n1
	} else {
		n2 = max(n1, budget-n1)
	}
	if n1+n2 > budget {
		n1 = budget / 2
		n2 = n1 + budget%2
	}
	if swap {
		n1, n2 = n2, n1
	}
	cut(a, n1, tr.left)
	cut(b, n2, tr.left)
	return nil
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// cut keeps n tokens of e, the first ones or (left) the last ones.
func cut(e *sequence, n int, left bool) {
	if n >= e.len() {
		return
	}
	lo, hi := 0, n
	if left {
		lo, hi = e.len()-n, e.len()
	}
	e.keep(lo, hi)
}

// pad pads the encodings as the options say.
func (t *Tokenizer) pad(encs []*Encoding, o *encodeOptions) error {
	p := o.padding
	if p == nil || p.length < 0 {
		return nil
	}
	length := p.length
	if length == 0 {
		for _, e := range encs {
			length = max(length, e.Len())
		}
	}
	if p.multiple > 0 && length%p.multiple != 0 {
		length += p.multiple - length%p.multiple
	}
	id, token := p.padID, p.padToken
	if id < 0 {
		var ok bool
		if token, id, ok = t.SpecialToken("pad_token"); !ok {
			return fmt.Errorf("%w: padding needs a pad token and %s has none", ErrPadding, t.source)
		}
	}
	for _, e := range encs {
		padEncoding(e, length, p.left, id, token, p.padType)
	}
	return nil
}

func padEncoding(e *Encoding, length int, left bool, id int, token string, typeID int) {
	n := length - e.Len()
	if n <= 0 {
		return
	}
	ids := make([]int, n)
	toks := make([]string, n)
	offs := make([][2]int, n)
	zeros := make([]int, n)
	ones := make([]int, n)
	types := make([]int, n)
	seqs := make([]int, n)
	for i := range n {
		ids[i], toks[i], ones[i], types[i], seqs[i] = id, token, 1, typeID, -1
	}
	join := func(x, pad []int) []int {
		if left {
			return append(pad, x...)
		}
		return append(x, pad...)
	}
	e.IDs = join(e.IDs, ids)
	e.AttentionMask = join(e.AttentionMask, zeros)
	e.TypeIDs = join(e.TypeIDs, types)
	e.SpecialTokensMask = join(e.SpecialTokensMask, ones)
	e.SequenceIDs = join(e.SequenceIDs, seqs)
	if left {
		e.Tokens = append(toks, e.Tokens...)
		e.Offsets = append(offs, e.Offsets...)
	} else {
		e.Tokens = append(e.Tokens, toks...)
		e.Offsets = append(e.Offsets, offs...)
	}
}

// CharOffsets converts byte offsets into text to character (Unicode code point) offsets, the
// offsets the Rust library and transformers' fast tokenizers report. An invalid byte counts as one
// character; an offset inside a character counts from that character.
func CharOffsets(text string, offsets [][2]int) [][2]int {
	index := make([]int, len(text)+1)
	n := 0
	for i := 0; i < len(text); {
		_, size := utf8.DecodeRuneInString(text[i:])
		for k := 0; k < size; k++ {
			index[i+k] = n
		}
		i += size
		n++
	}
	index[len(text)] = n
	out := make([][2]int, len(offsets))
	for i, o := range offsets {
		a, b := clamp(o[0], len(text)), clamp(o[1], len(text))
		out[i] = [2]int{index[a], index[b]}
	}
	return out
}

func clamp(x, n int) int { return min(max(x, 0), n) }

// CharOffsets returns the offsets of e as character offsets into text, the text e was encoded
// from. For a pair, use CharOffsets with each text on the tokens of its sequence.
func (e *Encoding) CharOffsets(text string) [][2]int {
	return CharOffsets(text, e.Offsets)
}
