package bert

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/hfgo/hfgo/models/internal/weights"
	"github.com/hfgo/hfgo/safetensors"
)

// writeCheckpoint writes c as config.json and sd as model.safetensors (F32)
// into dir, as save_pretrained would.
func writeCheckpoint(tb testing.TB, dir string, c *Config, sd weights.Memory) {
	tb.Helper()
	if err := saveCheckpoint(dir, c, sd); err != nil {
		tb.Fatal(err)
	}
}

func saveCheckpoint(dir string, c *Config, sd weights.Memory) error {
	cj, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), cj, 0o644); err != nil {
		return err
	}
	var ts []safetensors.Tensor
	for _, name := range sd.Names() {
		t := sd[name]
		b := make([]byte, 4*len(t.Data))
		for i, v := range t.Data {
			binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
		}
		ts = append(ts, safetensors.Tensor{Name: name, DType: safetensors.F32, Shape: t.Shape, Data: b})
	}
	return safetensors.WriteFile(filepath.Join(dir, "model.safetensors"), ts, map[string]string{"format": "pt"})
}
