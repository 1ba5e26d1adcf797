package weights

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nlpodyssey/spago/mat"
)

func testSource() Memory {
	return Memory{
		"bert.embeddings.LayerNorm.gamma":         {Data: []float32{1, 2}, Shape: []int{2}},
		"bert.embeddings.LayerNorm.beta":          {Data: []float32{3, 4}, Shape: []int{2}},
		"bert.pooler.dense.weight":                {Data: []float32{1, 2, 3, 4, 5, 6}, Shape: []int{2, 3}},
		"cls.predictions.bias":                    {Data: []float32{7}, Shape: []int{1}},
		"bert.embeddings.position_ids":            {Data: []float32{0, 1}, Shape: []int{1, 2}},
		"encoder.layer.0.output.LayerNorm.weight": {Data: []float32{9}, Shape: []int{1}},
		"encoder.layer.0.output.LayerNorm.gamma":  {Data: []float32{8}, Shape: []int{1}},
		"broken":                                  {Data: []float32{1}, Shape: []int{2}},
		"cube":                                    {Data: make([]float32, 8), Shape: []int{2, 2, 2}},
	}
}

func TestLoaderTensor(t *testing.T) {
	t.Parallel()
	l := NewLoader(testSource(), "bert.", "")
	l.Alias(".gamma", ".weight")
	l.Alias(".beta", ".bias")
	tests := []struct {
		name  string
		shape []int
		want  []float32
		rows  int
		err   error
	}{
		{"embeddings.LayerNorm.weight", []int{2}, []float32{1, 2}, 2, nil},
		{"embeddings.LayerNorm.bias", []int{2}, []float32{3, 4}, 2, nil},
		{"pooler.dense.weight", []int{2, 3}, []float32{1, 2, 3, 4, 5, 6}, 2, nil},
		{"cls.predictions.bias", []int{1}, []float32{7}, 1, nil},
		// The real name wins over an alias.
		{"encoder.layer.0.output.LayerNorm.weight", []int{1}, []float32{9}, 1, nil},
		{"pooler.dense.weight", []int{3, 2}, nil, 0, ErrShape},
		{"pooler.dense.bias", []int{2}, nil, 0, ErrMissing},
		{"broken", []int{2}, nil, 0, nil},
		{"cube", []int{2, 2, 2}, nil, 0, nil},
	}
	for _, tc := range tests {
		m, err := l.Tensor(tc.name, tc.shape...)
		if tc.want == nil {
			var te *TensorError
			if err == nil || !errors.As(err, &te) {
				t.Errorf("%s: error %v, want a *TensorError", tc.name, err)
			}
			if tc.err != nil && !errors.Is(err, tc.err) {
				t.Errorf("%s: error %v, want %v", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if diff := cmp.Diff(tc.want, mat.Data[float32](m)); diff != "" {
			t.Errorf("%s: (-want +got)\n%s", tc.name, diff)
		}
		if m.Shape()[0] != tc.rows {
			t.Errorf("%s: %d rows, want %d", tc.name, m.Shape()[0], tc.rows)
		}
	}
	if _, err := l.Under("pooler.dense.weight").Tensor("pooler.dense.bias", 2); err == nil || !strings.Contains(err.Error(), "tensor bert.pooler.dense.bias:") {
		t.Errorf("Under(a bert. name) names a missing tensor %v", err)
	}
	if _, err := l.Under("encoder.layer.0.output.LayerNorm.weight").Tensor("pooler.dense.bias", 2); err == nil || !strings.Contains(err.Error(), "tensor pooler.dense.bias:") {
		t.Errorf("Under(an unprefixed name) names a missing tensor %v", err)
	}
	if l.Under("nowhere") != l {
		t.Error("Under an absent anchor is not the loader itself")
	}
	heads := l.WithPrefixes("")
	if _, err := heads.Tensor("embeddings.LayerNorm.weight", 2); !errors.Is(err, ErrMissing) {
		t.Errorf("WithPrefixes(\"\") found a bert.-prefixed name: %v", err)
	}
	if _, err := heads.Tensor("bert.embeddings.LayerNorm.weight", 2); err != nil {
		t.Errorf("WithPrefixes loses the aliases: %v", err)
	}
	if !l.Used("bert.embeddings.LayerNorm.gamma") || l.Used("encoder.layer.0.output.LayerNorm.gamma") {
		t.Error("Used does not report the checkpoint names loaded")
	}
	got := l.Unused(func(n string) bool { return HasSuffix(n, "position_ids") })
	want := []string{"broken", "cube", "encoder.layer.0.output.LayerNorm.gamma"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Unused (-want +got)\n%s", diff)
	}
}

func TestShapeErrorMessage(t *testing.T) {
	t.Parallel()
	l := NewLoader(testSource(), "bert.", "")
	_, err := l.Tensor("pooler.dense.weight", 4, 3)
	want := "tensor bert.pooler.dense.weight: shape [2 3], want [4 3]"
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
}

// releasing is a Memory source that records the names it was asked to
// release, and fails for one.
type releasing struct {
	Memory
	released []string
	fail     string
}

func (r *releasing) Release(name string) error {
	if name == r.fail {
		return errors.New("cannot release")
	}
	r.released = append(r.released, name)
	return nil
}

func TestLoaderTransposed(t *testing.T) {
	t.Parallel()
	src := &releasing{Memory: testSource(), fail: "broken2"}
	src.Memory["broken2"] = Dense{Data: []float32{1, 2}, Shape: []int{1, 2}}
	l := NewLoader(src, "bert.", "")
	m, err := l.Transposed("pooler.dense.weight", 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	if r, c := m.Shape()[0], m.Shape()[1]; r != 3 || c != 2 {
		t.Errorf("shape %dx%d, want 3x2", r, c)
	}
	if diff := cmp.Diff([]float32{1, 4, 2, 5, 3, 6}, mat.Data[float32](m)); diff != "" {
		t.Errorf("values (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"bert.pooler.dense.weight"}, src.released); diff != "" {
		t.Errorf("released (-want +got):\n%s", diff)
	}
	if src.Memory["bert.pooler.dense.weight"].Data[1] != 2 {
		t.Error("the source tensor was changed")
	}
	if _, err := l.Transposed("pooler.dense.weight", 3, 2); !errors.Is(err, ErrShape) {
		t.Errorf("wrong shape: %v, want ErrShape", err)
	}
	var te *TensorError
	if _, err := l.Transposed("broken2", 1, 2); !errors.As(err, &te) || te.Name != "broken2" {
		t.Errorf("failed release: %v, want a *TensorError naming broken2", err)
	}
}

// TestLoaderCopyVectors checks that after CopyVectors a loader, and one
// made from it, return 1-D tensors as copies and release them, leave 2-D
// ones in place, and that ReleaseCopied releases every copy once more.
func TestLoaderCopyVectors(t *testing.T) {
	t.Parallel()
	src := &releasing{Memory: testSource()}
	src.Memory["bert.pooler.dense.bias"] = Dense{Data: []float32{7, 8}, Shape: []int{2}}
	l := NewLoader(src, "bert.", "")
	l.CopyVectors()
	under := l.Under("pooler.dense.weight")
	b, err := under.Tensor("pooler.dense.bias", 2)
	if err != nil {
		t.Fatal(err)
	}
	src.Memory["bert.pooler.dense.bias"].Data[0] = -1
	if diff := cmp.Diff([]float32{7, 8}, mat.Data[float32](b)); diff != "" {
		t.Errorf("copied bias (-want +got):\n%s", diff)
	}
	w, err := l.Tensor("pooler.dense.weight", 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	if &mat.Data[float32](w)[0] != &src.Memory["bert.pooler.dense.weight"].Data[0] {
		t.Error("a 2-D tensor was copied")
	}
	if _, err := l.Transposed("pooler.dense.weight", 2, 3); err != nil {
		t.Fatal(err)
	}
	want := []string{"bert.pooler.dense.bias", "bert.pooler.dense.weight"}
	if diff := cmp.Diff(want, src.released); diff != "" {
		t.Errorf("released (-want +got):\n%s", diff)
	}
	if err := l.ReleaseCopied(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(append(want, want...), src.released); diff != "" {
		t.Errorf("released after ReleaseCopied (-want +got):\n%s", diff)
	}
	l.Arena().Free()
}
