package weights

import "testing"

func TestArena(t *testing.T) {
	t.Parallel()
	a := &Arena{}
	if got := a.Float32s(0); len(got) != 0 {
		t.Errorf("Float32s(0) has %d values", len(got))
	}
	x, y := a.Float32s(1000), a.Float32s(3)
	for i := range x {
		if x[i] != 0 {
			t.Fatalf("x[%d] = %v, want 0", i, x[i])
		}
		x[i] = float32(i)
	}
	copy(y, []float32{7, 8, 9})
	if x[999] != 999 || y[2] != 9 {
		t.Errorf("x[999] = %v, y[2] = %v, want 999, 9", x[999], y[2])
	}
	if err := a.Free(); err != nil {
		t.Fatal(err)
	}
	if err := a.Free(); err != nil {
		t.Errorf("second Free: %v", err)
	}
	defer func() {
		if recover() == nil {
			t.Error("Float32s on a freed arena did not panic")
		}
	}()
	a.Float32s(1)
}
