package bert

import (
	"fmt"
)

// Input is a batch of token sequences padded to one length.
type Input struct {
	// IDs holds one row of token ids per sequence, all of the same length.
	IDs [][]int
	// TypeIDs holds the token type (segment) ids; nil means all zeros.
	TypeIDs [][]int
	// AttentionMask holds 1 for tokens to attend to and 0 for padding; nil
	// means all ones.
	AttentionMask [][]int
}

// Batch returns the number of sequences and their common length.
func (in *Input) Batch() (batch, seqLen int) {
	if len(in.IDs) == 0 {
		return 0, 0
	}
	return len(in.IDs), len(in.IDs[0])
}

// check validates the input against the model's config.
func (in *Input) check(c *Config) error {
	b, n := in.Batch()
	if b == 0 || n == 0 {
		return fmt.Errorf("%w: empty batch", ErrInput)
	}
	if n > c.MaxPositionEmbeddings {
		return fmt.Errorf("%w: sequence of %d tokens, longer than max_position_embeddings %d", ErrInput, n, c.MaxPositionEmbeddings)
	}
	rows := []struct {
		what  string
		rows  [][]int
		limit int
	}{{"input id", in.IDs, c.VocabSize}, {"token type id", in.TypeIDs, c.TypeVocabSize}, {"attention mask value", in.AttentionMask, 2}}
	for _, r := range rows {
		if r.rows == nil {
			continue
		}
		if len(r.rows) != b {
			return fmt.Errorf("%w: %d rows of %ss for %d sequences", ErrInput, len(r.rows), r.what, b)
		}
		for i, row := range r.rows {
			if len(row) != n {
				return fmt.Errorf("%w: sequence %d has %d %ss, want %d", ErrInput, i, len(row), r.what, n)
			}
			for j, v := range row {
				if v < 0 || v >= r.limit {
					return fmt.Errorf("%w: %s %d at sequence %d position %d is outside [0, %d)", ErrInput, r.what, v, i, j, r.limit)
				}
			}
		}
	}
	return nil
}
