package safetensors

import (
	"encoding/binary"
	"encoding/json"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testdataDir is the project's testdata folder, which holds the fixtures.
const testdataDir = "../testdata"

var fixturesDir = filepath.Join(testdataDir, "fixtures")

// safetensorsFiles returns every .safetensors file under root.
func safetensorsFiles(tb testing.TB, root string) []string {
	tb.Helper()
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".safetensors") {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	if len(files) == 0 {
		tb.Fatalf("no .safetensors files under %s", root)
	}
	return files
}

func readFile(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func readJSON(tb testing.TB, path string, v any) {
	tb.Helper()
	if err := json.Unmarshal(readFile(tb, path), v); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
}

// rawFile assembles a safetensors file from a header and a data section,
// with the header length written as it is (no padding).
func rawFile(header string, data []byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	b = append(b, header...)
	return append(b, data...)
}

// f32Bytes returns the little-endian bytes of vs.
func f32Bytes(vs ...float32) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	return b
}

// refHalf decodes IEEE 754 half-precision bits from the definition,
// independently of the float16 package.
func refHalf(h uint16) float32 {
	sign, exp, man := h>>15, int(h>>10&0x1f), float64(h&0x3ff)
	var x float64
	switch exp {
	case 0:
		x = math.Ldexp(man, -24)
	case 31:
		if man != 0 {
			return float32(math.NaN())
		}
		x = math.Inf(1)
	default:
		x = math.Ldexp(1024+man, exp-25)
	}
	if sign == 1 {
		x = -x
	}
	return float32(x)
}

// sameFloat reports whether a and b are the same value, NaNs being equal.
func sameFloat(a, b float32) bool {
	if a != a || b != b {
		return a != a && b != b
	}
	return math.Float32bits(a) == math.Float32bits(b)
}
