package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"text/tabwriter"
)

var workloadNames = map[string]string{
	"b1s8": "BERT-base, batch 1 x seq 8 (ms)", "b1s128": "BERT-base, batch 1 x seq 128 (ms)",
	"b1s512": "BERT-base, batch 1 x seq 512 (ms)", "b8s128": "BERT-base, batch 8 x seq 128 (ms)",
	"prefill32": "GPT-2 small, prefill 32 tokens (ms)", "decode": "GPT-2 small, decode (ms/token)",
	"first-output": "bert-base, process start to first output (ms)",
}

// report prints one line per workload: the medians, the ratios of hfgo to
// each baseline, peak RSS, and whether the outputs agree.
func report(w io.Writer, c *config, rows map[string]map[string]*row) {
	fmt.Fprintf(w, "threads %d, %d rounds x %d iterations, medians\n\n", c.threads, c.rounds, c.iters)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "workload\thfgo\tPyTorch\tORT\tGo/PyTorch\tGo/ORT\tRSS MB hfgo\tPyTorch\tORT\tmax |Go-PyTorch|\t")
	for _, wl := range c.workloads {
		r := rows[wl]
		g, p, o := med(r["hfgo"]), med(r["pytorch"]), med(r["onnxruntime"])
		diff := agree(r["hfgo"], r["pytorch"])
		if wl == "first-output" { // different outputs: a sentence embedding against a hidden state
			diff = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", workloadNames[wl], num(g), num(p), num(o),
			ratio(g, p), ratio(g, o), rss(r["hfgo"]), rss(r["pytorch"]), rss(r["onnxruntime"]), diff)
	}
	tw.Flush()
	if r := rows["decode"]["hfgo"]; r != nil && r.bytes > 0 && len(r.readMS) > 0 {
		gb := float64(r.bytes) / 1e9
		fmt.Fprintf(w, "\nhfgo decode: %.0f MB of weights a token, %.1f GB/s; a plain read loop of the same weights on %d cores, between rounds: %.1f GB/s (median of %d rounds, each the median of %d reads)\n",
			float64(r.bytes)/1e6, gb/(med(r)/1e3), c.threads, gb/(median(r.readMS)/1e3), len(r.readMS), readsPerRound)
		if ratios := stepsOverRead(r); len(ratios) > 0 {
			fmt.Fprintf(w, "a decoding step takes %.3fx the read loop that follows its round (median of %d rounds; %.3f-%.3f)\n",
				median(ratios), len(ratios), slices.Min(ratios), slices.Max(ratios))
		}
	}
	for _, impl := range []string{"pytorch", "onnxruntime"} {
		for _, wl := range c.workloads {
			if r := rows[wl][impl]; r != nil && r.info != "" {
				fmt.Fprintf(w, "%s: %s\n", impl, r.info)
				break
			}
		}
	}
}

// stepsOverRead pairs each round of decoding steps with the read loop run
// right after it, and returns the ratios of their times: a step's cost
// relative to the memory bandwidth of the moment, which on a shared machine
// varies more from minute to minute than the step does against it. Each
// worker round adds decodeSteps times and then one read time.
func stepsOverRead(r *row) []float64 {
	if len(r.times) != decodeSteps*len(r.readMS) {
		return nil
	}
	ratios := make([]float64, len(r.readMS))
	for i, read := range r.readMS {
		ratios[i] = median(r.times[i*decodeSteps:(i+1)*decodeSteps]) / read
	}
	return ratios
}

func med(r *row) float64 {
	if r == nil {
		return math.NaN()
	}
	return median(r.times)
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func num(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return fmt.Sprintf("%.1f", v)
}

func ratio(a, b float64) string {
	if math.IsNaN(a) || math.IsNaN(b) {
		return "-"
	}
	return fmt.Sprintf("%.2f", a/b)
}

func rss(r *row) string {
	if r == nil {
		return "-"
	}
	return fmt.Sprintf("%d", r.maxRSSKB/1024)
}

// agree is the largest difference between the first output values of the
// two implementations (same weights, same inputs).
func agree(a, b *row) string {
	if a == nil || b == nil || len(a.check) == 0 || len(a.check) != len(b.check) {
		return "-"
	}
	d := 0.0
	for i := range a.check {
		d = max(d, math.Abs(a.check[i]-b.check[i]))
	}
	return fmt.Sprintf("%.1e", d)
}
