package bert

import (
	"context"
	"errors"
	"testing"
)

// TestClosed checks that a closed model refuses to run, rather than read
// the unmapped checkpoint, and that Close is harmless twice.
func TestClosed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m, err := LoadModel(ctx, "../../testdata/fixtures/bert")
	if err != nil {
		t.Fatal(err)
	}
	in := Input{IDs: [][]int{{101, 7592, 2088, 102}}}
	out, err := m.Forward(ctx, in, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := m.Forward(ctx, in, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Forward after Close: %v, want ErrClosed", err)
	}
	if _, err := m.MLMLogits(out, []int{1}); !errors.Is(err, ErrClosed) {
		t.Errorf("MLMLogits after Close: %v, want ErrClosed", err)
	}
	if _, err := m.NSPLogits(out); !errors.Is(err, ErrClosed) {
		t.Errorf("NSPLogits after Close: %v, want ErrClosed", err)
	}
	if _, err := m.ClassifierLogits(out); !errors.Is(err, ErrClosed) {
		t.Errorf("ClassifierLogits after Close: %v, want ErrClosed", err)
	}
}
