package tokenizer

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The tokenizer.json files of testdata exercise every supported component; rust_components.json
// holds what the Rust library gives for them (testdata/gen/rust_reference.js).

type rustRecord struct {
	IDs               []int    `json:"ids"`
	Tokens            []string `json:"tokens"`
	Offsets           [][2]int `json:"offsets"`
	TypeIDs           []int    `json:"type_ids"`
	SpecialTokensMask []int    `json:"special_tokens_mask"`
	AttentionMask     []int    `json:"attention_mask"`
}

type rustComponents struct {
	Configs map[string]struct {
		Cases []struct {
			Text      string     `json:"text"`
			Plain     rustRecord `json:"plain"`
			Full      rustRecord `json:"full"`
			Decode    string     `json:"decode"`
			DecodeAll string     `json:"decode_all"`
		} `json:"cases"`
		Pairs []struct {
			A, B      string
			Plain     rustRecord `json:"plain"`
			Full      rustRecord `json:"full"`
			Truncated []struct {
				MaxLength int         `json:"maxLength"`
				Strategy  string      `json:"strategy"`
				Direction string      `json:"direction"`
				Result    *rustRecord `json:"result"`
				Error     string      `json:"error"`
			} `json:"truncated"`
		} `json:"pairs"`
		Padded []struct {
			MaxLength       int          `json:"maxLength"`
			Direction       string       `json:"direction"`
			PadToMultipleOf int          `json:"padToMultipleOf"`
			Texts           []string     `json:"texts"`
			Results         []rustRecord `json:"results"`
		} `json:"padded"`
	} `json:"configs"`
}

// record converts an encoding to the Rust fields, offsets in characters of the texts.
func record(e *Encoding, a, b string) rustRecord {
	offsets := make([][2]int, len(e.Offsets))
	ca, cb := CharOffsets(a, e.Offsets), CharOffsets(b, e.Offsets)
	for i, seq := range e.SequenceIDs {
		if seq == 1 {
			offsets[i] = cb[i]
		} else {
			offsets[i] = ca[i]
		}
	}
	return rustRecord{e.IDs, e.Tokens, offsets, e.TypeIDs, e.SpecialTokensMask, e.AttentionMask}
}

func TestComponentsMatchRust(t *testing.T) {
	t.Parallel()
	var fx rustComponents
	readJSON(t, filepath.Join("testdata", "rust_components.json"), &fx)
	if len(fx.Configs) == 0 {
		t.Fatal("no configurations in rust_components.json")
	}
	for name, cfg := range fx.Configs {
		t.Run(strings.TrimSuffix(name, ".tokenizer.json"), func(t *testing.T) {
			t.Parallel()
			tk, err := LoadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			check := func(what string, want rustRecord, e *Encoding, err error, a, b string) {
				t.Helper()
				if err != nil {
					t.Errorf("%s: %v", what, err)
					return
				}
				if diff := cmp.Diff(want, record(e, a, b), emptyAsNil); diff != "" {
					t.Errorf("%s (-rust +go):\n%s", what, diff)
				}
			}
			for _, c := range cfg.Cases {
				e, err := tk.Encode(c.Text, WithoutSpecialTokens())
				check("plain "+quote(c.Text), c.Plain, e, err, c.Text, "")
				e, err = tk.Encode(c.Text)
				check("full "+quote(c.Text), c.Full, e, err, c.Text, "")
				if err != nil {
					continue
				}
				if got := tk.Decode(e.IDs, true); got != c.Decode {
					t.Errorf("Decode(%s, skip) = %q, want %q", quote(c.Text), got, c.Decode)
				}
				if got := tk.Decode(e.IDs, false); got != c.DecodeAll {
					t.Errorf("Decode(%s) = %q, want %q", quote(c.Text), got, c.DecodeAll)
				}
			}
			for _, p := range cfg.Pairs {
				e, err := tk.EncodePair(p.A, p.B, WithoutSpecialTokens())
				check("plain pair "+quote(p.A), p.Plain, e, err, p.A, p.B)
				e, err = tk.EncodePair(p.A, p.B)
				check("pair "+quote(p.A), p.Full, e, err, p.A, p.B)
				for _, tr := range p.Truncated {
					opts := []Option{WithTruncation(tr.MaxLength), WithTruncationStrategy(map[string]TruncationStrategy{
						"LongestFirst": LongestFirst, "OnlyFirst": OnlyFirst, "OnlySecond": OnlySecond}[tr.Strategy])}
					if tr.Direction == "Left" {
						opts = append(opts, WithTruncationLeft())
					}
					e, err := tk.EncodePair(p.A, p.B, opts...)
					what := "pair " + quote(p.A) + " truncated " + tr.Strategy + " " + tr.Direction
					if tr.Error != "" {
						if err == nil {
							t.Errorf("%s: no error, Rust says %s", what, tr.Error)
						}
						continue
					}
					check(what, *tr.Result, e, err, p.A, p.B)
				}
			}
			for _, pd := range cfg.Padded {
				opts := []Option{WithPadding(pd.MaxLength, pd.Direction == "left"), WithPadToken("[PAD]", 0)}
				if pd.PadToMultipleOf > 0 {
					opts = append(opts, WithPadToMultipleOf(pd.PadToMultipleOf))
				}
				encs, err := tk.EncodeBatch(context.Background(), pd.Texts, opts...)
				if err != nil {
					t.Fatal(err)
				}
				for i, e := range encs {
					check("padded "+quote(pd.Texts[i]), pd.Results[i], e, nil, pd.Texts[i], "")
				}
			}
		})
	}
}

func quote(s string) string { return strings.TrimSuffix(strings.TrimPrefix(cmpQuote(s), "\""), "\"") }

func cmpQuote(s string) string { return "\"" + strings.ReplaceAll(s, "\n", `\n`) + "\"" }
