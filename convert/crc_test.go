package convert

import (
	"hash/crc32"
	"math/rand/v2"
	"testing"
)

// TestChecksumIEEE checks the chunked, combined CRC-32 against hash/crc32
// over one pass, for lengths around the chunk boundaries, and
// crcCombine for arbitrary splits.
func TestChecksumIEEE(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 3*crcChunk+17)
	for i := range buf {
		buf[i] = byte(rng.Uint32())
	}
	for _, n := range []int{0, 1, crcChunk - 1, crcChunk, crcChunk + 1, 2 * crcChunk, len(buf)} {
		if got, want := checksumIEEE(buf[:n]), crc32.ChecksumIEEE(buf[:n]); got != want {
			t.Errorf("checksumIEEE of %d bytes = %08x, want %08x", n, got, want)
		}
	}
	for range 100 {
		n := rng.IntN(1 << 12)
		cut := rng.IntN(n + 1)
		a, b := buf[:cut], buf[cut:n]
		got := crcCombine(crc32.ChecksumIEEE(a), crc32.ChecksumIEEE(b), int64(len(b)))
		if want := crc32.ChecksumIEEE(buf[:n]); got != want {
			t.Fatalf("crcCombine at %d of %d = %08x, want %08x", cut, n, got, want)
		}
	}
}

// BenchmarkChecksum compares the CRC-32 of a 64 MiB storage in one pass
// and on all cores.
func BenchmarkChecksum(b *testing.B) {
	buf := make([]byte, 64<<20)
	for i := range buf {
		buf[i] = byte(i * 7)
	}
	for _, c := range []struct {
		name string
		sum  func([]byte) uint32
	}{{"serial", crc32.ChecksumIEEE}, {"chunked", checksumIEEE}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(buf)))
			for b.Loop() {
				c.sum(buf)
			}
		})
	}
}
