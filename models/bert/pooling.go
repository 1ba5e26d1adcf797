package bert

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"

	"github.com/hfgo/hfgo/models/internal/hfconfig"
	"github.com/nlpodyssey/spago/mat"
)

// Pooling turns token hidden states into one sentence embedding, as
// sentence-transformers' Pooling and Normalize modules do. The enabled modes
// are concatenated in the order CLS, Max, Mean, MeanSqrtLen, WeightedMean,
// LastToken.
type Pooling struct {
	// CLS, Max, Mean, MeanSqrtLen, WeightedMean and LastToken are the
	// pooling modes (pooling_mode_* in the Pooling module's config.json).
	CLS          bool `json:"pooling_mode_cls_token"`
	Max          bool `json:"pooling_mode_max_tokens"`
	Mean         bool `json:"pooling_mode_mean_tokens"`
	MeanSqrtLen  bool `json:"pooling_mode_mean_sqrt_len_tokens"`
	WeightedMean bool `json:"pooling_mode_weightedmean_tokens"`
	LastToken    bool `json:"pooling_mode_lasttoken"`
	// Dimension is word_embedding_dimension, the hidden size it expects.
	Dimension int `json:"word_embedding_dimension"`
	// Normalize scales each embedding to unit L2 norm (a Normalize module).
	Normalize bool `json:"-"`
	// MaxSeqLength is sentence_bert_config.json's max_seq_length: inputs are
	// truncated to it. 0 means the model's limit.
	MaxSeqLength int `json:"-"`
}

// MeanPooling is what sentence-transformers builds for a checkpoint without
// modules.json: mean over the attended tokens, not normalised.
func MeanPooling() *Pooling { return &Pooling{Mean: true} }

// CLSPooling takes the first token's hidden state.
func CLSPooling() *Pooling { return &Pooling{CLS: true} }

// ErrSentenceTransformers is returned for a sentence-transformers layout
// that cannot be read or holds modules this package does not run.
var ErrSentenceTransformers = errors.New("bert: sentence-transformers config")

type stModule struct {
	Path string `json:"path"`
	Type string `json:"type"`
}

// ReadPooling reads the sentence-transformers configuration of a model
// folder: modules.json, the Pooling module's config.json, a Normalize module
// and sentence_bert_config.json. It returns nil, nil when the folder has no
// modules.json.
func ReadPooling(dir string) (*Pooling, error) {
	p, err := readPooling(stFiles{os.DirFS(dir), dir})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSentenceTransformers, err)
	}
	return p, nil
}

// stFiles reads the JSON files of a model folder, naming them in errors.
type stFiles struct {
	fsys fs.FS
	dir  string
}

// read decodes the file name (slash-separated, inside the folder) into v.
func (f stFiles) read(name string, v any) error {
	if !fs.ValidPath(name) {
		return fmt.Errorf("%s is not a file inside %s", name, f.dir)
	}
	data, err := fs.ReadFile(f.fsys, name)
	if err != nil {
		return err
	}
	if err := hfconfig.Decode(data, v); err != nil {
		return fmt.Errorf("%s: %w", filepath.Join(f.dir, filepath.FromSlash(name)), err)
	}
	return nil
}

func readPooling(f stFiles) (*Pooling, error) {
	var modules []stModule
	err := f.read("modules.json", &modules)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	p, err := poolingModule(f, modules)
	if err != nil {
		return nil, err
	}
	var sb struct {
		MaxSeqLength int `json:"max_seq_length"`
	}
	if err := f.read("sentence_bert_config.json", &sb); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	p.MaxSeqLength = max(sb.MaxSeqLength, 0)
	return p, nil
}

// poolingModule reads the Pooling module of modules.json (and a Normalize
// after it), refusing modules this package does not run.
func poolingModule(f stFiles, modules []stModule) (*Pooling, error) {
	var p *Pooling
	for i, m := range modules {
		switch m.Type {
		case "sentence_transformers.models.Transformer":
			if i != 0 || (m.Path != "" && m.Path != ".") {
				return nil, fmt.Errorf("transformer module at %q (want the folder itself, first)", m.Path)
			}
		case "sentence_transformers.models.Pooling":
			p = &Pooling{}
			if err := f.read(path.Join(m.Path, "config.json"), p); err != nil {
				return nil, fmt.Errorf("pooling module at %q: %w", m.Path, err)
			}
		case "sentence_transformers.models.Normalize":
			if p == nil {
				return nil, errors.New("the Normalize module comes before the Pooling one")
			}
			p.Normalize = true
		default:
			return nil, fmt.Errorf("module %q of type %s is not supported", m.Path, m.Type)
		}
	}
	if p == nil {
		return nil, errors.New("modules.json has no Pooling module")
	}
	if !(p.CLS || p.Max || p.Mean || p.MeanSqrtLen || p.WeightedMean || p.LastToken) {
		return nil, errors.New("pooling config enables no mode")
	}
	return p, nil
}

// Size is the length of the embeddings for a hidden size h.
func (p *Pooling) Size(h int) int {
	n := 0
	for _, on := range []bool{p.CLS, p.Max, p.Mean, p.MeanSqrtLen, p.WeightedMean, p.LastToken} {
		if on {
			n += h
		}
	}
	return n
}

// Pool returns one embedding per sequence of out; mask is the attention
// mask of the input (nil: all tokens).
func (p *Pooling) Pool(out *Output, mask [][]int) [][]float32 {
	h := out.LastHiddenState.Shape()[1]
	x := mat.Data[float32](out.LastHiddenState)
	embs := make([][]float32, out.Batch)
	for s := range out.Batch {
		tokens := x[s*out.SeqLen*h : (s+1)*out.SeqLen*h]
		var m []int
		if mask != nil {
			m = mask[s]
		}
		embs[s] = p.poolOne(tokens, m, out.SeqLen, h)
	}
	return embs
}

func (p *Pooling) poolOne(x []float32, mask []int, n, h int) []float32 {
	on := func(t int) bool { return mask == nil || mask[t] != 0 }
	row := func(t int) []float32 { return x[t*h : (t+1)*h] }
	var e []float32
	if p.CLS {
		e = append(e, row(0)...)
	}
	if p.Max {
		m := make([]float32, h)
		for j := range m {
			m[j] = -1e9 // sentence-transformers' value for masked tokens
		}
		for t := range n {
			if on(t) {
				for j, v := range row(t) {
					m[j] = max(m[j], v)
				}
			}
		}
		e = append(e, m...)
	}
	sum, count := weightedSum(x, n, h, func(t int) float64 { return b2f(on(t)) })
	count = max(count, 1e-9) // sentence-transformers' clamp, for a fully masked sequence
	if p.Mean {
		e = append(e, scaled(sum, 1/count)...)
	}
	if p.MeanSqrtLen {
		e = append(e, scaled(sum, 1/math.Sqrt(count))...)
	}
	if p.WeightedMean {
		ws, wc := weightedSum(x, n, h, func(t int) float64 { return float64(t+1) * b2f(on(t)) })
		e = append(e, scaled(ws, 1/max(wc, 1e-9))...)
	}
	if p.LastToken {
		last := 0
		for t := range n {
			if on(t) {
				last = t
			}
		}
		e = append(e, row(last)...)
	}
	if p.Normalize {
		normalize(e)
	}
	return e
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// weightedSum returns Σ w(t)·x_t and Σ w(t), accumulated in float64.
func weightedSum(x []float32, n, h int, w func(int) float64) ([]float64, float64) {
	sum := make([]float64, h)
	var total float64
	for t := range n {
		wt := w(t)
		if wt == 0 {
			continue
		}
		total += wt
		for j, v := range x[t*h : (t+1)*h] {
			sum[j] += wt * float64(v)
		}
	}
	return sum, total
}

func scaled(v []float64, f float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x * f)
	}
	return out
}

// normalize scales v to unit L2 norm, as torch.nn.functional.normalize
// (norm clamped to 1e-12).
func normalize(v []float32) {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	n := max(math.Sqrt(s), 1e-12)
	for i := range v {
		v[i] = float32(float64(v[i]) / n)
	}
}
