package convert

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"
)

// TestOpen opens every weight format, by folder and by file, and checks
// format, tensor names and values against model.safetensors.
func TestOpen(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path, format, dtype string
		tied                bool // .bin files keep the tied duplicates
	}{
		{"", FormatSafetensors, "F32", false},
		{"model.safetensors", FormatSafetensors, "F32", false},
		{"sharded_safetensors", FormatSafetensorsSharded, "F32", false},
		{"sharded_safetensors/model.safetensors.index.json", FormatSafetensorsSharded, "F32", false},
		{"pytorch_model.bin", FormatPyTorch, "F32", true},
		{"pytorch_model_legacy.bin", FormatPyTorchLegacy, "F32", true},
		{"sharded_bin", FormatPyTorchSharded, "F32", true},
		{"sharded_bin/pytorch_model.bin.index.json", FormatPyTorchSharded, "F32", true},
		{"fp16", FormatSafetensors, "F16", false},
		{"bf16", FormatSafetensors, "BF16", false},
	}
	for _, model := range []string{"bert", "gpt2"} {
		dir := filepath.Join(fixtures, "formats", model)
		m := formats(t, model)
		ref, err := Open(filepath.Join(dir, "model.safetensors"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ref.Close() })
		for _, tt := range tests {
			t.Run(model+"/"+tt.path, func(t *testing.T) {
				t.Parallel()
				c, err := Open(filepath.Join(dir, tt.path))
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				if c.Format() != tt.format {
					t.Errorf("Format() = %q, want %q", c.Format(), tt.format)
				}
				want := m.Files["model.safetensors"].Tensors
				if tt.tied {
					want = m.Files["pytorch_model.bin"].Tensors
				}
				names := c.Names()
				if len(names) != len(want) {
					t.Errorf("%d tensors, want %d", len(names), len(want))
				}
				for _, n := range names {
					checkAgainst(t, c, ref, refName(ref, m, n), n, tt.dtype)
				}
				var wantAliases [][]string
				if tt.tied {
					wantAliases = m.Files["pytorch_model.bin"].SharedStorage
				}
				if diff := cmp.Diff(sortedGroups(wantAliases), sortedGroups(c.Aliases())); diff != "" {
					t.Errorf("Aliases (-want +got):\n%s", diff)
				}
				if md := c.Metadata(); tt.format != FormatPyTorch && tt.format != FormatPyTorchLegacy && tt.format != FormatPyTorchSharded && md["format"] != "pt" {
					t.Errorf("Metadata() = %v, want format pt", md)
				}
			})
		}
	}
}

// sortedGroups sorts each group and the groups, for comparison.
func sortedGroups(groups [][]string) [][]string {
	var out [][]string
	for _, g := range groups {
		out = append(out, slices.Sorted(slices.Values(g)))
	}
	slices.SortFunc(out, slices.Compare)
	return out
}

// refName returns the name under which model.safetensors holds tensor n:
// n itself, or for a tied duplicate that save_pretrained dropped, the
// member of its shared-storage group (from the manifest) that it kept.
func refName(ref *Checkpoint, m formatsManifest, n string) string {
	if _, ok := ref.Info(n); ok {
		return n
	}
	for _, g := range m.Files["pytorch_model.bin"].SharedStorage {
		if slices.Contains(g, n) {
			for _, other := range g {
				if _, ok := ref.Info(other); ok {
					return other
				}
			}
		}
	}
	return n
}

// checkAgainst compares tensor n of c with the float32 reference refName:
// equal for F32, the reference rounded for F16 and BF16.
func checkAgainst(t *testing.T, c, ref *Checkpoint, refName, n, dtype string) {
	t.Helper()
	info, ok := c.Info(n)
	if !ok || info.DType != dtype {
		t.Fatalf("Info(%s) = %+v, %v; want dtype %s", n, info, ok, dtype)
	}
	got, shape, err := c.Float32(n)
	if err != nil {
		t.Fatal(err)
	}
	want, wshape, err := ref.Float32(refName)
	if err != nil {
		t.Fatalf("%s: %v", n, err)
	}
	if !slices.Equal(shape, wshape) || !slices.Equal(info.Shape, wshape) || len(got) != len(want) {
		t.Fatalf("%s: shape %v, want %v", n, shape, wshape)
	}
	if info.Size != int64(len(want)*DTypeSize(dtype)) {
		t.Errorf("%s: Size %d, want %d", n, info.Size, len(want)*DTypeSize(dtype))
	}
	for i := range want {
		w := want[i]
		switch dtype {
		case "F16":
			w = mustDecode(t, "F16", f16FromFloat32(w))
		case "BF16":
			w = mustDecode(t, "BF16", bf16FromFloat32(w))
		}
		if got[i] != w {
			t.Fatalf("%s[%d] = %v, want %v", n, i, got[i], w)
		}
	}
}

// mustDecode decodes one 16-bit float.
func mustDecode(t *testing.T, dtype string, bits uint16) float32 {
	v, err := decodeFloat32(dtypeByName[dtype], []byte{byte(bits), byte(bits >> 8)})
	if err != nil {
		t.Fatal(err)
	}
	return v[0]
}

// TestZeroCopy checks that float32 tensors come straight from the file's
// mapping for safetensors and for zip PyTorch files, and are copied for a
// strided view.
func TestZeroCopy(t *testing.T) {
	t.Parallel()
	for _, f := range []string{"formats/bert/model.safetensors", "formats/bert/pytorch_model.bin", "pickle_edge/edge_cases.bin"} {
		c, err := Open(filepath.Join(fixtures, f))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		for _, n := range c.Names() {
			info, _ := c.Info(n)
			if info.DType != "F32" || info.Size == 0 {
				continue
			}
			b, err := c.Bytes(n)
			if err != nil {
				t.Fatal(err)
			}
			v, _, err := c.Float32(n)
			if err != nil {
				t.Fatal(err)
			}
			shared := unsafe.Pointer(&v[0]) == unsafe.Pointer(&b[0])
			strided := n == "transposed" || n == "col_stride2"
			if shared == strided {
				t.Errorf("%s %s: Float32 shares the file's memory: %v", f, n, shared)
			}
		}
	}
}

// TestOpenErrors checks the errors for folders and indexes that do not
// make a checkpoint.
func TestOpenErrors(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(fixtures, "formats", "bert", "sharded_bin")
	shard := readFile(t, filepath.Join(bin, "pytorch_model-00001-of-00003.bin"))
	shard2 := readFile(t, filepath.Join(bin, "pytorch_model-00002-of-00003.bin"))
	tests := []struct {
		name  string
		files map[string]string
		open  string // relative to the folder
		want  error
		msg   string
	}{
		{"empty folder", nil, "", ErrNotFound, "no model.safetensors"},
		{"missing shard", map[string]string{"pytorch_model.bin.index.json": `{"weight_map": {"a": "pytorch_model-00001-of-00002.bin"}}`},
			"", os.ErrNotExist, "pytorch_model-00001-of-00002.bin"},
		{"escaping shard", map[string]string{"x.bin.index.json": `{"weight_map": {"a": "../x.bin"}}`},
			"x.bin.index.json", ErrFormat, `"../x.bin"`},
		{"tensor not in shard", map[string]string{"pytorch_model.bin.index.json": `{"weight_map": {"nope": "s.bin"}}`, "s.bin": string(shard)},
			"", ErrFormat, `tensor "nope"`},
		{"tensor in a namesake shard", map[string]string{"pytorch_model.bin.index.json": `{"weight_map": {
			"bert.embeddings.word_embeddings.weight": "a/s.bin", "bert.embeddings.LayerNorm.bias": "b/s.bin",
			"cls.predictions.decoder.weight": "b/s.bin"}}`, "a/s.bin": string(shard), "b/s.bin": string(shard2)},
			"", ErrFormat, `tensor "cls.predictions.decoder.weight": malformed checkpoint: index says b/s.bin holds it`},
		{"bad index", map[string]string{"pytorch_model.bin.index.json": `{"weight_map": `}, "", ErrFormat, "index JSON"},
		{"not a checkpoint", map[string]string{"pytorch_model.bin": "hello"}, "", ErrFormat, "not a PyTorch checkpoint"},
		{"Git LFS pointer", map[string]string{"pytorch_model.bin": "version https://git-lfs.github.com/spec/v1\noid sha256:" +
			strings.Repeat("0", 64) + "\nsize 440473133\n"}, "", ErrFormat, "Git LFS pointer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for n, body := range tt.files {
				if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, n)), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, n), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			c, err := Open(filepath.Join(dir, tt.open))
			if err == nil {
				c.Close()
				t.Fatal("Open succeeded")
			}
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q, want %v containing %q", err, tt.want, tt.msg)
			}
		})
	}
}

// TestWeightsSource checks that *Checkpoint has the methods of
// models/internal/weights.Source, the interface the models load from. The
// internal package cannot be imported from here, so its declaration is
// read from the source file.
func TestWeightsSource(t *testing.T) {
	t.Parallel()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "../models/internal/weights/weights.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var iface *ast.InterfaceType
	ast.Inspect(f, func(n ast.Node) bool {
		if ts, ok := n.(*ast.TypeSpec); ok && ts.Name.Name == "Source" {
			iface, _ = ts.Type.(*ast.InterfaceType)
		}
		return iface == nil
	})
	if iface == nil || len(iface.Methods.List) == 0 {
		t.Fatal("no weights.Source interface")
	}
	typ := reflect.TypeOf((*Checkpoint)(nil))
	for _, m := range iface.Methods.List {
		name := m.Names[0].Name
		method, ok := typ.MethodByName(name)
		if !ok {
			t.Errorf("*Checkpoint lacks %s", name)
			continue
		}
		ft := m.Type.(*ast.FuncType)
		want := fieldTypes(t, fset, ft.Params) + " -> " + fieldTypes(t, fset, ft.Results)
		var in, out []string
		for i := 1; i < method.Type.NumIn(); i++ {
			in = append(in, method.Type.In(i).String())
		}
		for i := 0; i < method.Type.NumOut(); i++ {
			out = append(out, method.Type.Out(i).String())
		}
		if got := strings.Join(in, ", ") + " -> " + strings.Join(out, ", "); got != want {
			t.Errorf("%s: (%s), weights.Source wants (%s)", name, got, want)
		}
	}
}

// fieldTypes prints the types of a parameter list, one per parameter.
func fieldTypes(t *testing.T, fset *token.FileSet, fl *ast.FieldList) string {
	if fl == nil {
		return ""
	}
	var out []string
	for _, f := range fl.List {
		var sb strings.Builder
		if err := printer.Fprint(&sb, fset, f.Type); err != nil {
			t.Fatal(err)
		}
		for range max(1, len(f.Names)) {
			out = append(out, sb.String())
		}
	}
	return strings.Join(out, ", ")
}

// TestConcurrentReads reads every tensor from several goroutines at once
// (run with -race): the first reads check CRCs while others wait.
func TestConcurrentReads(t *testing.T) {
	t.Parallel()
	c, err := Open(filepath.Join(fixtures, "formats", "bert", "pytorch_model.bin"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			for _, n := range c.Names() {
				if _, _, err := c.Float32(n); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestRelease checks that Release leaves every tensor readable with the same
// values, in a safetensors file and in a PyTorch one, and names a missing
// tensor.
func TestRelease(t *testing.T) {
	t.Parallel()
	for _, f := range []string{"formats/bert/model.safetensors", "formats/bert/pytorch_model.bin"} {
		c, err := Open(filepath.Join(fixtures, f))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		for _, n := range c.Names() {
			before, _, err := c.Float32(n)
			if err != nil {
				t.Fatal(err)
			}
			want := slices.Clone(before)
			if err := c.Release(n); err != nil {
				t.Fatalf("%s: Release(%s): %v", f, n, err)
			}
			if !slices.Equal(before, want) {
				t.Errorf("%s: %s changed after Release", f, n)
			}
		}
		if err := c.Release("absent"); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: Release of a missing tensor: %v, want ErrNotFound", f, err)
		}
	}
}
