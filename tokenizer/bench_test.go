package tokenizer

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hfgo/hfgo/internal/cputime"
)

// benchCorpus returns the English prose of Debian's fortunes and fortunes-min packages (the
// fortune files minus their "%" separator lines) when installed, otherwise the project's
// Markdown documentation, cut in chunks of about 1 KB, and the name of the source.
func benchCorpus(b *testing.B) ([]string, string) { return benchCorpusT(b) }

func benchCorpusT(b testing.TB) ([]string, string) {
	b.Helper()
	text, source := fortunes()
	if len(text) == 0 {
		text, source = projectDocs()
	}
	if len(text) == 0 {
		b.Skip("no corpus: install fortunes and fortunes-min")
	}
	var chunks []string
	for len(text) > 0 {
		n := min(1024, len(text))
		for n < len(text) && !utf8.RuneStart(text[n]) {
			n++
		}
		chunks = append(chunks, string(text[:n]))
		text = text[n:]
	}
	return chunks, source
}

var corpusOnce sync.Once

const fortuneDir = "/usr/share/games/fortunes"

func fortunes() ([]byte, string) {
	entries, err := os.ReadDir(fortuneDir)
	if err != nil {
		return nil, ""
	}
	var names []string
	for _, e := range entries {
		// The fortune files themselves: not the .dat indexes, not the .u8 symbolic links.
		if e.Type().IsRegular() && filepath.Ext(e.Name()) == "" {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	var buf bytes.Buffer
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(fortuneDir, n))
		if err != nil {
			continue
		}
		lines := bytes.Split(data, []byte("\n"))
		if len(lines) > 0 && len(lines[len(lines)-1]) == 0 {
			lines = lines[:len(lines)-1]
		}
		for _, l := range lines {
			if string(l) != "%" {
				buf.Write(l)
				buf.WriteByte('\n')
			}
		}
	}
	return buf.Bytes(), fortuneDir + " (fortunes, fortunes-min)"
}

func projectDocs() ([]byte, string) {
	paths, _ := filepath.Glob("../docs/*.md")
	paths = append(paths, "../README.md")
	var buf bytes.Buffer
	for _, p := range paths {
		if data, err := os.ReadFile(p); err == nil {
			buf.Write(data)
		}
	}
	return buf.Bytes(), "the project's docs/*.md"
}

// BenchmarkEncode measures encode throughput on English prose in 1 KB chunks, special tokens,
// tokens and offsets included: one chunk at a time on one goroutine, and EncodeBatch on all
// GOMAXPROCS cores (run with -cpu 2 for two).
func BenchmarkEncode(b *testing.B) {
	chunks, source := benchCorpus(b)
	total := 0
	for _, c := range chunks {
		total += len(c)
	}
	corpusOnce.Do(func() { fmt.Printf("corpus: %s, %d bytes in %d chunks\n", source, total, len(chunks)) })
	for _, m := range []struct{ name, file string }{
		{"WordPiece", "bert-base-uncased.tokenizer.json"},
		{"ByteLevelBPE", "gpt2.tokenizer.json"},
	} {
		tk := loadJSONFixture(b, m.file)
		b.Run(m.name+"/single", func(b *testing.B) {
			b.SetBytes(int64(total))
			tokens := 0
			cpu := startCPU()
			for b.Loop() {
				for _, c := range chunks {
					enc, err := tk.Encode(c)
					if err != nil {
						b.Fatal(err)
					}
					tokens += enc.Len()
				}
			}
			b.ReportMetric(float64(tokens)/b.Elapsed().Seconds(), "tokens/s")
			cpu.report(b, total)
		})
		b.Run(m.name+"/batch", func(b *testing.B) {
			b.SetBytes(int64(total))
			tokens := 0
			cpu := startCPU()
			for b.Loop() {
				encs, err := tk.EncodeBatch(context.Background(), chunks)
				if err != nil {
					b.Fatal(err)
				}
				for _, e := range encs {
					tokens += e.Len()
				}
			}
			b.ReportMetric(float64(tokens)/b.Elapsed().Seconds(), "tokens/s")
			b.ReportMetric(float64(runtime.GOMAXPROCS(0)), "cores")
			cpu.report(b, total)
		})
	}
}

// cpuClock measures the CPU time of the process, which a shared machine's load does not inflate.
type cpuClock struct{ start time.Duration }

func startCPU() cpuClock { return cpuClock{cputime.Process()} }

// report adds MB/s per CPU-second of the process (all threads, the garbage collector included).
func (c cpuClock) report(b *testing.B, bytesPerOp int) {
	used := cputime.Process() - c.start
	if used > 0 {
		b.ReportMetric(float64(bytesPerOp)*float64(b.N)/1e6/used.Seconds(), "MB/cpu-s")
	}
}

// BenchmarkLoad reads the real bert-base-uncased and GPT-2 tokenizers, from tokenizer.json and
// from the legacy vocabulary files.
func BenchmarkLoad(b *testing.B) {
	for _, c := range []struct {
		name string
		load func() (*Tokenizer, error)
	}{
		{"bert/tokenizer.json", func() (*Tokenizer, error) {
			return LoadFile(filepath.Join(fixtures, "tokenizer_json", "bert-base-uncased.tokenizer.json"))
		}},
		{"bert/vocab.txt", func() (*Tokenizer, error) { return Load(filepath.Join(fixtures, "bert")) }},
		{"gpt2/tokenizer.json", func() (*Tokenizer, error) {
			return LoadFile(filepath.Join(fixtures, "tokenizer_json", "gpt2.tokenizer.json"))
		}},
		{"gpt2/vocab.json", func() (*Tokenizer, error) { return Load(filepath.Join(fixtures, "gpt2")) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.load(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
