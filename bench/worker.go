package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sync"
	"time"

	"github.com/nlpodyssey/spago/mat"
	"github.com/nlpodyssey/spago/nn"

	"github.com/hfgo/hfgo/internal/procstatus"
	"github.com/hfgo/hfgo/models/bert"
	"github.com/hfgo/hfgo/models/gpt2"
)

// Shapes of the BERT workloads (batch, sequence length), and the GPT-2 ones.
var bertShapes = map[string][2]int{"b1s8": {1, 8}, "b1s128": {1, 128}, "b1s512": {1, 512}, "b8s128": {8, 128}}

const (
	prefillLen  = 32
	decodeSteps = 32
	// readsPerRound is how many times the weights are read after each round
	// of decoding steps, to time the memory bandwidth of that moment.
	readsPerRound = 3
)

// profileEnv names a file the worker writes its CPU profile to.
const profileEnv = "HFGO_BENCH_CPUPROFILE"

// result is what one worker process reports: the same JSON fields as the
// Python and Node baselines print.
type result struct {
	Impl         string    `json:"impl"`
	Workload     string    `json:"workload"`
	Threads      int       `json:"threads"`
	TimesMS      []float64 `json:"times_ms"`
	Check        []float64 `json:"check"`
	FirstOutputS float64   `json:"first_output_s,omitempty"`
	// MaxRSSKB is the process's own peak resident set, VmHWM.
	MaxRSSKB int64 `json:"maxrss_kb"`
	// ReadMS, for decoding, are the times of a plain read of the weights
	// one step reads (WeightBytes): after each round of steps, the median
	// of readsPerRound reads.
	ReadMS      []float64 `json:"read_ms,omitempty"`
	WeightBytes int64     `json:"weight_bytes,omitempty"`
	// Version and Setup describe a baseline: its library, and the BLAS or
	// the threads it ran with.
	Version string   `json:"version,omitempty"`
	Setup   []string `json:"setup,omitempty"`
}

// benchIDs are deterministic in-vocabulary ids, the formula every
// implementation of the benchmark uses.
func benchIDs(batch, seq, vocab int) [][]int {
	ids := make([][]int, batch)
	for b := range ids {
		ids[b] = make([]int, seq)
		for t := range ids[b] {
			i := b*seq + t
			ids[b][t] = 1000 + (i*7919)%(vocab-1001)
		}
	}
	return ids
}

// runWorker times one workload in this process and writes one JSON line.
func runWorker(ctx context.Context, dir, workload string, iters, threads int, w io.Writer) error {
	res := result{Impl: "hfgo", Workload: workload, Threads: threads}
	if path := os.Getenv(profileEnv); path != "" {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	var err error
	var model io.Closer // closed after the report, which ends the timed part
	switch {
	case workload == "first-output":
		model, err = firstOutput(ctx, dir, &res)
	case bertShapes[workload] != [2]int{}:
		err = bertWorkload(ctx, dir, workload, iters, &res)
	default:
		err = gpt2Workload(ctx, dir, workload, iters, &res)
	}
	if err != nil {
		return err
	}
	// VmHWM is this process's own peak: getrusage's ru_maxrss is not that
	// for a child of a Go program, which os/exec starts with vfork.
	if res.MaxRSSKB, err = procstatus.Self("VmHWM"); err != nil {
		return err
	}
	if err := json.NewEncoder(w).Encode(res); err != nil {
		return err
	}
	if model != nil {
		return model.Close()
	}
	return nil
}

// firstOutput loads the bert-base folder as a sentence-embedding pipeline
// and embeds one sentence; the report line that follows is the first
// output, and the pipeline is closed after it.
func firstOutput(ctx context.Context, dir string, res *result) (io.Closer, error) {
	p, err := bert.Load(ctx, filepath.Join(dir, "bert-base"))
	if err != nil {
		return nil, err
	}
	emb, err := p.Embed(ctx, "The first embedding of a cached bert-base.")
	if err != nil {
		p.Close()
		return nil, err
	}
	res.FirstOutputS = time.Since(processStart).Seconds()
	res.Check = toFloat64(emb[:4])
	return p, nil
}

func bertWorkload(ctx context.Context, dir, workload string, iters int, res *result) error {
	m, err := bert.LoadModel(ctx, filepath.Join(dir, "bert-base"))
	if err != nil {
		return err
	}
	defer m.Close()
	shape := bertShapes[workload]
	in := bert.Input{IDs: benchIDs(shape[0], shape[1], m.Config.VocabSize)}
	out, err := m.Forward(ctx, in, nil)
	if err != nil {
		return err
	}
	for range iters {
		t := time.Now()
		if out, err = m.Forward(ctx, in, nil); err != nil {
			return err
		}
		res.TimesMS = append(res.TimesMS, ms(time.Since(t)))
	}
	res.Check = toFloat64(mat.Data[float32](out.LastHiddenState)[:4])
	return nil
}

func gpt2Workload(ctx context.Context, dir, workload string, iters int, res *result) error {
	m, err := gpt2.LoadModel(ctx, filepath.Join(dir, "gpt2-small"))
	if err != nil {
		return err
	}
	defer m.Close()
	prompt := gpt2.Input{InputIDs: benchIDs(1, prefillLen, m.Config.VocabSize)}
	cache := m.NewCache(1, prefillLen+decodeSteps)
	var out *gpt2.Output
	weights := decodeWeights(m)
	for i := -1; i < iters; i++ { // i == -1: warm-up
		cache.Reset()
		t := time.Now()
		if out, err = m.Forward(ctx, prompt, &gpt2.Options{Logits: gpt2.LastLogits, Cache: cache}); err != nil {
			return err
		}
		switch {
		case workload == "prefill32":
			if i >= 0 {
				res.TimesMS = append(res.TimesMS, ms(time.Since(t)))
			}
		case workload == "decode":
			for range decodeSteps {
				next := argmax(mat.Data[float32](out.Logits))
				t = time.Now()
				if out, err = decodeStep(ctx, m, cache, next); err != nil {
					return err
				}
				if i >= 0 {
					res.TimesMS = append(res.TimesMS, ms(time.Since(t)))
				}
			}
			if i >= 0 {
				reads := make([]float64, readsPerRound)
				for r := range reads {
					reads[r] = readWeights(weights)
				}
				res.ReadMS = append(res.ReadMS, median(reads))
			}
			res.WeightBytes = 0
			for _, w := range weights {
				res.WeightBytes += int64(4 * len(w))
			}
		default:
			return fmt.Errorf("unknown workload %q", workload)
		}
	}
	res.Check = toFloat64(mat.Data[float32](out.Logits)[:4])
	return nil
}

// decodeStep runs the model on one more token, a function of its own (not
// inlined) so that an instruction counter can count the decoding steps
// alone:
//
//	go build -o /tmp/hfgo-bench ./bench
//	GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind --toggle-collect=main.decodeStep \
//	    /tmp/hfgo-bench worker ~/.cache/hfgo-bench decode 0 1
//
// counts the 32 steps of the warm-up round, on one thread: callgrind
// counts a toggled function's own thread, not the other cores' share.
//
//go:noinline
func decodeStep(ctx context.Context, m *gpt2.Model, cache *gpt2.Cache, token int) (*gpt2.Output, error) {
	return m.Forward(ctx, gpt2.Input{InputIDs: [][]int{{token}}}, &gpt2.Options{Logits: gpt2.LastLogits, Cache: cache})
}

// decodeWeights returns the tensors one decoding step reads whole: all but
// the position embeddings, of which it reads a row.
func decodeWeights(m *gpt2.Model) [][]float32 {
	var ws [][]float32
	seen := map[*nn.Param]bool{m.WPE.Weight: true}
	nn.ForEachParam(m, func(p *nn.Param) {
		if !seen[p] { // the LM head is the token embedding
			seen[p] = true
			ws = append(ws, mat.Data[float32](p.Matrix))
		}
	})
	return ws
}

// readWeights reads every cache line of the weights once, on two
// goroutines that each take half of every weight and read its four quarters
// side by side (four sequential streams per core draw more bandwidth than
// one), and returns the time it took in milliseconds: the bandwidth a plain
// read loop gets at this moment, to set a decoding step against.
func readWeights(ws [][]float32) float64 {
	var sums [2]float32
	var wg sync.WaitGroup
	t := time.Now()
	for half := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var s float32
			for _, w := range ws {
				mid := len(w) / 2
				if half == 0 {
					w = w[:mid]
				} else {
					w = w[mid:]
				}
				s += readStreams(w)
			}
			sums[half] = s
		}()
	}
	wg.Wait()
	d := time.Since(t)
	if sums[0] == 1.5 { // keep the sums alive
		fmt.Fprint(io.Discard, sums)
	}
	return ms(d)
}

// readStreams sums one value of every 64-byte line of w, reading its four
// quarters at once.
func readStreams(w []float32) float32 {
	q := len(w) / 4 &^ 15
	a, b, c, d := w[:q], w[q:2*q], w[2*q:3*q], w[3*q:4*q]
	var s0, s1, s2, s3 float32
	for i := 0; i < q; i += 16 {
		s0 += a[i]
		s1 += b[i]
		s2 += c[i]
		s3 += d[i]
	}
	for i := 4 * q; i < len(w); i += 16 {
		s0 += w[i]
	}
	return s0 + s1 + s2 + s3
}

func argmax(v []float32) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

func toFloat64(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

func ms(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }
