package bert

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hfgo/hfgo/models/internal/fixture"
	"github.com/hfgo/hfgo/tokenizer"
	"github.com/nlpodyssey/spago/mat"
)

// TestFixtureFromTexts runs every fixture input end to end: the text
// through the tokenizer (ids must equal the fixture's), then the model.
func TestFixtureFromTexts(t *testing.T) {
	t.Parallel()
	t.Run("vocab.txt", func(t *testing.T) {
		t.Parallel()
		checkFixtureTexts(t, bertDir)
	})
	t.Run("tokenizer.json", func(t *testing.T) {
		t.Parallel()
		// The same model with bert-base-uncased's tokenizer.json instead of
		// the slow tokenizer's files.
		dir := t.TempDir()
		for dst, src := range map[string]string{
			"config.json":       filepath.Join(bertDir, "config.json"),
			"model.safetensors": filepath.Join(bertDir, "model.safetensors"),
			"tokenizer.json":    filepath.Join(fixture.Dir, "tokenizer_json", "bert-base-uncased.tokenizer.json"),
		} {
			abs, err := filepath.Abs(src)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(abs, filepath.Join(dir, dst)); err != nil {
				t.Fatal(err)
			}
		}
		checkFixtureTexts(t, dir)
	})
}

func checkFixtureTexts(t *testing.T, dir string) {
	man := readManifest(t, bertDir)
	exp := fixture.Open(t, filepath.Join(bertDir, "expected.safetensors"))
	p, err := Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for _, fx := range man.Inputs {
		t.Run(fx.Name, func(t *testing.T) {
			want := fixtureInput(t, exp, fx.Name)
			var in Input
			switch {
			case fx.Texts != nil:
				in, _, err = p.Encode(context.Background(), fx.Texts)
			case fx.TextPair != nil:
				var enc *tokenizer.Encoding
				enc, err = p.Tokenizer.EncodePair(fx.Text, *fx.TextPair)
				if err == nil {
					in = Input{IDs: [][]int{enc.IDs}, TypeIDs: [][]int{enc.TypeIDs}, AttentionMask: [][]int{enc.AttentionMask}}
				}
			default:
				in, _, err = p.Encode(context.Background(), []string{fx.Text})
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, in); diff != "" {
				t.Fatalf("encoded input (-fixture +got)\n%s", diff)
			}
			full := false
			for _, f := range man.FullLogitsFor {
				full = full || f == fx.Name
			}
			checkOutputs(t, p.Model, exp, fx.Name, in, full)
		})
	}
}

// TestFillMask checks FillMask against the MLM logits turned into
// probabilities in float64.
func TestFillMask(t *testing.T) {
	t.Parallel()
	p, err := Load(context.Background(), bertDir)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx := context.Background()
	texts := []string{"The capital of France is [MASK].", "a [MASK] b [MASK] c, and a much longer text."}
	got, err := p.FillMaskBatch(ctx, texts, 3)
	if err != nil {
		t.Fatal(err)
	}
	for i, text := range texts {
		in, _, err := p.Encode(ctx, []string{text})
		if err != nil {
			t.Fatal(err)
		}
		out, err := p.Model.Forward(ctx, in, nil)
		if err != nil {
			t.Fatal(err)
		}
		logits, err := p.Model.MLMLogits(out, nil)
		if err != nil {
			t.Fatal(err)
		}
		lg, v := mat.Data[float32](logits), logits.Shape()[1]
		var masks []int
		for t, id := range in.IDs[0] {
			if id == 103 {
				masks = append(masks, t)
			}
		}
		if len(got[i]) != len(masks) {
			t.Fatalf("%q: %d masks filled, want %d", text, len(got[i]), len(masks))
		}
		for m, pos := range masks {
			row := lg[pos*v : (pos+1)*v]
			for r, f := range got[i][m] {
				want := topIndices(row, 3)[r]
				if f.ID != want {
					t.Errorf("%q mask %d rank %d: id %d, want %d", text, m, r, f.ID, want)
				}
				if d := math.Abs(float64(f.Score) - softmax64(row, want)); d > 1e-6 {
					t.Errorf("%q mask %d rank %d: score %g, want %g", text, m, r, f.Score, softmax64(row, want))
				}
				tok, _ := p.Tokenizer.IDToToken(want)
				if f.Token != tok && "##"+f.Token != tok {
					t.Errorf("token_str %q for %q", f.Token, tok)
				}
			}
		}
	}
	if s := got[0][0][0].Sequence; !strings.HasPrefix(s, "the capital of france is ") || strings.Contains(s, "[") {
		t.Errorf("sequence %q", s)
	}
	if s := got[1][0][0].Sequence; !strings.Contains(s, "[CLS]") || !strings.Contains(s, "[MASK]") {
		t.Errorf("sequence of a two-mask text keeps the other mask and the special tokens: %q", s)
	}
	if _, err := p.FillMask(ctx, "no mask here", 5); !errors.Is(err, ErrInput) {
		t.Errorf("text without a mask: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := p.FillMask(cancelled, texts[0], 5); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func softmax64(row []float32, i int) float64 {
	mx := math.Inf(-1)
	for _, v := range row {
		mx = math.Max(mx, float64(v))
	}
	var s float64
	for _, v := range row {
		s += math.Exp(float64(v) - mx)
	}
	return math.Exp(float64(row[i])-mx) / s
}

func TestTopIndices(t *testing.T) {
	t.Parallel()
	x := []float32{1, 5, 3, 5, -1, 4}
	tests := []struct {
		k    int
		want []int
	}{{1, []int{1}}, {3, []int{1, 3, 5}}, {0, []int{1, 3, 5, 2, 0, 4}}, {10, []int{1, 3, 5, 2, 0, 4}}}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, topIndices(x, tc.k)); diff != "" {
			t.Errorf("k=%d: (-want +got)\n%s", tc.k, diff)
		}
	}
}

// tinyVocab is a WordPiece vocabulary for the generated checkpoints.
var tinyVocab = []string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
	"the", "cat", "sat", "on", "mat", "a", "dog", "ran", ".", ",", "!", "##s", "is", "good", "bad",
	"not", "very", "and", "it", "was", "fun", "i", "like", "##ing", "walk"}

// writeTinyModel writes a generated checkpoint with a tokenizer (and the
// extra files given) into a new folder.
func writeTinyModel(t *testing.T, c *Config, heads []string, extra map[string]string) (string, *ref) {
	t.Helper()
	dir := writeFiles(t, extra)
	sd := randomCheckpoint(c, 11, "bert.", heads...)
	writeCheckpoint(t, dir, c, sd)
	if err := os.WriteFile(filepath.Join(dir, "vocab.txt"), []byte(strings.Join(tinyVocab, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tc := `{"do_lower_case": true, "model_max_length": 16, "tokenizer_class": "BertTokenizer"}`
	if err := os.WriteFile(filepath.Join(dir, "tokenizer_config.json"), []byte(tc), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, &ref{c: c, sd: sd, p: "bert."}
}

var tinyTexts = []string{"The cat sat on the mat.", "I like walking!", "it was not very fun, and bad"}

func TestClassify(t *testing.T) {
	t.Parallel()
	c := tinyConfig("gelu", 3)
	c.Architectures = []string{"BertForSequenceClassification"}
	c.ID2Label = map[string]string{"0": "negative", "1": "neutral", "2": "positive"}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	dir, r := writeTinyModel(t, c, []string{"pooler", "classifier"}, nil)
	p, err := Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	p.BatchSize = 2 // two forward passes, texts reordered by length
	got, err := p.ClassifyBatch(context.Background(), tinyTexts)
	if err != nil {
		t.Fatal(err)
	}
	checkLabelScores(t, p, r, tinyTexts, got, softmax64)
	for i, text := range tinyTexts {
		if got[i][0].Score < got[i][1].Score || got[i][1].Score < got[i][2].Score {
			t.Errorf("%q: labels not sorted by score: %v", text, got[i])
		}
	}
	first, second := []string{"the cat sat", "i like walking on the mat, and it was fun"}, []string{"a dog ran.", "not bad"}
	pairs, err := p.ClassifyPairs(context.Background(), first, second)
	if err != nil {
		t.Fatal(err)
	}
	for i := range first {
		enc, err := p.Tokenizer.EncodePair(first[i], second[i], tokenizer.WithTruncation(16))
		if err != nil {
			t.Fatal(err)
		}
		if enc.TypeIDs[len(enc.TypeIDs)-1] != 1 {
			t.Fatalf("pair encoding without second segment: %v", enc.TypeIDs)
		}
		_, pooled := r.forward(enc.IDs, enc.TypeIDs)
		row := flat32(r.linear("classifier", [][]float64{pooled})[0])
		for _, ls := range pairs[i] {
			j := slicesIndex(c.Labels, ls.Label)
			if d := math.Abs(float64(ls.Score) - softmax64(row, j)); d > 1e-5 {
				t.Errorf("pair %d %s: score %g, want %g", i, ls.Label, ls.Score, softmax64(row, j))
			}
		}
	}
	if _, err := p.ClassifyPairs(context.Background(), first, second[:1]); !errors.Is(err, ErrInput) {
		t.Errorf("pairs of different lengths: %v", err)
	}
	if _, err := p.ClassifyTokens(context.Background(), "a"); !errors.Is(err, ErrNoHead) {
		t.Errorf("ClassifyTokens on a sequence classifier: %v", err)
	}
	if _, err := p.FillMask(context.Background(), "a [MASK]", 1); !errors.Is(err, ErrNoHead) {
		t.Errorf("FillMask without MLM head: %v", err)
	}
}

func slicesIndex(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

func TestClassifyTokens(t *testing.T) {
	t.Parallel()
	c := tinyConfig("gelu", 3)
	c.Architectures = []string{"BertForTokenClassification"}
	c.ID2Label = map[string]string{"0": "O", "1": "B-X", "2": "I-X"}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	dir, r := writeTinyModel(t, c, []string{"classifier"}, nil)
	p, err := Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	text := tinyTexts[2]
	got, err := p.ClassifyTokens(context.Background(), text)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := p.Tokenizer.Encode(text)
	if err != nil {
		t.Fatal(err)
	}
	hidden, _ := r.forward(enc.IDs, enc.TypeIDs)
	logits := r.linear("classifier", hidden)
	var want []TokenLabel
	for t := 1; t < len(enc.IDs)-1; t++ {
		row := flat32(logits[t])
		best := topIndices(row, 1)[0]
		if best == 0 {
			continue
		}
		want = append(want, TokenLabel{Entity: c.Labels[best], Score: float32(softmax64(row, best)), Index: t,
			Word: enc.Tokens[t], Start: enc.Offsets[t][0], End: enc.Offsets[t][1]})
	}
	if len(want) == 0 {
		t.Fatal("the generated model labels every token O: pick another seed")
	}
	if diff := cmp.Diff(want, got, cmpApprox); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

func TestEmbedSentenceTransformers(t *testing.T) {
	t.Parallel()
	c := tinyConfig("gelu", 2)
	c.Architectures = []string{"BertModel"}
	dir, r := writeTinyModel(t, c, []string{"pooler"}, map[string]string{
		"modules.json":              miniLMModules,
		"1_Pooling/config.json":     strings.Replace(miniLMPooling, "384", "12", 1),
		"sentence_bert_config.json": `{"max_seq_length": 5}`,
	})
	p, err := Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if p.MaxLength != 5 || !p.Pooling.Mean || !p.Pooling.Normalize {
		t.Fatalf("pipeline %+v, pooling %+v", p, p.Pooling)
	}
	got, err := p.EmbedBatch(context.Background(), tinyTexts)
	if err != nil {
		t.Fatal(err)
	}
	for i, text := range tinyTexts {
		enc, err := p.Tokenizer.Encode(text, tokenizer.WithTruncation(5))
		if err != nil {
			t.Fatal(err)
		}
		hidden, _ := r.forward(enc.IDs, enc.TypeIDs)
		mean := make([]float64, c.HiddenSize)
		for _, row := range hidden {
			for j, v := range row {
				mean[j] += v / float64(len(hidden))
			}
		}
		var n float64
		for _, v := range mean {
			n += v * v
		}
		for j := range mean {
			mean[j] /= math.Sqrt(n)
		}
		fixture.Close(t, text, got[i], flat32(mean))
	}
}

// TestClassifyProblemTypes checks the scores transformers' text
// classification pipeline gives by default: a sigmoid per label for
// problem_type multi_label_classification or a single label, else softmax.
func TestClassifyProblemTypes(t *testing.T) {
	t.Parallel()
	sigmoid := func(row []float32, j int) float64 { return 1 / (1 + math.Exp(-float64(row[j]))) }
	for _, tc := range []struct {
		name    string
		labels  int
		problem string
		score   func(row []float32, j int) float64
	}{
		{"multi-label", 3, "multi_label_classification", sigmoid},
		{"single label", 1, "", sigmoid},
		{"regression, one output", 1, "regression", sigmoid},
		{"single-label classification", 3, "single_label_classification", softmax64},
		{"regression, several outputs", 2, "regression", softmax64},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := tinyConfig("gelu", tc.labels)
			c.Architectures = []string{"BertForSequenceClassification"}
			c.ProblemType = tc.problem
			dir, r := writeTinyModel(t, c, []string{"pooler", "classifier"}, nil)
			p, err := Load(context.Background(), dir)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			if p.Model.Config.ProblemType != tc.problem {
				t.Fatalf("problem_type %q read as %q", tc.problem, p.Model.Config.ProblemType)
			}
			got, err := p.ClassifyBatch(context.Background(), tinyTexts)
			if err != nil {
				t.Fatal(err)
			}
			checkLabelScores(t, p, r, tinyTexts, got, tc.score)
		})
	}
}

// checkLabelScores compares every label's score for each text with score
// applied to the float64 reference's classifier logits.
func checkLabelScores(t *testing.T, p *Pipeline, r *ref, texts []string, got [][]LabelScore, score func(logits []float32, label int) float64) {
	t.Helper()
	labels := p.Model.Config.Labels
	for i, text := range texts {
		enc, err := p.Tokenizer.Encode(text)
		if err != nil {
			t.Fatal(err)
		}
		_, pooled := r.forward(enc.IDs, enc.TypeIDs)
		row := flat32(r.linear("classifier", [][]float64{pooled})[0])
		if len(got[i]) != len(labels) {
			t.Fatalf("%q: %d labels, want %d", text, len(got[i]), len(labels))
		}
		for _, ls := range got[i] {
			if want := score(row, slicesIndex(labels, ls.Label)); math.Abs(float64(ls.Score)-want) > 1e-5 {
				t.Errorf("%q %s: score %g, want %g", text, ls.Label, ls.Score, want)
			}
		}
	}
}
