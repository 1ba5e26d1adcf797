package verify

import (
	"errors"
	"math"
)

// columns reads the vocabulary columns of the *_sel tensors (mlm_logits_cols,
// logits_cols), or nil when the reference has none.
func columns(exp *expected, name string) []int64 {
	t, err := exp.get(name)
	if err != nil || !t.isInt {
		return nil
	}
	return t.i
}

// summarize stores logits (rows of v values, shaped lead + [v]) under
// prefix.field, and what references keep of them when not whole: the
// columns cols (field_sel), and over the whole vocabulary the argmax, max
// and logsumexp.
func summarize(res *results, prefix, field string, logits []float32, lead []int, v int, cols []int64) {
	base := prefix + "." + field
	rows := len(logits) / max(v, 1)
	res.put(base, floats(logits, append(append([]int{}, lead...), v)...))
	argmax := make([]int64, rows)
	mx := make([]float32, rows)
	lse := make([]float32, rows)
	for r := range rows {
		argmax[r], mx[r], lse[r] = rowStats(logits[r*v : (r+1)*v])
	}
	res.put(base+"_argmax", ints(argmax, lead...))
	res.put(base+"_max", floats(mx, lead...))
	res.put(base+"_logsumexp", floats(lse, lead...))
	if cols == nil {
		res.cannot(errors.New("the reference has no *_cols tensor naming the selected columns"), base+"_sel")
		return
	}
	sel := make([]float32, 0, rows*len(cols))
	for r := range rows {
		row := logits[r*v : (r+1)*v]
		for _, c := range cols {
			if c < 0 || int(c) >= v {
				res.cannot(errors.New("a selected column is outside the vocabulary"), base+"_sel")
				return
			}
			sel = append(sel, row[c])
		}
	}
	res.put(base+"_sel", floats(sel, append(append([]int{}, lead...), len(cols))...))
}

// rowStats returns the first index of the largest value, that value, and
// the logsumexp of the row (computed in float64).
func rowStats(row []float32) (int64, float32, float32) {
	if len(row) == 0 {
		return 0, float32(math.Inf(-1)), float32(math.Inf(-1))
	}
	best := 0
	for j, x := range row {
		if x > row[best] {
			best = j
		}
	}
	m := float64(row[best])
	var s float64
	for _, x := range row {
		s += math.Exp(float64(x) - m)
	}
	return int64(best), row[best], float32(m + math.Log(s))
}
