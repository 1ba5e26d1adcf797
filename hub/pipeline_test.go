package hub

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
	"time"
)

// dripReader gives one byte per read, waiting d before each.
type dripReader struct{ d time.Duration }

func (r dripReader) Read(p []byte) (int, error) {
	time.Sleep(r.d)
	p[0] = 'x'
	return 1, nil
}

func TestReadBlock(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	for _, tc := range []struct {
		name             string
		r                io.Reader
		size             int
		wantMin, wantMax int
		wantErr          error
	}{
		{"fills the buffer", iotest.HalfReader(bytes.NewReader(make([]byte, 100))), 64, 64, 64, nil},
		{"ends inside", iotest.OneByteReader(bytes.NewReader(make([]byte, 10))), 64, 10, 10, io.ErrUnexpectedEOF},
		{"ends before", bytes.NewReader(nil), 64, 0, 0, io.EOF},
		{"fails", io.MultiReader(bytes.NewReader(make([]byte, 5)), iotest.ErrReader(boom)), 64, 5, 5, boom},
		// 1 byte every 20 ms: passed on after 50 ms, far from full.
		{"slow", dripReader{20 * time.Millisecond}, 1 << 20, 2, 20, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			n, err := readBlock(tc.r, make([]byte, tc.size), 50*time.Millisecond)
			if n < tc.wantMin || n > tc.wantMax || !errors.Is(err, tc.wantErr) {
				t.Errorf("readBlock = %d, %v; want %d..%d bytes, %v", n, err, tc.wantMin, tc.wantMax, tc.wantErr)
			}
		})
	}
}
