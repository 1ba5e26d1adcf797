package verify

import (
	"context"
	"errors"
	"fmt"

	"github.com/hfgo/hfgo/models/bert"
	"github.com/nlpodyssey/spago/mat"
)

// Why a BERT checkpoint cannot give an output: the head it lacks.
var (
	errNoPooler     = errors.New("the checkpoint has no pooler (bert.pooler.dense)")
	errNoMLM        = errors.New("the checkpoint has no MLM head (cls.predictions)")
	errNoNSP        = errors.New("the checkpoint has no next-sentence head (cls.seq_relationship)")
	errNoClassifier = errors.New("the checkpoint has no sequence classification head (classifier)")
	errNoTokenHead  = errors.New("the checkpoint has no token classification head (classifier)")
	errNoPooling    = errors.New("the manifest has no pooling for sentence_embedding")
)

// runBERT loads the model and computes every output of every input.
func runBERT(ctx context.Context, path string, man *manifest, exp *expected, inputs []modelInput, res *results) {
	m, err := bert.LoadModel(ctx, path)
	if err != nil {
		res.all = fmt.Errorf("loading the model: %v", err)
		return
	}
	defer m.Close()
	pool, perr := bertPooling(man.Pooling)
	cols := columns(exp, "mlm_logits_cols")
	for _, in := range inputs {
		if res.prefix[in.name] != nil {
			continue
		}
		if err := bertOutputs(ctx, m, in, pool, perr, cols, res); err != nil {
			res.prefix[in.name] = err
		}
	}
}

// bertPooling turns the manifest's pooling into the model package's.
func bertPooling(p *pooling) (*bert.Pooling, error) {
	if p == nil {
		return nil, errNoPooling
	}
	out := &bert.Pooling{Normalize: p.Normalize}
	switch p.Mode {
	case "cls":
		out.CLS = true
	case "mean":
		out.Mean = true
	case "max":
		out.Max = true
	default:
		return nil, fmt.Errorf("pooling mode %q is not cls, mean or max", p.Mode)
	}
	return out, nil
}

// bertOutputs runs one input and stores its outputs under in.name.
func bertOutputs(ctx context.Context, m *bert.Model, in modelInput, pool *bert.Pooling, perr error, cols []int64, res *results) error {
	out, err := m.Forward(ctx, bert.Input{IDs: in.ids, TypeIDs: in.types, AttentionMask: in.mask}, &bert.Options{HiddenStates: true, Attentions: true})
	if err != nil {
		return fmt.Errorf("forward pass: %v", err)
	}
	p := in.name + "."
	B, L, H := out.Batch, out.SeqLen, m.Config.HiddenSize
	heads := m.Config.NumAttentionHeads
	res.put(p+"last_hidden_state", floats(mat.Data[float32](out.LastHiddenState), B, L, H))
	if out.PoolerOutput != nil {
		res.put(p+"pooler_output", floats(mat.Data[float32](out.PoolerOutput), B, H))
	}
	res.cannot(errNoPooler, p+"pooler_output")
	for i, h := range out.HiddenStates {
		res.put(fmt.Sprintf("%shidden_states.%d", p, i), floats(mat.Data[float32](h), B, L, H))
	}
	for i, a := range out.Attentions {
		res.put(fmt.Sprintf("%sattentions.%d", p, i), floats(mat.Data[float32](a), B, heads, L, L))
	}
	if m.MLM != nil {
		lg, err := m.MLMLogits(out, nil)
		if err != nil {
			return fmt.Errorf("MLM logits: %v", err)
		}
		summarize(res, in.name, "mlm_logits", mat.Data[float32](lg), []int{B, L}, m.Config.VocabSize, cols)
	}
	res.cannot(errNoMLM, p+"mlm_logits", p+"mlm_logits_sel", p+"mlm_logits_argmax", p+"mlm_logits_max", p+"mlm_logits_logsumexp")
	if m.NSP != nil {
		nsp, err := m.NSPLogits(out)
		if err != nil {
			return fmt.Errorf("NSP logits: %v", err)
		}
		res.put(p+"nsp_logits", floats(mat.Data[float32](nsp), B, 2))
	}
	res.cannot(errNoNSP, p+"nsp_logits")
	if err := classifierOutputs(m, out, p, res); err != nil {
		return err
	}
	if pool != nil {
		embs := pool.Pool(out, in.mask)
		var flat []float32
		for _, e := range embs {
			flat = append(flat, e...)
		}
		res.put(p+"sentence_embedding", floats(flat, B, len(flat)/max(B, 1)))
	}
	res.cannot(perr, p+"sentence_embedding")
	return nil
}

// classifierOutputs stores the logits of a sequence or token classifier.
func classifierOutputs(m *bert.Model, out *bert.Output, p string, res *results) error {
	if c := m.Classifier; c != nil {
		lg, err := m.ClassifierLogits(out)
		if err != nil {
			return fmt.Errorf("classifier logits: %v", err)
		}
		n := lg.Shape()[1]
		if c.PerToken {
			res.put(p+"token_classification_logits", floats(mat.Data[float32](lg), out.Batch, out.SeqLen, n))
			res.cannot(errors.New("the checkpoint's classifier is a token classifier"), p+"classification_logits")
		} else {
			res.put(p+"classification_logits", floats(mat.Data[float32](lg), out.Batch, n))
			res.cannot(errors.New("the checkpoint's classifier is a sequence classifier"), p+"token_classification_logits")
		}
	}
	res.cannot(errNoClassifier, p+"classification_logits")
	res.cannot(errNoTokenHead, p+"token_classification_logits")
	return nil
}
