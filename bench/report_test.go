package main

import "testing"

// TestStepsOverRead checks that each round's steps are set against the read
// that followed that round, not another.
func TestStepsOverRead(t *testing.T) {
	r := &row{readMS: []float64{10, 20}}
	for round, step := range []float64{15, 22} {
		// 15 steps below, 15 far above (more so in the second round), two at step: the median.
		for i := range decodeSteps {
			v := step
			switch {
			case i < 15:
				v = step - 5
			case i > 16:
				v = step + float64(round+1)*100
			}
			r.times = append(r.times, v)
		}
	}
	got := stepsOverRead(r)
	want := []float64{15 / 10.0, 22 / 20.0}
	if len(got) != 2 {
		t.Fatalf("got %v, want 2 ratios", got)
	}
	for i := range want {
		if d := got[i] - want[i]; d > 1e-9 || d < -1e-9 {
			t.Errorf("ratio %d = %v, want %v", i, got[i], want[i])
		}
	}
	r.readMS = r.readMS[:1]
	if got := stepsOverRead(r); got != nil {
		t.Errorf("times of 2 rounds, reads of 1: got %v, want nil", got)
	}
}
