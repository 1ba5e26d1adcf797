package convert

import (
	"path/filepath"
	"sync"
	"testing"
)

// TestStateDictCloseConcurrent closes one state dict from several
// goroutines at once and once more after: every call returns nil, and with
// -race the detector sees the calls agree on who unmaps the file.
func TestStateDictCloseConcurrent(t *testing.T) {
	sd, err := OpenPyTorch(filepath.Join(fixtures, "formats", "bert", "pytorch_model.bin"))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = sd.Close()
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Close #%d: %v", i, err)
		}
	}
	if err := sd.Close(); err != nil {
		t.Errorf("Close after the others: %v", err)
	}
}
