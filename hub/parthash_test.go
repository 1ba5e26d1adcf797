package hub

import (
	"math"
	"testing"
)

func TestHeldBlocks(t *testing.T) {
	t.Parallel()
	hb := newHeldBlocks(3)
	hb.hashAt.Store(100)
	blk := func(n int) []byte { return make([]byte, n) }
	for _, tc := range []struct {
		name  string
		chunk int
		off   int64
		n     int
		kept  bool
	}{
		{"already hashed", 0, 0, 100, false},
		{"straddles the hashing", 0, 50, 100, true},
		{"next in the chunk", 0, 150, 50, true},
		{"later chunk, in the window", 1, 1000, 10, true},
		{"beyond the window", 2, 100 + heldWindow, 10, false},
	} {
		if got := hb.keep(tc.chunk, tc.off, blk(tc.n)); got != tc.kept {
			t.Errorf("%s: keep = %t, want %t", tc.name, got, tc.kept)
		}
	}
	if hb.bytes != 160 {
		t.Errorf("%d bytes held, want 160", hb.bytes)
	}

	// The block straddling byte 120 is given; the next one is announced.
	got, ok, next := hb.take(0, 120)
	if !ok || got.off != 50 || len(got.b) != 100 || next != math.MaxInt64 {
		t.Fatalf("take(0, 120) = block at %d (%d bytes), %t, next %d", got.off, len(got.b), ok, next)
	}
	hb.release(got.b)
	// Hashed from the file up to 160: the block at 150 is partly useful.
	if got, ok, _ = hb.take(0, 160); !ok || got.off != 150 {
		t.Fatalf("take(0, 160) = block at %d, %t; want the block at 150", got.off, ok)
	}
	hb.release(got.b)
	if _, ok, next = hb.take(1, 500); ok || next != 1000 {
		t.Errorf("take(1, 500) = %t, next %d; want nothing yet, next at 1000", ok, next)
	}
	// Read back past it: the block is dropped.
	if _, ok, next = hb.take(1, 1010); ok || next != math.MaxInt64 || hb.bytes != 0 {
		t.Errorf("take(1, 1010) = %t, next %d, %d bytes held; want the stale block dropped", ok, next, hb.bytes)
	}

	// The window bounds what is held.
	hb.hashAt.Store(0)
	for off := int64(0); off < heldWindow; off += blockSize {
		if !hb.keep(2, off, blk(blockSize)) {
			t.Fatalf("block at %d refused inside the window", off)
		}
	}
	if hb.keep(1, 10, blk(1)) {
		t.Error("a block was kept beyond the held bytes' limit")
	}
	hb.dropBefore(3)
	if hb.bytes != 0 {
		t.Errorf("%d bytes held after dropping every chunk", hb.bytes)
	}
}
