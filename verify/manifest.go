package verify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// manifest is the part of a reference's manifest.json that verification
// reads. See testdata/fixtures/README.md for the format.
type manifest struct {
	Kind          string          `json:"kind"`
	ModelClass    string          `json:"model_class_saved"`
	FullLogitsFor []string        `json:"full_logits_for"`
	Inputs        []manifestInput `json:"inputs"`
	ExpectedFile  string          `json:"expected_file"`
	Tensors       tensorTable     `json:"tensors"`
	Tolerance     *Tolerance      `json:"tolerance"`
	Pooling       *pooling        `json:"pooling"`
	// Files is a formats reference's per-file description (an object), or
	// the list of files of a folder of references (an array).
	Files json.RawMessage `json:"files"`
}

// manifestInput is one entry of "inputs": a text (or pair) or a batch of
// texts, and what the reference's tokenizer made of it.
type manifestInput struct {
	Name     string          `json:"name"`
	Text     *string         `json:"text"`
	TextPair *string         `json:"text_pair"`
	Texts    []string        `json:"texts"`
	Tokens   []string        `json:"tokens"`
	InputIDs json.RawMessage `json:"input_ids"`
}

// pooling is the sentence-transformers pooling of a reference's
// sentence_embedding tensors.
type pooling struct {
	Mode      string `json:"mode"` // cls, mean or max
	Normalize bool   `json:"normalize"`
}

// tensorSpec is one entry of "tensors".
type tensorSpec struct {
	DType string `json:"dtype"`
	Shape []int  `json:"shape"`
}

// tensorTable is the "tensors" object, in the manifest's order.
type tensorTable struct {
	Names []string
	Specs map[string]tensorSpec
}

// UnmarshalJSON reads the object keeping the order of its keys.
func (t *tensorTable) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		return nil
	}
	if err := json.Unmarshal(b, &t.Specs); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil { // {
		return err
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		t.Names = append(t.Names, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return err
		}
	}
	return nil
}

// readManifest reads dir/manifest.json.
func readManifest(dir string) (*manifest, error) {
	path := filepath.Join(dir, "manifest.json")
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("%w: %s has no manifest.json (nor edge_cases.json)", ErrReference, dir)
	}
	var m manifest
	if err := readJSON(path, &m); err != nil {
		return nil, err
	}
	if m.Tolerance != nil && (m.Tolerance.ATol < 0 || m.Tolerance.RTol < 0) {
		return nil, fmt.Errorf("%w: %s: negative tolerance %+v", ErrReference, path, *m.Tolerance)
	}
	return &m, nil
}

// ids returns the input's "input_ids" as rows (one row for a single text).
func (in *manifestInput) ids() ([][]int64, error) {
	if len(in.InputIDs) == 0 || string(in.InputIDs) == "null" {
		return nil, nil
	}
	var rows [][]int64
	if err := json.Unmarshal(in.InputIDs, &rows); err == nil {
		return rows, nil
	}
	var row []int64
	if err := json.Unmarshal(in.InputIDs, &row); err != nil {
		return nil, fmt.Errorf("input %s: input_ids: %v", in.Name, err)
	}
	return [][]int64{row}, nil
}
