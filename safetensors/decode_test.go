package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// typedFile writes one file holding a tensor of most dtypes, after a
// one-byte tensor so that none is aligned in the mapping: the typed readers
// must copy them.
func typedFile(t *testing.T) *File {
	t.Helper()
	le := binary.LittleEndian
	var u16, i32, u64, f64, c64 []byte
	for _, v := range []uint16{0, 1, 0xffff} {
		u16 = le.AppendUint16(u16, v)
	}
	for _, v := range []int32{math.MinInt32, -1, math.MaxInt32} {
		i32 = le.AppendUint32(i32, uint32(v))
	}
	for _, v := range []uint64{0, math.MaxInt64, math.MaxUint64} {
		u64 = le.AppendUint64(u64, v)
	}
	for _, v := range []float64{1.5, -1e300, 5e-324} {
		f64 = le.AppendUint64(f64, math.Float64bits(v))
	}
	c64 = append(f32Bytes(1, -2), f32Bytes(3, 4)...)
	tensors := []Tensor{
		{"pad", U8, []int{1}, []byte{9}},
		{"u16", U16, []int{3}, u16},
		{"i32", I32, []int{3}, i32},
		{"u64", U64, []int{3}, u64},
		{"f64", F64, []int{3}, f64},
		{"c64", C64, []int{2}, c64},
		{"i8", I8, []int{2}, []byte{0x80, 0x7f}},
		{"e4m3", F8_E4M3, []int{2}, []byte{0x7e, 0xfe}},
		{"f16", F16, []int{2}, []byte{0x00, 0x3c, 0x00, 0xc0}},
		{"bf16", BF16, []int{1}, []byte{0x80, 0x3f}},
		{"bool", BOOL, []int{3}, []byte{0, 1, 2}},
	}
	// Laid out in this order (Write would put the byte last), every tensor
	// after the first starts at an odd offset.
	var hdr, data []byte
	for _, x := range tensors {
		shape, _ := json.Marshal(x.Shape)
		hdr = fmt.Appendf(hdr, `,%q:{"dtype":%q,"shape":%s,"data_offsets":[%d,%d]}`, x.Name, x.DType, shape, len(data), len(data)+len(x.Data))
		data = append(data, x.Data...)
	}
	hdr[0] = '{'
	hdr = append(hdr, '}')
	path := filepath.Join(t.TempDir(), "typed.safetensors")
	if err := os.WriteFile(path, rawFile(string(hdr)+strings.Repeat(" ", (8-len(hdr)%8)%8), data), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	for _, x := range tensors[1:] {
		if b, _ := f.Bytes(x.Name); uintptr(unsafePointer(b))%2 == 0 {
			t.Fatalf("%s starts at an even address", x.Name)
		}
	}
	return f
}

func TestTypedReaders(t *testing.T) {
	t.Parallel()
	f := typedFile(t)
	check := func(name string, got, want any, err error) {
		t.Helper()
		if err != nil {
			t.Errorf("%s: %v", name, err)
		} else if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
	u16, err := Values[uint16](f, "u16")
	check("Values[uint16]", u16, []uint16{0, 1, 0xffff}, err)
	i32, err := Values[int32](f, "i32")
	check("Values[int32]", i32, []int32{math.MinInt32, -1, math.MaxInt32}, err)
	f64, err := Values[float64](f, "f64")
	check("Values[float64]", f64, []float64{1.5, -1e300, 5e-324}, err)
	c64, err := Values[complex64](f, "c64")
	check("Values[complex64]", c64, []complex64{1 - 2i, 3 + 4i}, err)
	half, err := Values[uint16](f, "f16")
	check("Values[uint16] of F16", half, []uint16{0x3c00, 0xc000}, err)
	e4m3, err := Values[uint8](f, "e4m3")
	check("Values[uint8] of F8_E4M3", e4m3, []uint8{0x7e, 0xfe}, err)

	ints, err := f.Int64("i32")
	check("Int64 of I32", ints, []int64{math.MinInt32, -1, math.MaxInt32}, err)
	ints, err = f.Int64("i8")
	check("Int64 of I8", ints, []int64{-128, 127}, err)
	ints, err = f.Int64("u16")
	check("Int64 of U16", ints, []int64{0, 1, 0xffff}, err)
	ints, err = f.Int64("bool")
	check("Int64 of BOOL", ints, []int64{0, 1, 2}, err)
	bools, err := f.Bool("bool")
	check("Bool", bools, []bool{false, true, true}, err)
	floats, err := f.Float32("f64")
	check("Float32 of F64", floats, []float32{1.5, float32(math.Inf(-1)), 0}, err)
	floats, err = f.Float32("e4m3")
	check("Float32 of F8_E4M3", floats, []float32{448, -448}, err)
	floats, err = f.Float32("f16")
	check("Float32 of F16", floats, []float32{1, -2}, err)
	floats, err = f.Float32("bf16")
	check("Float32 of BF16", floats, []float32{1}, err)

	for _, c := range []struct {
		name string
		read func() error
	}{
		{"Int64 of U64 beyond int64", func() error { _, err := f.Int64("u64"); return err }},
		{"Int64 of F64", func() error { _, err := f.Int64("f64"); return err }},
		{"Bool of U8", func() error { _, err := f.Bool("pad"); return err }},
		{"Float32 of I32", func() error { _, err := f.Float32("i32"); return err }},
		{"Float32 of C64", func() error { _, err := f.Float32("c64"); return err }},
		{"Values[int64] of I32", func() error { _, err := Values[int64](f, "i32"); return err }},
		{"Values[float32] of F16", func() error { _, err := Values[float32](f, "f16"); return err }},
	} {
		err := c.read()
		var e *Error
		if !errors.Is(err, ErrDType) || !errors.As(err, &e) || e.File == "" || e.Tensor == "" {
			t.Errorf("%s: err = %v, want ErrDType naming file and tensor", c.name, err)
		}
	}
	if _, err := f.Float32("absent"); !errors.Is(err, ErrNotFound) {
		t.Errorf("absent tensor: err = %v", err)
	}
}

// TestFloat8Tables checks the 8-bit float decoders against values fixed by
// their definitions.
func TestFloat8Tables(t *testing.T) {
	t.Parallel()
	nan := float32(math.NaN())
	inf := float32(math.Inf(1))
	for _, c := range []struct {
		d    DType
		in   byte
		want float32
	}{
		{F8_E4M3, 0x00, 0}, {F8_E4M3, 0x38, 1}, {F8_E4M3, 0x7e, 448}, {F8_E4M3, 0x7f, nan},
		{F8_E4M3, 0xff, nan}, {F8_E4M3, 0x01, 1.0 / 512}, {F8_E4M3, 0x78, 256}, {F8_E4M3, 0xb8, -1},
		{F8_E5M2, 0x3c, 1}, {F8_E5M2, 0x7b, 57344}, {F8_E5M2, 0x7c, inf}, {F8_E5M2, 0xfc, -inf},
		{F8_E5M2, 0x7d, nan}, {F8_E5M2, 0x01, 1.0 / 65536},
		{F8_E4M3FNUZ, 0x40, 1}, {F8_E4M3FNUZ, 0x7f, 240}, {F8_E4M3FNUZ, 0x80, nan}, {F8_E4M3FNUZ, 0xff, -240},
		{F8_E5M2FNUZ, 0x40, 1}, {F8_E5M2FNUZ, 0x7f, 57344}, {F8_E5M2FNUZ, 0x80, nan},
		{F8_E8M0, 127, 1}, {F8_E8M0, 0, float32(math.Ldexp(1, -127))}, {F8_E8M0, 254, float32(math.Ldexp(1, 127))},
		{F8_E8M0, 255, nan},
	} {
		if got := float8Tables[c.d][c.in]; !sameFloat(got, c.want) {
			t.Errorf("%s 0x%02x = %v, want %v", c.d, c.in, got, c.want)
		}
	}
	// E5M2 is the top byte of a half: check all 256 against refHalf.
	for v := range 256 {
		if got, want := float8Tables[F8_E5M2][v], refHalf(uint16(v)<<8); !sameFloat(got, want) {
			t.Errorf("F8_E5M2 0x%02x = %v, half says %v", v, got, want)
		}
	}
}

// TestHalfAllBits decodes every F16 and BF16 bit pattern and compares with
// the definitions.
func TestHalfAllBits(t *testing.T) {
	t.Parallel()
	data := make([]byte, 0, 1<<17)
	for v := range 1 << 16 {
		data = binary.LittleEndian.AppendUint16(data, uint16(v))
	}
	for _, d := range []DType{F16, BF16} {
		got, err := decodeFloat32(d, data)
		if err != nil {
			t.Fatal(err)
		}
		for v := range 1 << 16 {
			want := refHalf(uint16(v))
			if d == BF16 {
				want = math.Float32frombits(uint32(v) << 16)
			}
			if !sameFloat(got[v], want) {
				t.Fatalf("%s 0x%04x = %v, want %v", d, v, got[v], want)
			}
		}
	}
}

func TestDTypes(t *testing.T) {
	t.Parallel()
	all := DTypes()
	if len(all) != 22 || all[0] != BOOL || all[len(all)-1] != U64 {
		t.Errorf("DTypes = %v", all)
	}
	for _, c := range []struct {
		d          DType
		size, bits int
	}{
		{F32, 4, 32}, {BF16, 2, 16}, {I64, 8, 64}, {C64, 8, 64}, {BOOL, 1, 8},
		{F8_E4M3, 1, 8}, {F4, 0, 4}, {F6_E2M3, 0, 6}, {"X", 0, 0},
	} {
		if c.d.Size() != c.size || c.d.Bits() != c.bits || c.d.Known() != (c.bits > 0) {
			t.Errorf("%s: Size %d Bits %d Known %v", c.d, c.d.Size(), c.d.Bits(), c.d.Known())
		}
	}
}

func TestClose(t *testing.T) {
	t.Parallel()
	f, err := Open(filepath.Join(fixturesDir, "formats", "gpt2", "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := f.Float32("transformer.wte.weight"); !errors.Is(err, ErrClosed) {
		t.Errorf("Float32 after Close: err = %v, want ErrClosed", err)
	}
	if len(f.Names()) == 0 {
		t.Error("Names after Close is empty; the header stays readable")
	}
}

type failingReaderAt struct {
	data []byte
	err  error
}

func (r failingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off >= int64(len(r.data)) {
		return 0, r.err
	}
	n := copy(p, r.data[off:])
	if n < len(p) {
		return n, r.err
	}
	return n, nil
}

func TestReaderErrors(t *testing.T) {
	t.Parallel()
	whole := readFile(t, filepath.Join(fixturesDir, "formats", "gpt2", "model.safetensors"))
	// A source that ends early although the caller promised the full size.
	short := failingReaderAt{data: whole[:len(whole)-100], err: io.EOF}
	r, err := NewReader(short, int64(len(whole)))
	if err != nil {
		t.Fatal(err)
	}
	last := r.Tensors()[r.Len()-1].Name
	if _, err := r.Float32(last); !errors.Is(err, ErrTruncated) {
		t.Errorf("short read: err = %v, want ErrTruncated", err)
	}
	boom := errors.New("disk on fire")
	broken := failingReaderAt{data: whole[:4], err: boom}
	if _, err := NewReader(broken, int64(len(whole))); !errors.Is(err, boom) {
		t.Errorf("failing source: err = %v, want the source's error", err)
	}

	if _, err := Open(filepath.Join(t.TempDir(), "absent.safetensors")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("absent file: err = %v", err)
	}
	if _, err := Open(t.TempDir()); err == nil {
		t.Error("opening a folder succeeded")
	}
	empty := filepath.Join(t.TempDir(), "empty.safetensors")
	os.WriteFile(empty, nil, 0o644)
	if _, err := Open(empty); !errors.Is(err, ErrTruncated) {
		t.Errorf("empty file: err = %v", err)
	}
	if _, err := NewReader(bytes.NewReader(nil), 0); !errors.Is(err, ErrTruncated) {
		t.Errorf("empty reader: err = %v", err)
	}
}

func TestErrorMessages(t *testing.T) {
	t.Parallel()
	path := filepath.Join(fixturesDir, "formats", "bert", "fp16", "model.safetensors")
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	_, notFound := f.Bytes("nope")
	_, wrongType := f.Int64("bert.pooler.dense.bias")
	f.Close()
	_, closed := f.Bytes("bert.pooler.dense.bias")
	for _, c := range []struct {
		err  error
		want string
	}{
		{notFound, "safetensors: " + path + `: tensor "nope": tensor not found`},
		{wrongType, "safetensors: " + path + `: tensor "bert.pooler.dense.bias": unsupported dtype conversion: cannot read F16 as int64`},
		{closed, "safetensors: " + path + `: tensor "bert.pooler.dense.bias": file closed`},
	} {
		if c.err == nil || c.err.Error() != c.want {
			t.Errorf("error %q, want %q", c.err, c.want)
		}
	}
}
