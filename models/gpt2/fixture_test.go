package gpt2

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/hfgo/hfgo/models/internal/fixture"
)

// fixtures is the reference output of transformers 4.40 (see its README.md).
var fixtures = fixture.Dir

// fixtureManifest is the part of gpt2/manifest.json the tests read.
type fixtureManifest struct {
	FullLogitsFor []string `json:"full_logits_for"`
	Inputs        []struct {
		Name         string `json:"name"`
		Text         string `json:"text"`
		InputIDs     []int  `json:"input_ids"`
		GeneratedIDs []int  `json:"generated_ids"`
	} `json:"inputs"`
}

func readManifest(t testing.TB) fixtureManifest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtures, "gpt2", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m fixtureManifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}
