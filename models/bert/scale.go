package bert

import "math"

// attentionScale is 1/√headDim rounded to float32.
func attentionScale(headDim int) float32 {
	return float32(1 / math.Sqrt(float64(headDim)))
}
