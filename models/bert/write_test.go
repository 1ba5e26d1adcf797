package bert

import (
	"testing"

	"github.com/hfgo/hfgo/models/internal/fixture"
	"github.com/hfgo/hfgo/models/internal/weights"
)

// writeCheckpoint writes c as config.json and sd as model.safetensors (F32)
// into dir, as save_pretrained would.
func writeCheckpoint(tb testing.TB, dir string, c *Config, sd weights.Memory) {
	tb.Helper()
	if err := fixture.WriteCheckpoint(dir, c, sd); err != nil {
		tb.Fatal(err)
	}
}
