// Package hfconfig reads the parts of a Hugging Face config.json that every
// architecture shares (PretrainedConfig): architectures, model_type,
// torch_dtype, id2label / label2id, problem_type.
package hfconfig

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
)

// ErrInvalid is returned (wrapped, naming the file and field) for a config
// that does not parse or holds an impossible value.
var ErrInvalid = errors.New("invalid config")

// Common holds the PretrainedConfig fields shared by every model type. Each
// field holds the config.json key its json tag names.
type Common struct {
	Architectures []string          `json:"architectures"`
	ModelType     string            `json:"model_type"`
	TorchDType    string            `json:"torch_dtype"`
	ID2Label      map[string]string `json:"id2label"`
	Label2ID      map[string]int    `json:"label2id"`
	NumLabels     *int              `json:"num_labels"`
	ProblemType   string            `json:"problem_type"`
	// TieWordEmbeddings is nil when absent (transformers' default: true).
	TieWordEmbeddings *bool `json:"tie_word_embeddings"`
}

// Tied reports whether output embeddings are tied to the input ones.
func (c *Common) Tied() bool {
	return c.TieWordEmbeddings == nil || *c.TieWordEmbeddings
}

// ReadFile decodes the JSON file at path into v; errors name the file.
func ReadFile(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := Decode(data, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// Decode decodes JSON data into v, wrapping errors in ErrInvalid with the
// field at fault when the decoder knows it.
func Decode(data []byte, v any) error {
	if err := json.Unmarshal(data, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return fmt.Errorf("%w: field %q: %s is not a %s", ErrInvalid, te.Field, te.Value, te.Type)
		}
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return nil
}

// MaxLabels bounds num_labels, so that a corrupt config cannot make
// Labels allocate without limit.
const MaxLabels = 1 << 20

// Labels returns the label names indexed by class id, as PretrainedConfig
// builds them: from id2label when present (ids must be 0..n-1), else
// LABEL_0..LABEL_{n-1} with n = num_labels (default 2).
func (c *Common) Labels() ([]string, error) {
	if len(c.ID2Label) == 0 {
		n := 2
		if c.NumLabels != nil {
			n = *c.NumLabels
		}
		if n < 0 || n > MaxLabels {
			return nil, fmt.Errorf("%w: num_labels %d is outside [0, %d]", ErrInvalid, n, MaxLabels)
		}
		labels := make([]string, n)
		for i := range labels {
			labels[i] = "LABEL_" + strconv.Itoa(i)
		}
		return labels, nil
	}
	ids := make([]int, 0, len(c.ID2Label))
	byID := map[int]string{}
	for k, v := range c.ID2Label {
		id, err := strconv.Atoi(k)
		if err != nil {
			return nil, fmt.Errorf("%w: id2label key %q is not an integer", ErrInvalid, k)
		}
		if _, dup := byID[id]; dup {
			return nil, fmt.Errorf("%w: id2label has id %d twice", ErrInvalid, id)
		}
		byID[id] = v
		ids = append(ids, id)
	}
	sort.Ints(ids)
	labels := make([]string, len(ids))
	for i, id := range ids {
		if id != i {
			return nil, fmt.Errorf("%w: id2label ids are not 0..%d (missing %d)", ErrInvalid, len(ids)-1, i)
		}
		labels[i] = byID[id]
	}
	if c.NumLabels != nil && *c.NumLabels != len(labels) {
		return nil, fmt.Errorf("%w: num_labels %d but id2label has %d labels", ErrInvalid, *c.NumLabels, len(labels))
	}
	return labels, nil
}

// DTypes are the torch_dtype values a checkpoint may declare.
var DTypes = map[string]bool{"": true, "float32": true, "float16": true, "bfloat16": true, "float64": true}

// Check validates the shared fields.
func (c *Common) Check() error {
	if !DTypes[c.TorchDType] {
		return fmt.Errorf("%w: torch_dtype %q is not one of float32, float16, bfloat16, float64", ErrInvalid, c.TorchDType)
	}
	switch c.ProblemType {
	case "", "regression", "single_label_classification", "multi_label_classification":
	default:
		return fmt.Errorf("%w: problem_type %q is not regression, single_label_classification or multi_label_classification", ErrInvalid, c.ProblemType)
	}
	_, err := c.Labels()
	return err
}
