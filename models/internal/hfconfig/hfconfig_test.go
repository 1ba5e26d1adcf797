package hfconfig

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLabels(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		json string
		want []string
		err  bool
	}{
		{"default", `{}`, []string{"LABEL_0", "LABEL_1"}, false},
		{"num_labels", `{"num_labels": 3}`, []string{"LABEL_0", "LABEL_1", "LABEL_2"}, false},
		{"id2label", `{"id2label": {"1": "pos", "0": "neg"}}`, []string{"neg", "pos"}, false},
		{"gap", `{"id2label": {"0": "a", "2": "c"}}`, nil, true},
		{"key", `{"id2label": {"one": "a"}}`, nil, true},
		{"count", `{"id2label": {"0": "a"}, "num_labels": 2}`, nil, true},
		{"huge", `{"num_labels": 1048577}`, nil, true},
	}
	for _, tc := range tests {
		var c Common
		if err := Decode([]byte(tc.json), &c); err != nil {
			t.Fatal(err)
		}
		got, err := c.Labels()
		if tc.err {
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("%s: error %v, want ErrInvalid", tc.name, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: (-want +got)\n%s", tc.name, diff)
		}
	}
}

func TestTied(t *testing.T) {
	t.Parallel()
	var c Common
	if !c.Tied() {
		t.Error("absent tie_word_embeddings is not tied")
	}
	_ = Decode([]byte(`{"tie_word_embeddings": false}`), &c)
	if c.Tied() {
		t.Error("tie_word_embeddings false is tied")
	}
}

func TestDecodeNamesField(t *testing.T) {
	t.Parallel()
	var c Common
	err := Decode([]byte(`{"architectures": "BertModel"}`), &c)
	if !errors.Is(err, ErrInvalid) || err == nil || !strings.Contains(err.Error(), "architectures") {
		t.Errorf("error %v does not name the field", err)
	}
}
