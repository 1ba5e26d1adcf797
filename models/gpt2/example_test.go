package gpt2_test

import (
	"context"
	"fmt"
	"log"
	"math"

	"github.com/hfgo/hfgo/models/gpt2"
	"github.com/nlpodyssey/spago/mat"
)

// Generate greedily from the test checkpoint (a tiny GPT-2 with random
// weights and the real vocabulary: hence the odd text), streaming the
// words as they come.
func ExamplePipeline_Stream() {
	ctx := context.Background()
	p, err := gpt2.Load(ctx, "../../testdata/fixtures/gpt2")
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	g := p.Generation // greedy, from generation_config.json
	g.MaxNewTokens = 12
	prompt := "Hello, my dog is cute"
	fmt.Print(prompt)
	for piece, err := range p.Stream(ctx, prompt, g) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Print(piece)
	}
	fmt.Println()
	// Output: Hello, my dog is cuteÃÂÃÂÃÂÃÂ glacier glacier glacier glacier glacier Beiulturalultural glaciereitx
}

// Generate token ids for a batch of prompts of different lengths: they are
// left-padded, and each gets the tokens it would get alone.
func ExampleModel_Generate() {
	ctx := context.Background()
	m, err := gpt2.LoadModel(ctx, "../../testdata/fixtures/gpt2")
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	g, err := gpt2.LoadGenerationConfig("../../testdata/fixtures/gpt2", &m.Config)
	if err != nil {
		log.Fatal(err)
	}
	g.MaxNewTokens = 5
	out, err := m.Generate(ctx, [][]int{{15496, 11}, {464, 2068, 7586}}, g)
	if err != nil {
		log.Fatal(err)
	}
	for i, seq := range out.Sequences {
		fmt.Println(seq, out.Finish[i])
	}
	// Output:
	// [15496 11 44539 44539 44539 20464 20464] length
	// [464 2068 7586 13390 44539 44539 44539 44539] length
}

// Decode incrementally: the cache keeps the keys and values of the tokens
// already run, so each step runs only the new token, and its logits are
// those of a full pass over the whole sequence.
func ExampleModel_NewCache() {
	ctx := context.Background()
	m, err := gpt2.LoadModel(ctx, "../../testdata/fixtures/gpt2")
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	ids := []int{15496, 11, 616, 3290} // "Hello, my dog"
	cache := m.NewCache(1, len(ids))
	var step *gpt2.Output
	for _, id := range ids {
		step, err = m.Forward(ctx, gpt2.Input{InputIDs: [][]int{{id}}}, &gpt2.Options{Cache: cache, Logits: gpt2.LastLogits})
		if err != nil {
			log.Fatal(err)
		}
	}
	full, err := m.Forward(ctx, gpt2.Input{InputIDs: [][]int{ids}}, &gpt2.Options{Logits: gpt2.LastLogits})
	if err != nil {
		log.Fatal(err)
	}
	a, b := mat.Data[float32](step.Logits), mat.Data[float32](full.Logits)
	fmt.Println(cache.Len(), step.Logits.Shape(), math.Abs(float64(a[44539]-b[44539])) < 1e-4)
	// Output: 4 [1 50257] true
}
