package gpt2

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/hfgo/hfgo/models/internal/fixture"
	"github.com/nlpodyssey/spago/mat"
)

func TestForwardErrors(t *testing.T) {
	t.Parallel()
	cfg := smallConfig(t) // vocab 97, n_positions 16
	m, err := New(cfg, randomWeights(&cfg, 5))
	if err != nil {
		t.Fatal(err)
	}
	full := m.NewCache(1, 4)
	if _, err := m.Forward(context.Background(), Input{InputIDs: [][]int{{1, 2, 3}}}, &Options{Cache: full}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   Input
		c    *Cache
	}{
		{"empty", Input{}, nil},
		{"empty row", Input{InputIDs: [][]int{{}}}, nil},
		{"ragged", Input{InputIDs: [][]int{{1, 2}, {1}}}, nil},
		{"id past vocab", Input{InputIDs: [][]int{{1, 97}}}, nil},
		{"negative id", Input{InputIDs: [][]int{{-1}}}, nil},
		{"mask of 2", Input{InputIDs: [][]int{{1, 2}}, AttentionMask: [][]int{{1, 2}}}, nil},
		{"mask rows", Input{InputIDs: [][]int{{1, 2}}, AttentionMask: [][]int{{1, 1}, {1, 1}}}, nil},
		{"mask length", Input{InputIDs: [][]int{{1, 2}}, AttentionMask: [][]int{{1}}}, nil},
		{"position past n_positions", Input{InputIDs: [][]int{{1}}, PositionIDs: [][]int{{16}}}, nil},
		{"too long", Input{InputIDs: [][]int{make([]int, 17)}}, nil},
		{"token type past vocab", Input{InputIDs: [][]int{{1}}, TokenTypeIDs: [][]int{{100}}}, nil},
		{"cache full", Input{InputIDs: [][]int{{1, 2}}}, full},
		{"cache batch", Input{InputIDs: [][]int{{1}, {2}}}, full},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, err := m.Forward(context.Background(), tc.in, &Options{Cache: tc.c}); !errors.Is(err, ErrInput) {
				t.Errorf("error %v, want ErrInput", err)
			}
		})
	}
	if full.Len() != 3 {
		t.Errorf("failed calls changed the cache: length %d, want 3", full.Len())
	}
}

// TestEmbeddings checks hidden_states[0] = wte[id] + wpe[position] +
// wte[token type] with explicit positions and token types.
func TestEmbeddings(t *testing.T) {
	t.Parallel()
	cfg := smallConfig(t)
	src := randomWeights(&cfg, 6)
	m, err := New(cfg, src)
	if err != nil {
		t.Fatal(err)
	}
	in := Input{InputIDs: [][]int{{3, 4}}, PositionIDs: [][]int{{7, 2}}, TokenTypeIDs: [][]int{{0, 5}}}
	out, err := m.Forward(context.Background(), in, &Options{HiddenStates: true, Logits: NoLogits})
	if err != nil {
		t.Fatal(err)
	}
	if out.Logits != nil {
		t.Error("NoLogits computed logits")
	}
	e := cfg.NEmbd
	wte, wpe := src["transformer.wte.weight"].Data, src["transformer.wpe.weight"].Data
	got := mat.Data[float32](out.HiddenStates[0])
	for t0, id := range in.InputIDs[0] {
		pos, tt := in.PositionIDs[0][t0], in.TokenTypeIDs[0][t0]
		for j := range e {
			want := float64(wte[id*e+j]) + float64(wpe[pos*e+j]) + float64(wte[tt*e+j])
			if !near(got[t0*e+j], want) {
				t.Fatalf("token %d, dim %d: %v, want %v", t0, j, got[t0*e+j], want)
			}
		}
	}
}

// TestCacheChunks feeds a sequence through the cache in chunks of several
// sizes: every chunk's logits and attentions must equal the full pass's.
func TestCacheChunks(t *testing.T) {
	t.Parallel()
	cfg := smallConfig(t)
	m, err := New(cfg, randomWeights(&cfg, 8))
	if err != nil {
		t.Fatal(err)
	}
	ids := []int{5, 9, 13, 2, 77, 41, 3, 8, 96, 0}
	full, err := m.Forward(context.Background(), Input{InputIDs: [][]int{ids}}, &Options{Attentions: true})
	if err != nil {
		t.Fatal(err)
	}
	v, h := cfg.VocabSize, cfg.NHead
	for _, chunks := range [][]int{{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, {3, 1, 2, 4}, {7, 3}, {10}} {
		c := m.NewCache(1, len(ids)+2)
		at := 0
		for _, n := range chunks {
			out, err := m.Forward(context.Background(), Input{InputIDs: [][]int{ids[at : at+n]}}, &Options{Cache: c, Attentions: true})
			if err != nil {
				t.Fatal(err)
			}
			name := fmt.Sprintf("chunks %v at %d", chunks, at)
			fixture.Close(t, name+" logits", mat.Data[float32](out.Logits), mat.Data[float32](full.Logits)[at*v:(at+n)*v])
			for l, a := range out.Attentions {
				if r, c := a.Shape()[0], a.Shape()[1]; r != h*n || c != at+n {
					t.Fatalf("%s: attentions %d x %d, want %d x %d", name, r, c, h*n, at+n)
				}
				fa := mat.Data[float32](full.Attentions[l])
				var want []float32
				for head := range h {
					for q := at; q < at+n; q++ {
						want = append(want, fa[(head*len(ids)+q)*len(ids):][:at+n]...)
					}
				}
				fixture.Close(t, fmt.Sprintf("%s layer %d attentions", name, l), mat.Data[float32](a), want)
			}
			at += n
		}
		if c.Len() != len(ids) {
			t.Errorf("cache length %d, want %d", c.Len(), len(ids))
		}
	}
}
