package verify

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCompare(t *testing.T) {
	t.Parallel()
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	for _, tc := range []struct {
		name      string
		got, want []float32
		shape     []int
		tol       Tolerance
		status    Status
		maxAbs    float64
		detail    string
	}{
		{"equal", []float32{1, 2}, []float32{1, 2}, []int{2}, DefaultTolerance, Pass, 0, ""},
		{"inside atol", []float32{0.00009}, []float32{0}, []int{1}, DefaultTolerance, Pass, float64(float32(0.00009)), ""},
		{"rtol scales", []float32{1000.1}, []float32{1000}, []int{1}, DefaultTolerance, Pass, float64(float32(1000.1)) - 1000, ""},
		{"outside", []float32{0, 0.5, 0.002}, []float32{0, 0.5, 0}, []int{1, 3}, DefaultTolerance, Fail, float64(float32(0.002)), "1 of 3 values out of tolerance; first at [0 2]: got 0.0020000000949949026, want 0"},
		{"exact", []float32{1 + 1e-7}, []float32{1}, []int{1}, Exact, Fail, float64(float32(1+1e-7)) - 1, ""},
		{"nan matches nan", []float32{nan}, []float32{nan}, []int{1}, Exact, Pass, 0, ""},
		{"nan fails", []float32{nan}, []float32{1}, []int{1}, DefaultTolerance, Fail, math.NaN(), ""},
		{"inf matches inf", []float32{inf}, []float32{inf}, []int{1}, Exact, Pass, 0, ""},
		{"inf fails -inf", []float32{inf}, []float32{-inf}, []int{1}, DefaultTolerance, Fail, math.Inf(1), ""},
		{"length", []float32{1}, []float32{1, 2}, []int{2}, DefaultTolerance, Fail, math.NaN(), "hfgo gives 1 values, the reference 2 for shape [2]"},
		{"empty", nil, nil, []int{0, 4}, Exact, Pass, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := Compare("x", tc.got, tc.want, tc.shape, tc.tol)
			if r.Status != tc.status {
				t.Errorf("status %q, want %q (%s)", r.Status, tc.status, r.Detail)
			}
			if !(r.MaxAbs == tc.maxAbs || math.IsNaN(r.MaxAbs) && math.IsNaN(tc.maxAbs)) {
				t.Errorf("max abs %g, want %g", r.MaxAbs, tc.maxAbs)
			}
			if tc.detail != "" && r.Detail != tc.detail {
				t.Errorf("detail %q, want %q", r.Detail, tc.detail)
			}
		})
	}
}

func TestCompareInts(t *testing.T) {
	t.Parallel()
	if r := CompareInts("ids", []int64{101, 7592, 102}, []int64{101, 7592, 102}, []int{1, 3}); r.Status != Pass || r.MaxAbs != 0 {
		t.Errorf("equal ids: %+v", r)
	}
	r := CompareInts("ids", []int64{101, 7593, 102}, []int64{101, 7592, 102}, []int{1, 3})
	if r.Status != Fail || r.MaxAbs != 1 || r.Detail != "1 of 3 values out of tolerance; first at [0 1]: got 7593, want 7592" {
		t.Errorf("changed id: %+v", r)
	}
}

func TestRowJSON(t *testing.T) {
	t.Parallel()
	rows := []Row{
		Compare("a", []float32{1.5}, []float32{1}, []int{1}, DefaultTolerance),
		failRow("b", nil, "no such head"),
		{Name: "c", Shape: []int{1}, MaxAbs: math.Inf(1), MaxRel: math.NaN(), Status: Fail},
	}
	b, err := json.Marshal(rows)
	if err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want := []map[string]any{
		{"name": "a", "shape": []any{1.0}, "max_abs": 0.5, "max_rel": 0.5, "status": "fail", "detail": rows[0].Detail},
		{"name": "b", "shape": []any{}, "status": "fail", "detail": "no such head"},
		{"name": "c", "shape": []any{1.0}, "max_abs": "+Inf", "status": "fail"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("JSON (-want +got):\n%s", diff)
	}
}

func TestReportOK(t *testing.T) {
	t.Parallel()
	pass := Row{Name: "p", Status: Pass}
	for _, tc := range []struct {
		name string
		rows []Row
		ok   bool
	}{
		{"empty", nil, false},
		{"inputs only", []Row{{Status: Input}}, false},
		{"pass", []Row{pass, {Status: Input}}, true},
		{"known", []Row{pass, {Status: Known}}, true},
		{"fail", []Row{pass, {Status: Fail}}, false},
	} {
		r := &Report{Rows: tc.rows}
		if r.OK() != tc.ok {
			t.Errorf("%s: OK() = %v, want %v", tc.name, r.OK(), tc.ok)
		}
	}
}

func TestCleanUpTokenization(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"don ' t stop , ok ?":  "don't stop, ok?",
		"it ' s here .":        "it's here.",
		"we 're ok and i 'm !": "we're ok and i'm!",
		"ca n't":               "can't",
	} {
		if got := cleanUpTokenization(in); got != want {
			t.Errorf("cleanUpTokenization(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRoundTo(t *testing.T) {
	t.Parallel()
	// 1 + 2^-8 is halfway between two bf16 values: ties go to even (1).
	// 1 + 3·2^-8 goes up to 1 + 2^-6.
	for _, tc := range []struct {
		precision string
		in, want  float32
	}{
		{"bf16", 1 + 1.0/256, 1},
		{"bf16", 1 + 3.0/256, 1 + 1.0/64},
		{"bf16", -2.5, -2.5},
		{"fp16", 1 + 1.0/4096, 1},
		{"fp16", 65504, 65504},
	} {
		if got := roundTo(tc.precision, tc.in); got != tc.want {
			t.Errorf("roundTo(%s, %v) = %v, want %v", tc.precision, tc.in, got, tc.want)
		}
	}
}
