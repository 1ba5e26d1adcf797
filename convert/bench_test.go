package convert

import (
	"archive/zip"
	"encoding/binary"
	"hash/crc32"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/hfgo/hfgo/safetensors"
)

// benchShapes are the tensors of bert-base-uncased's BertForPreTraining
// (110M parameters, ~440 MB in float32), plus the tied decoder weight.
func benchShapes() (names []string, shapes [][]int) {
	add := func(n string, s ...int) { names, shapes = append(names, n), append(shapes, s) }
	const h, inter, vocab = 768, 3072, 30522
	add("bert.embeddings.word_embeddings.weight", vocab, h)
	add("bert.embeddings.position_embeddings.weight", 512, h)
	add("bert.embeddings.token_type_embeddings.weight", 2, h)
	add("bert.embeddings.LayerNorm.weight", h)
	add("bert.embeddings.LayerNorm.bias", h)
	for l := range 12 {
		p := "bert.encoder.layer." + strconv.Itoa(l) + "."
		for _, m := range []string{"attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"} {
			add(p+m+".weight", h, h)
			add(p+m+".bias", h)
		}
		add(p+"attention.output.LayerNorm.weight", h)
		add(p+"attention.output.LayerNorm.bias", h)
		add(p+"intermediate.dense.weight", inter, h)
		add(p+"intermediate.dense.bias", inter)
		add(p+"output.dense.weight", h, inter)
		add(p+"output.dense.bias", h)
		add(p+"output.LayerNorm.weight", h)
		add(p+"output.LayerNorm.bias", h)
	}
	add("bert.pooler.dense.weight", h, h)
	add("bert.pooler.dense.bias", h)
	add("cls.predictions.bias", vocab)
	add("cls.predictions.transform.dense.weight", h, h)
	add("cls.predictions.transform.dense.bias", h)
	add("cls.predictions.transform.LayerNorm.weight", h)
	add("cls.predictions.transform.LayerNorm.bias", h)
	return names, shapes
}

// benchFiles writes, once, the same state dict as pytorch_model.bin (zip,
// storages 64-byte aligned as torch.save aligns them), as a legacy .bin
// and as model.safetensors, in a folder outside the repository.
func benchFiles(b *testing.B) (zipPath, legacyPath, stPath string) {
	dir := filepath.Join(os.TempDir(), "hfgo-convert-bench")
	zipPath, legacyPath, stPath = filepath.Join(dir, "pytorch_model.bin"), filepath.Join(dir, "legacy.bin"), filepath.Join(dir, "model.safetensors")
	if _, err := os.Stat(stPath); err == nil {
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	names, shapes := benchShapes()
	rng := rand.New(rand.NewPCG(1, 2))
	var specs []spec
	var st []safetensors.Tensor
	var data [][]byte
	var keys []string
	var numels []int
	for i, n := range names {
		numel := 1
		for _, d := range shapes[i] {
			numel *= d
		}
		buf := make([]byte, 4*numel)
		for j := 0; j < len(buf); j += 4 {
			binary.LittleEndian.PutUint32(buf[j:], math.Float32bits(float32(rng.NormFloat64()*0.02)))
		}
		key := strconv.Itoa(i)
		stride := make([]int, len(shapes[i]))
		for d, s := len(stride)-1, 1; d >= 0; d-- {
			stride[d], s = s, s*shapes[i][d]
		}
		specs = append(specs, spec{name: n, key: key, storage: "FloatStorage", numel: numel, size: shapes[i], stride: stride})
		st = append(st, safetensors.Tensor{Name: n, DType: "F32", Shape: shapes[i], Data: buf})
		data, keys, numels = append(data, buf), append(keys, key), append(numels, numel)
	}
	// The decoder weight is tied to the word embeddings, as in the Hub's file.
	tied := specs[0]
	tied.name = "cls.predictions.decoder.weight"
	specs = append(specs, tied)
	if err := writeTorchZip(zipPath, "pytorch_model", stateDict(specs, false), keys, data); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(legacyPath, legacyFile(stateDict(specs, true), keys, numels, data), 0o644); err != nil {
		b.Fatal(err)
	}
	if err := safetensors.WriteFile(stPath, st, metadataPT); err != nil {
		b.Fatal(err)
	}
	return
}

// countingWriter tracks the offset in the file being written.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// writeTorchZip writes a zip checkpoint laid out as torch.save writes it:
// stored entries whose data start on 64-byte boundaries (padding in an
// extra field), data.pkl first, then data/<key>, then version.
func writeTorchZip(path, folder string, pkl []byte, keys []string, data [][]byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	cw := &countingWriter{w: f}
	zw := zip.NewWriter(cw)
	add := func(name string, body []byte) error {
		// Local header: 30 bytes, the name, then the extra field.
		pad := int((64 - (cw.n+30+int64(len(name))+4)%64) % 64)
		extra := binary.LittleEndian.AppendUint16(nil, 0x4246) // "FB", as PyTorch
		extra = binary.LittleEndian.AppendUint16(extra, uint16(pad))
		extra = append(extra, make([]byte, pad)...)
		w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Store, Extra: extra,
			CRC32: crc32.ChecksumIEEE(body), CompressedSize64: uint64(len(body)), UncompressedSize64: uint64(len(body))})
		if err != nil {
			return err
		}
		_, err = w.Write(body)
		return err
	}
	if err := add(folder+"/data.pkl", pkl); err != nil {
		return err
	}
	for i, k := range keys {
		if err := add(folder+"/data/"+k, data[i]); err != nil {
			return err
		}
	}
	if err := add(folder+"/version", []byte("3\n")); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return f.Close()
}

// BenchmarkLoad compares reading the same ~440 MB bert-base state dict
// from pytorch_model.bin (zip and legacy) and from model.safetensors.
// "open" opens the checkpoint and gets every tensor as float32 without
// touching the data (zero copy where possible); "sum" also reads every
// element, as loading a model into memory does.
func BenchmarkLoad(b *testing.B) {
	if testing.Short() {
		b.Skip("writes 1.3 GB of files")
	}
	zipPath, legacyPath, stPath := benchFiles(b)
	for _, mode := range []string{"open", "sum"} {
		for _, f := range []struct{ name, path string }{{"safetensors", stPath}, {"pytorch", zipPath}, {"pytorch-legacy", legacyPath}} {
			b.Run(mode+"/"+f.name, func(b *testing.B) {
				st, _ := os.Stat(f.path)
				b.SetBytes(st.Size())
				for b.Loop() {
					c, err := Open(f.path)
					if err != nil {
						b.Fatal(err)
					}
					var sum float32
					for _, n := range c.Names() {
						v, _, err := c.Float32(n)
						if err != nil {
							b.Fatal(err)
						}
						if mode == "sum" {
							for _, x := range v {
								sum += x
							}
						}
					}
					c.Close()
					if math.IsNaN(float64(sum)) {
						b.Fatal("NaN")
					}
				}
			})
		}
	}
}

// BenchmarkConvert times converting the zip pytorch_model.bin to
// safetensors (one 440 MB file, and float16).
func BenchmarkConvert(b *testing.B) {
	if testing.Short() {
		b.Skip("writes 1.3 GB of files")
	}
	zipPath, _, _ := benchFiles(b)
	for _, dt := range []string{"", "F16"} {
		b.Run("dtype="+dt, func(b *testing.B) {
			out := b.TempDir()
			for b.Loop() {
				if _, err := Convert(b.Context(), zipPath, out, &Options{DType: dt}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
