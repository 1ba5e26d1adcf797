package gpt2

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/hfgo/hfgo/internal/cputime"
	"github.com/hfgo/hfgo/models/internal/fixture"
	"github.com/hfgo/hfgo/models/internal/weights"
)

// gpt2Small is a model of the shapes of the 124M "gpt2" checkpoint with
// random weights, built once per test binary (about 500 MB).
var gpt2Small = sync.OnceValues(func() (*Model, error) {
	cfg := DefaultConfig()
	r := rand.New(rand.NewPCG(1, 2))
	src := weights.Memory{}
	for name, shape := range tensorNames(&cfg) {
		n := 1
		for _, d := range shape {
			n *= d
		}
		data := make([]float32, n)
		for i := range data {
			data[i] = float32(int32(r.Uint32()))*(0.04/(1<<31)) + 0.0 // uniform in ±0.04
		}
		if len(shape) == 1 && last(name) == "weight" {
			for i := range data {
				data[i] += 1
			}
		}
		src["transformer."+name] = weights.Dense{Data: data, Shape: shape}
	}
	return New(cfg, src)
})

func benchModel(b *testing.B) *Model {
	b.Helper()
	m, err := gpt2Small()
	if err != nil {
		b.Fatal(err)
	}
	return m
}

// cpuMeter adds the process's CPU time per op (user + system, all
// threads) to a benchmark: on a shared machine it moves far less with the
// load than the wall time does. Start it before b.Loop; pause and resume it
// with the timer.
type cpuMeter struct {
	b     *testing.B
	spent time.Duration
	since time.Duration
}

func startCPU(b *testing.B) *cpuMeter {
	c := &cpuMeter{b: b, since: cputime.Process()}
	b.Cleanup(func() {
		c.stop()
		if b.N > 0 && c.spent > 0 {
			b.ReportMetric(float64(c.spent)/1e6/float64(b.N), "cpu-ms/op")
		}
	})
	return c
}

func (c *cpuMeter) stop() {
	c.b.StopTimer()
	c.spent += cputime.Process() - c.since
}

func (c *cpuMeter) start() {
	c.since = cputime.Process()
	c.b.StartTimer()
}

func benchPrompt(n int) []int {
	ids := make([]int, n)
	for i := range ids {
		ids[i] = (i*7919 + 13) % 50257
	}
	return ids
}

// BenchmarkPrefill32 runs a 32-token prompt through gpt2-small shapes and
// computes the logits of the last position, as generation does.
func BenchmarkPrefill32(b *testing.B) {
	m := benchModel(b)
	in := Input{InputIDs: [][]int{benchPrompt(32)}}
	c := m.NewCache(1, 64)
	startCPU(b)
	for b.Loop() {
		c.Reset()
		if _, err := m.Forward(context.Background(), in, &Options{Logits: LastLogits, Cache: c}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecode runs one token at a time with the KV cache after a
// 32-token prompt: the time per op is the time per generated token.
func BenchmarkDecode(b *testing.B) {
	m := benchModel(b)
	prompt := Input{InputIDs: [][]int{benchPrompt(32)}}
	const maxLen = 256
	c := m.NewCache(1, maxLen)
	step := Input{InputIDs: [][]int{{464}}}
	cpu := startCPU(b)
	for b.Loop() {
		if c.Len() == 0 || c.Len() == maxLen {
			cpu.stop()
			c.Reset()
			if _, err := m.Forward(context.Background(), prompt, &Options{Logits: LastLogits, Cache: c}); err != nil {
				b.Fatal(err)
			}
			cpu.start()
		}
		if _, err := m.Forward(context.Background(), step, &Options{Logits: LastLogits, Cache: c}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSampleStep times the logits processing and sampling of one token
// over GPT-2's vocabulary (repetition penalty, temperature, top-k 50,
// top-p 0.9), the work generation adds to each decoding step.
func BenchmarkSampleStep(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	logits := make([]float32, 50257)
	for i := range logits {
		logits[i] = float32(r.NormFloat64() * 3)
	}
	ids := benchPrompt(64)
	g := GenerationConfig{DoSample: true, Temperature: 0.8, TopK: 50, TopP: 0.9, RepetitionPenalty: 1.2, Rand: r}
	p := newPicker(&g)
	scores := make([]float32, len(logits))
	for b.Loop() {
		copy(scores, logits)
		if err := p.process(scores, ids, 10); err != nil {
			b.Fatal(err)
		}
		if _, err := p.pick(scores); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadModel loads the twelve blocks of gpt2-small (a vocabulary of
// 1000 tokens, 345 MB) from a safetensors file in the page cache: mostly
// the transposition of the Conv1D weights, read from the file's mapping
// into freshly mapped memory, as in a new process.
func BenchmarkLoadModel(b *testing.B) {
	cfg := DefaultConfig()
	cfg.VocabSize = 1000
	dir := b.TempDir()
	if err := fixture.WriteCheckpoint(dir, &cfg, randomWeights(&cfg, 5)); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		m, err := LoadModel(context.Background(), dir)
		if err != nil {
			b.Fatal(err)
		}
		if err := m.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
