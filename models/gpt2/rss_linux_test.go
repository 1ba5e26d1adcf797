package gpt2

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/hfgo/hfgo/models/internal/fixture"
	"golang.org/x/sys/unix"
)

// TestCheckpointPagesGivenBack loads GPT-2 from a safetensors file and runs
// it: of the file's mapping, only the embeddings it reads in place may stay
// resident. The Conv1D weights are transposed copies and the biases and
// norms plain copies, whose pages are given back, also those that reading a
// small tensor mapped again with the page cache's block around it.
func TestCheckpointPagesGivenBack(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc/self/smaps")
	}
	cfg := DefaultConfig()
	cfg.NEmbd, cfg.NHead, cfg.NLayer, cfg.VocabSize, cfg.NPositions = 768, 12, 3, 1000, 64
	dir := t.TempDir()
	path := filepath.Join(dir, "model.safetensors")
	writeCheckpoint(t, dir, &cfg)
	m, err := LoadModel(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ids := []int{1, 2, 3, 4, 5, 6, 7, 8}
	if _, err := m.Forward(context.Background(), Input{InputIDs: [][]int{ids}}, nil); err != nil {
		t.Fatal(err)
	}
	inPlace := int64(cfg.VocabSize+cfg.NPositions) * int64(cfg.NEmbd) * 4
	// The embeddings' own pages, and at each of their two ends a block of
	// the page cache (at most 2 MiB) that may spill over a neighbour.
	const slack = 4 << 20
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	rss := mappingRSS(t, path)
	t.Logf("resident %d KiB of %d KiB, embeddings %d KiB", rss>>10, st.Size()>>10, inPlace>>10)
	if rss > inPlace+slack {
		t.Errorf("%d KiB of the %d KiB checkpoint resident after a forward pass, want at most the %d KiB of embeddings and %d KiB", rss>>10, st.Size()>>10, inPlace>>10, slack>>10)
	}
}

// writeCheckpoint writes cfg and random float32 weights, dropped from the
// page cache.
func writeCheckpoint(t *testing.T, dir string, cfg *Config) {
	t.Helper()
	if err := fixture.WriteCheckpoint(dir, cfg, randomWeights(cfg, 3)); err != nil {
		t.Fatal(err)
	}
	dropCache(t, filepath.Join(dir, "model.safetensors"))
}

// dropCache writes the file at path to disk and drops it from the page
// cache, so that it is read back as a checkpoint downloaded earlier is:
// by readahead, in large blocks (folios).
func dropCache(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	if err := unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED); err != nil {
		t.Fatal(err)
	}
}

// mappingRSS returns the resident bytes of this process's mappings of the
// file at path.
func mappingRSS(t *testing.T, path string) int64 {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rss int64
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		switch {
		case len(fields) > 0 && strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":"):
			in = len(fields) >= 6 && fields[len(fields)-1] == path
		case in && len(fields) == 3 && fields[0] == "Rss:":
			kb, err := strconv.ParseInt(fields[1], 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			rss += kb << 10
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rss
}
