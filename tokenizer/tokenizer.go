package tokenizer

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

// Tokenizer encodes text into token ids and decodes ids into text. It is safe for concurrent use.
type Tokenizer struct {
	model      model
	vocab      *vocabulary // the model's
	normalizer normalizer  // before added tokens are looked for in the normalized text
	// pieceNormalizer runs after that, on each remaining piece (the cleaning of a legacy BERT,
	// which the Python tokenizer applies after splitting on added tokens).
	pieceNormalizer normalizer
	pre             preTokenizer
	post            postProcessor
	decoder         decoder
	added           *addedVocab

	// legacy: built from the files of a slow Python tokenizer, and following its semantics for
	// truncation, token type ids without special tokens, and decoding.
	legacy bool
	// prefixSpace: a legacy GPT2Tokenizer with add_prefix_space puts a space before the text.
	prefixSpace bool
	// cleanup: clean_up_tokenization_spaces applies on decoding by default.
	cleanup bool
	// special maps "cls_token", "mask_token"... to token strings.
	special map[string]string
	// defaults from tokenizer.json.
	truncation *truncationConfig
	padding    *paddingConfig
	// maxLength is model_max_length from tokenizer_config.json (0 when unknown).
	maxLength int
	// source names the file(s) the tokenizer was read from, for error messages.
	source string
}

// Encoding is the result of encoding a text or a pair of texts. All slices have the same length.
type Encoding struct {
	// IDs are the token ids, the input_ids of the model.
	IDs []int
	// Tokens are the token strings.
	Tokens []string
	// Offsets are the byte ranges [start, end) of the input each token covers; (0, 0) for special
	// tokens and padding. For a pair, the offsets of the second sequence point into the second
	// text.
	Offsets [][2]int
	// AttentionMask is 1 for tokens, 0 for padding.
	AttentionMask []int
	// TypeIDs are the token_type_ids: 0 for the first sequence, 1 for the second (BERT).
	TypeIDs []int
	// SpecialTokensMask is 1 for the special tokens added around the text and for padding.
	SpecialTokensMask []int
	// SequenceIDs is 0 or 1 for tokens of the first or second text, -1 for added special tokens
	// and padding.
	SequenceIDs []int
}

// Len returns the number of tokens.
func (e *Encoding) Len() int { return len(e.IDs) }

// TruncationStrategy says which sequence of a pair loses tokens.
type TruncationStrategy int

const (
	// LongestFirst removes tokens from the longer sequence first (the default).
	LongestFirst TruncationStrategy = iota
	// OnlyFirst truncates only the first sequence.
	OnlyFirst
	// OnlySecond truncates only the second sequence.
	OnlySecond
)

type truncationConfig struct {
	maxLength int
	strategy  TruncationStrategy
	left      bool
}

type paddingConfig struct {
	length   int // 0: the longest of the batch
	left     bool
	multiple int
	padID    int
	padType  int
	padToken string
}

type encodeOptions struct {
	noSpecial bool
	// splitSpecial: special tokens in the text are read as text.
	splitSpecial bool
	truncation   *truncationConfig
	padding      *paddingConfig
}

// Option configures one call to Encode, EncodePair or EncodeBatch.
type Option func(*encodeOptions)

// WithoutSpecialTokens leaves out the special tokens ([CLS], [SEP]...) that are otherwise added
// around the text as transformers' tokenizer(text) adds them.
func WithoutSpecialTokens() Option { return func(o *encodeOptions) { o.noSpecial = true } }

// WithSplitSpecialTokens reads the special tokens written in the text ("[CLS]",
// "<|endoftext|>") as ordinary text instead of matching them (split_special_tokens=True in
// transformers, encode_special_tokens in the Rust library): user input cannot inject them. A
// legacy tokenizer then matches no added token at all, as the slow Python tokenizers do.
func WithSplitSpecialTokens() Option { return func(o *encodeOptions) { o.splitSpecial = true } }

// WithTruncation cuts the encoding to at most maxLen tokens, special tokens included, from the
// right, with the LongestFirst strategy for pairs.
func WithTruncation(maxLen int) Option {
	return func(o *encodeOptions) {
		t := truncationConfig{maxLength: maxLen}
		if o.truncation != nil {
			t.strategy, t.left = o.truncation.strategy, o.truncation.left
		}
		o.truncation = &t
	}
}

// WithTruncationStrategy sets the strategy of the truncation; it applies once a maximum length is
// set (by WithTruncation or tokenizer.json).
func WithTruncationStrategy(s TruncationStrategy) Option {
	return func(o *encodeOptions) {
		t := truncationConfig{strategy: s, maxLength: -1}
		if o.truncation != nil {
			t = *o.truncation
			t.strategy = s
		}
		o.truncation = &t
	}
}

// WithTruncationLeft removes tokens from the start of the sequences instead of the end.
func WithTruncationLeft() Option {
	return func(o *encodeOptions) {
		t := truncationConfig{maxLength: -1}
		if o.truncation != nil {
			t = *o.truncation
		}
		t.left = true
		o.truncation = &t
	}
}

// WithoutTruncation disables the truncation a tokenizer.json may configure.
func WithoutTruncation() Option {
	return func(o *encodeOptions) { o.truncation = &truncationConfig{maxLength: 0} }
}

// WithPadding pads every encoding to length tokens (to the longest of the batch when length is
// 0), on the left or on the right, with the tokenizer's pad token.
func WithPadding(length int, left bool) Option {
	return func(o *encodeOptions) {
		p := paddingConfig{length: length, left: left, padID: -1}
		if o.padding != nil {
			p.multiple, p.padID, p.padToken, p.padType = o.padding.multiple, o.padding.padID, o.padding.padToken, o.padding.padType
		}
		o.padding = &p
	}
}

// WithPadToken sets the token and id padding uses (by default the tokenizer's pad_token, or
// the pad token of tokenizer.json's padding section).
func WithPadToken(token string, id int) Option {
	return func(o *encodeOptions) {
		p := paddingConfig{}
		if o.padding != nil {
			p = *o.padding
		}
		p.padToken, p.padID = token, id
		o.padding = &p
	}
}

// WithPadToMultipleOf rounds the padded length up to a multiple of n (with WithPadding).
func WithPadToMultipleOf(n int) Option {
	return func(o *encodeOptions) {
		p := paddingConfig{padID: -1}
		if o.padding != nil {
			p = *o.padding
		}
		p.multiple = n
		o.padding = &p
	}
}

// WithoutPadding disables the padding a tokenizer.json may configure.
func WithoutPadding() Option {
	return func(o *encodeOptions) { o.padding = &paddingConfig{length: -1} }
}

func (t *Tokenizer) options(opts []Option) encodeOptions {
	o := encodeOptions{truncation: t.truncation, padding: t.padding}
	for _, f := range opts {
		f(&o)
	}
	return o
}

// Encode encodes one text.
func (t *Tokenizer) Encode(text string, opts ...Option) (*Encoding, error) {
	o := t.options(opts)
	enc, err := t.encode(text, nil, &o)
	if err != nil {
		return nil, err
	}
	if err := t.pad([]*Encoding{enc}, &o); err != nil {
		return nil, err
	}
	return enc, nil
}

// EncodePair encodes a pair of texts (a question and a context, two sentences...).
func (t *Tokenizer) EncodePair(a, b string, opts ...Option) (*Encoding, error) {
	o := t.options(opts)
	enc, err := t.encode(a, &b, &o)
	if err != nil {
		return nil, err
	}
	if err := t.pad([]*Encoding{enc}, &o); err != nil {
		return nil, err
	}
	return enc, nil
}

// EncodeBatch encodes texts on all cores. With WithPadding(0, ...) every encoding is padded to
// the longest of the batch.
func (t *Tokenizer) EncodeBatch(ctx context.Context, texts []string, opts ...Option) ([]*Encoding, error) {
	o := t.options(opts)
	out := make([]*Encoding, len(texts))
	var (
		next    atomic.Int64
		stop    atomic.Bool
		errOnce sync.Once
		first   error
		wg      sync.WaitGroup
	)
	fail := func(err error) {
		errOnce.Do(func() { first = err })
		stop.Store(true)
	}
	for range min(runtime.GOMAXPROCS(0), len(texts)) {
		wg.Go(func() {
			for !stop.Load() {
				i := int(next.Add(1) - 1)
				if i >= len(texts) {
					return
				}
				if err := ctx.Err(); err != nil {
					fail(err)
					return
				}
				enc, err := t.encode(texts[i], nil, &o)
				if err != nil {
					fail(fmt.Errorf("text %d: %w", i, err))
					return
				}
				out[i] = enc
			}
		})
	}
	wg.Wait()
	if first != nil {
		return nil, first
	}
	if err := t.pad(out, &o); err != nil {
		return nil, err
	}
	return out, nil
}

// encode runs the whole pipeline for one text or pair, before padding.
func (t *Tokenizer) encode(a string, b *string, o *encodeOptions) (*Encoding, error) {
	w := getWorkspace()
	defer putWorkspace(w)
	first, err := t.encodeSequence(w, 0, a, o)
	if err != nil {
		return nil, err
	}
	var second *sequence
	if b != nil {
		if second, err = t.encodeSequence(w, 1, *b, o); err != nil {
			return nil, err
		}
	}
	return t.postProcess(first, second, o)
}
