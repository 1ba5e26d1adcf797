package convert

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/hfgo/hfgo/safetensors"
)

// fixtures is the reference fixture folder (testdata/fixtures/README.md).
const fixtures = "../testdata/fixtures"

var torchDTypes = map[string]string{
	"float64": "F64", "float32": "F32", "float16": "F16", "bfloat16": "BF16",
	"int64": "I64", "int32": "I32", "int16": "I16", "int8": "I8", "uint8": "U8", "bool": "BOOL",
}

// manifestTensor is a tensor entry of a formats manifest or edge_cases.json.
type manifestTensor struct {
	DType         string  `json:"dtype"`
	Shape         []int   `json:"shape"`
	Stride        []int64 `json:"stride"`
	StorageOffset int64   `json:"storage_offset"`
	StorageNumel  int64   `json:"storage_numel"`
	Contiguous    bool    `json:"contiguous"`
	Values        []any   `json:"values"`
	RawLEHex      string  `json:"raw_le_hex"`
}

type manifestFile struct {
	Format        string                    `json:"format"`
	SHA256        string                    `json:"sha256"`
	ZipEntries    []string                  `json:"zip_entries"`
	Tensors       map[string]manifestTensor `json:"tensors"`
	SharedStorage [][]string                `json:"shared_storage_groups"`
	Metadata      map[string]string         `json:"metadata"`
	Pickle        struct {
		Globals []string `json:"globals"`
	} `json:"pickle"`
}

type formatsManifest struct {
	MaxShardSize string                  `json:"max_shard_size"`
	Files        map[string]manifestFile `json:"files"`
}

type edgeCases struct {
	Tensors       map[string]manifestTensor `json:"tensors"`
	SharedStorage [][]string                `json:"shared_storage_groups"`
	ZipEntries    []string                  `json:"zip_entries"`
	Pickle        map[string]struct {
		Globals []string `json:"globals"`
	} `json:"pickle"`
}

func readJSON(t testing.TB, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func formats(t testing.TB, model string) formatsManifest {
	var m formatsManifest
	readJSON(t, filepath.Join(fixtures, "formats", model, "manifest.json"), &m)
	return m
}

// openST opens a safetensors fixture, closed with the test.
func openST(t testing.TB, path string) *safetensors.File {
	t.Helper()
	f, err := safetensors.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// openSD opens a PyTorch file, closed with the test.
func openSD(t testing.TB, path string) *StateDict {
	t.Helper()
	sd, err := OpenPyTorch(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sd.Close() })
	return sd
}

// readFile reads a file or fails the test.
func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mustBytes returns a tensor's bytes or fails the test.
func mustBytes(t testing.TB, x *Tensor) []byte {
	t.Helper()
	b, err := x.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}
