package hub

import (
	"errors"
	"time"
)

// By default a large file starts as one stream, as curl and huggingface_hub
// fetch it: on a fast link (loopback, a LAN mirror) one stream is as fast as
// the client can hash and write, and parallel parts only add work (more
// connections, and hashing parts that land out of order means reading them
// back from the file). When the stream proves slow, as on a CDN that limits
// each connection, the rest of the file is fetched in parallel parts.
const (
	// defaultProbeTime is how long a stream runs before its rate is judged.
	defaultProbeTime = 250 * time.Millisecond
	// defaultFastStream is the rate, in bytes per second, from which a
	// stream is kept whatever happens: more connections would not pay.
	defaultFastStream = 200e6
	// starvedShare is the share of the probe time the reading may have
	// waited for the writing and hashing, above which the client, not the
	// network, is what limits the rate, and parts would not help.
	starvedShare = 0.25
)

// errSlowStream stops a stream that is to give way to parallel parts.
var errSlowStream = errors.New("hub: one stream is slower than parallel parts would be")

// hashedPrefix is the contiguous start of a file, n bytes written to the
// partial and fed to h, that a parallel download takes over.
type hashedPrefix struct {
	h *contentHash
	n int64
}

// probe judges a stream's rate once, probeTime after its response arrived.
type probe struct {
	after   time.Duration
	fast    float64 // bytes per second
	start   time.Time
	from    int64
	decided bool
}

func (c *Client) newProbe() *probe {
	return &probe{after: c.probeTime, fast: c.fastStream}
}

// mayAddParts reports whether d starts as one stream that may give way to
// parallel parts: the default for large files with a sha256 ETag.
func (c *Client) mayAddParts(d *blobDownload) bool {
	return !c.forceParts && c.partsFit(d)
}

// arm starts timing a new response whose body starts at byte have.
func (p *probe) arm(have int64) {
	if p == nil {
		return
	}
	p.start, p.from, p.decided = time.Now(), have, false
}

// slow reports, once, when the probe time has passed, whether the stream
// should give way to parts: its rate is below p.fast, the network rather
// than the client holds it up (rd was seldom starved), and what is left
// would take more than a second at that rate.
func (p *probe) slow(have, size int64, rd *reader) bool {
	if p == nil || p.decided {
		return false
	}
	elapsed := time.Since(p.start)
	if elapsed < p.after {
		return false
	}
	p.decided = true
	rate := float64(have-p.from) / elapsed.Seconds()
	starved := float64(rd.starved.Load()) / float64(elapsed)
	return rate < p.fast && starved < starvedShare && float64(size-have) > rate
}
