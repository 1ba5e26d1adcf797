package convert

import (
	"hash/crc32"
	"runtime"
	"sync"
	"sync/atomic"
)

// crcChunk is the share of a large zip entry that one goroutine checksums.
const crcChunk = 4 << 20

// checksumIEEE returns crc32.ChecksumIEEE(b). A large b is cut into chunks
// checksummed on all cores, whose CRCs are then combined: the check of a
// storage hundreds of megabytes long costs a fraction of a serial pass.
func checksumIEEE(b []byte) uint32 {
	n := (len(b) + crcChunk - 1) / crcChunk
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers < 2 {
		return crc32.ChecksumIEEE(b)
	}
	sums := make([]uint32, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				lo := i * crcChunk
				sums[i] = crc32.ChecksumIEEE(b[lo:min(lo+crcChunk, len(b))])
			}
		})
	}
	wg.Wait()
	shift := x2nModP(crcChunk)
	crc := sums[0]
	for i := 1; i < n-1; i++ {
		crc = mulModP(shift, crc) ^ sums[i]
	}
	return crcCombine(crc, sums[n-1], int64(len(b)-(n-1)*crcChunk))
}

// crcCombine returns the CRC-32 (IEEE) of A followed by B from the CRC-32
// of A, that of B and the length of B, as zlib's crc32_combine does.
func crcCombine(crcA, crcB uint32, lenB int64) uint32 {
	return mulModP(x2nModP(lenB), crcA) ^ crcB
}

// crcPoly is the IEEE polynomial, bit-reversed, as hash/crc32 uses it.
const crcPoly = 0xedb88320

// mulModP multiplies a and b modulo the CRC polynomial (bit-reversed
// polynomials: 1<<31 is x^0).
func mulModP(a, b uint32) uint32 {
	var p uint32
	for m := uint32(1) << 31; m != 0; m >>= 1 {
		if a&m != 0 {
			p ^= b
		}
		if b&1 != 0 {
			b = b>>1 ^ crcPoly
		} else {
			b >>= 1
		}
	}
	return p
}

// x2nModP returns x^(8n) modulo the CRC polynomial: the factor that moves
// a CRC past n zero bytes.
func x2nModP(n int64) uint32 {
	p := uint32(1) << 31  // x^0
	sq := uint32(1) << 23 // x^8: one byte
	for ; n > 0; n >>= 1 {
		if n&1 != 0 {
			p = mulModP(sq, p)
		}
		sq = mulModP(sq, sq)
	}
	return p
}
