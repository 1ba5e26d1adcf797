package bert

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/hfgo/hfgo/models/internal/fixture"
	"github.com/hfgo/hfgo/models/internal/hfconfig"
	"github.com/hfgo/hfgo/models/internal/weights"
	"github.com/nlpodyssey/spago/mat"
)

// paddedBatch is two sequences of different lengths, padded on the right.
var paddedBatch = struct {
	ids, types [][]int
	lens       []int
}{
	ids:   [][]int{{2, 17, 33, 8, 0, 0, 0}, {2, 5, 49, 12, 30, 7, 3}},
	types: [][]int{{0, 0, 1, 1, 0, 0, 0}, {0, 0, 0, 1, 1, 1, 1}},
	lens:  []int{4, 7},
}

func batchInput() Input {
	mask := make([][]int, len(paddedBatch.ids))
	for i, row := range paddedBatch.ids {
		mask[i] = make([]int, len(row))
		for j := range paddedBatch.lens[i] {
			mask[i][j] = 1
		}
	}
	return Input{IDs: paddedBatch.ids, TypeIDs: paddedBatch.types, AttentionMask: mask}
}

func TestGeneratedCheckpoints(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, act, prefix, arch string
		labels                  int
		heads                   []string
		legacy, untied          bool
	}{
		{name: "sequence classification", act: "gelu", prefix: "bert.", arch: "BertForSequenceClassification", labels: 3, heads: []string{"pooler", "classifier"}},
		{name: "token classification", act: "gelu_new", prefix: "bert.", arch: "BertForTokenClassification", labels: 5, heads: []string{"classifier"}},
		{name: "bare model legacy names", act: "relu", prefix: "", arch: "BertModel", labels: 2, heads: []string{"pooler"}, legacy: true},
		{name: "untied MLM", act: "quick_gelu", prefix: "bert.", arch: "BertForMaskedLM", labels: 2, heads: []string{"mlm"}, untied: true},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := tinyConfig(tc.act, tc.labels)
			c.Architectures = []string{tc.arch}
			sd := randomCheckpoint(c, uint64(i+1), tc.prefix, tc.heads...)
			if tc.untied {
				f := false
				c.TieWordEmbeddings = &f
				w := sd[tc.prefix+"embeddings.word_embeddings.weight"]
				dec := make([]float32, len(w.Data))
				for j, v := range w.Data {
					dec[j] = -v
				}
				sd["cls.predictions.decoder.weight"] = weights.Dense{Data: dec, Shape: w.Shape}
			}
			src := sd
			if tc.legacy {
				src = renameLayerNorms(sd)
			}
			dir := t.TempDir()
			writeCheckpoint(t, dir, c, src)
			m, err := LoadModel(context.Background(), dir)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			if len(m.Unexpected) != 0 {
				t.Errorf("unexpected tensors: %v", m.Unexpected)
			}
			checkGenerated(t, m, &ref{c: c, sd: sd, p: tc.prefix})
		})
	}
}

// renameLayerNorms gives LayerNorm parameters their legacy names.
func renameLayerNorms(sd weights.Memory) weights.Memory {
	out := weights.Memory{}
	for k, v := range sd {
		if strings.Contains(k, "LayerNorm.") {
			k = strings.Replace(strings.Replace(k, ".weight", ".gamma", 1), ".bias", ".beta", 1)
		}
		out[k] = v
	}
	return out
}

// checkGenerated compares the model on a padded batch with the float64
// reference run on each unpadded sequence.
func checkGenerated(t *testing.T, m *Model, r *ref) {
	in := batchInput()
	out, err := m.Forward(context.Background(), in, nil)
	if err != nil {
		t.Fatal(err)
	}
	h, n := m.Config.HiddenSize, out.SeqLen
	got := mat.Data[float32](out.LastHiddenState)
	for s, l := range paddedBatch.lens {
		hidden, pooled := r.forward(paddedBatch.ids[s][:l], paddedBatch.types[s][:l])
		fixture.Close(t, "hidden", got[s*n*h:(s*n+l)*h], flat32(hidden...))
		fixture.Close(t, "Token", out.Token(s, l-1), flat32(hidden[l-1]))
		if m.Pooler != nil {
			fixture.Close(t, "pooler", mat.Data[float32](out.PoolerOutput)[s*h:(s+1)*h], flat32(pooled))
		}
		if m.Classifier != nil {
			checkClassifier(t, m, r, out, s, l, hidden, pooled)
		}
		if m.MLM != nil {
			checkMLM(t, m, r, out, s, l, hidden)
		}
	}
}

func checkClassifier(t *testing.T, m *Model, r *ref, out *Output, s, l int, hidden [][]float64, pooled []float64) {
	logits, err := m.ClassifierLogits(out)
	if err != nil {
		t.Fatal(err)
	}
	k := len(m.Config.Labels)
	got := mat.Data[float32](logits)
	if m.Classifier.PerToken {
		want := r.linear("classifier", hidden)
		fixture.Close(t, "token logits", got[s*out.SeqLen*k:(s*out.SeqLen+l)*k], flat32(want...))
		return
	}
	want := r.linear("classifier", [][]float64{pooled})
	fixture.Close(t, "sequence logits", got[s*k:(s+1)*k], flat32(want...))
}

func checkMLM(t *testing.T, m *Model, r *ref, out *Output, s, l int, hidden [][]float64) {
	rows := []int{s * out.SeqLen, s*out.SeqLen + l - 1}
	logits, err := m.MLMLogits(out, rows)
	if err != nil {
		t.Fatal(err)
	}
	x := r.linear("cls.predictions.transform.dense", [][]float64{hidden[0], hidden[l-1]})
	for _, row := range x {
		for j := range row {
			row[j] = refAct(m.Config.HiddenAct, row[j])
		}
	}
	r.norm("cls.predictions.transform.LayerNorm", x)
	dec := "cls.predictions.decoder.weight"
	if m.Config.Tied() {
		dec = r.p + "embeddings.word_embeddings.weight"
	}
	w, b := r.w(dec), r.w("cls.predictions.bias")
	var want [][]float64
	for _, row := range x {
		lg := make([]float64, len(b))
		for v := range lg {
			lg[v] = b[v]
			for j, xv := range row {
				lg[v] += xv * w[v*len(row)+j]
			}
		}
		want = append(want, lg)
	}
	fixture.Close(t, "mlm logits", mat.Data[float32](logits), flat32(want...))
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	c := tinyConfig("gelu", 2)
	c.Architectures = []string{"BertForSequenceClassification"}
	base := randomCheckpoint(c, 9, "bert.", "pooler", "classifier")
	tests := []struct {
		name   string
		edit   func(weights.Memory)
		err    error
		substr string
	}{
		{"missing", func(m weights.Memory) { delete(m, "bert.encoder.layer.1.output.dense.bias") },
			weights.ErrMissing, "bert.encoder.layer.1.output.dense.bias"},
		{"shape", func(m weights.Memory) {
			m["bert.encoder.layer.0.attention.self.key.weight"] = weights.Dense{Data: make([]float32, 12*11), Shape: []int{12, 11}}
		}, weights.ErrShape, "bert.encoder.layer.0.attention.self.key.weight: shape [12 11], want [12 12]"},
		{"labels", func(m weights.Memory) {
			m["classifier.weight"] = weights.Dense{Data: make([]float32, 3*12), Shape: []int{3, 12}}
		}, weights.ErrShape, "classifier.weight"},
		{"missing without prefix", func(m weights.Memory) {
			for k, v := range m {
				if name, ok := strings.CutPrefix(k, "bert."); ok {
					delete(m, k)
					m[name] = v
				}
			}
			delete(m, "encoder.layer.0.intermediate.dense.weight")
		}, weights.ErrMissing, "tensor encoder.layer.0.intermediate.dense.weight: missing"},
		{"no pooler", func(m weights.Memory) {
			delete(m, "bert.pooler.dense.weight")
			delete(m, "bert.pooler.dense.bias")
		}, nil, "pooler"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sd := weights.Memory{}
			for k, v := range base {
				sd[k] = v
			}
			tc.edit(sd)
			_, err := New(c, sd)
			if err == nil || (tc.err != nil && !errors.Is(err, tc.err)) || !strings.Contains(err.Error(), tc.substr) {
				t.Fatalf("error %v, want %v naming %q", err, tc.err, tc.substr)
			}
		})
	}
}

// TestNewValidates changes a validated config: New checks it again rather
// than build a model whose forward pass would split 12 values into 5 heads.
func TestNewValidates(t *testing.T) {
	t.Parallel()
	c := tinyConfig("gelu", 2)
	sd := randomCheckpoint(c, 7, "bert.", "pooler")
	c.NumAttentionHeads = 5
	if _, err := New(c, sd); !errors.Is(err, hfconfig.ErrInvalid) {
		t.Errorf("hidden_size 12 in 5 heads: %v, want ErrInvalid", err)
	}
}

func TestUnexpectedTensors(t *testing.T) {
	t.Parallel()
	c := tinyConfig("gelu", 2)
	sd := randomCheckpoint(c, 3, "bert.", "pooler", "mlm")
	sd["bert.embeddings.position_ids"] = weights.Dense{Data: make([]float32, 16), Shape: []int{1, 16}}
	sd["cls.predictions.decoder.weight"] = sd["bert.embeddings.word_embeddings.weight"]
	sd["cls.predictions.decoder.bias"] = sd["cls.predictions.bias"]
	sd["qa_outputs.weight"] = weights.Dense{Data: make([]float32, 24), Shape: []int{2, 12}}
	m, err := New(c, sd)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Unexpected) != 1 || m.Unexpected[0] != "qa_outputs.weight" {
		t.Errorf("Unexpected = %v, want [qa_outputs.weight]", m.Unexpected)
	}
	if m.MLM == nil || m.Pooler == nil || m.NSP != nil || m.Classifier != nil {
		t.Errorf("heads: mlm %v pooler %v nsp %v classifier %v", m.MLM != nil, m.Pooler != nil, m.NSP != nil, m.Classifier != nil)
	}
	if _, err := m.NSPLogits(&Output{}); !errors.Is(err, ErrNoHead) {
		t.Errorf("NSPLogits without head: %v", err)
	}
}

func TestForwardInputErrors(t *testing.T) {
	t.Parallel()
	c := tinyConfig("gelu", 2)
	m, err := New(c, randomCheckpoint(c, 4, "", "pooler"))
	if err != nil {
		t.Fatal(err)
	}
	long := make([]int, 17)
	tests := []struct {
		name string
		in   Input
		msg  string
	}{
		{"empty", Input{}, "empty"},
		{"vocab", Input{IDs: [][]int{{1, 50}}}, "input id 50 at sequence 0 position 1"},
		{"negative", Input{IDs: [][]int{{-1}}}, "input id -1"},
		{"ragged", Input{IDs: [][]int{{1, 2}, {1}}}, "sequence 1 has 1"},
		{"long", Input{IDs: [][]int{long}}, "max_position_embeddings"},
		{"types", Input{IDs: [][]int{{1, 2}}, TypeIDs: [][]int{{0, 2}}}, "token type id 2"},
		{"mask", Input{IDs: [][]int{{1, 2}}, AttentionMask: [][]int{{1, 5}}}, "attention mask value 5"},
		{"mask rows", Input{IDs: [][]int{{1, 2}}, AttentionMask: [][]int{{1, 1}, {1, 1}}}, "2 rows"},
	}
	for _, tc := range tests {
		_, err := m.Forward(context.Background(), tc.in, nil)
		if !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: error %v, want ErrInput with %q", tc.name, err, tc.msg)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.Forward(ctx, Input{IDs: [][]int{{1, 2}}}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled forward: %v", err)
	}
}

// TestConcurrentForward runs one model from several goroutines: the
// results equal a lone call's (the workspace pool and the weights are
// shared).
func TestConcurrentForward(t *testing.T) {
	t.Parallel()
	c := tinyConfig("gelu", 2)
	m, err := New(c, randomCheckpoint(c, 5, "bert.", "pooler"))
	if err != nil {
		t.Fatal(err)
	}
	in := batchInput()
	want, err := m.Forward(context.Background(), in, nil)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			out, err := m.Forward(context.Background(), in, nil)
			if err == nil && !slices.Equal(mat.Data[float32](out.LastHiddenState), mat.Data[float32](want.LastHiddenState)) {
				err = errors.New("concurrent forward differs")
			}
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
