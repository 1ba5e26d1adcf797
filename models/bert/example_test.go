package bert_test

import (
	"context"
	"fmt"
	"log"

	"github.com/hfgo/hfgo/models/bert"
)

// The fixture model has bert-base-uncased's vocabulary and random weights,
// so its predictions are arbitrary but exactly those of transformers.
func Example() {
	ctx := context.Background()
	p, err := bert.Load(ctx, "../../testdata/fixtures/bert")
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	masks, err := p.FillMask(ctx, "The capital of France is [MASK].", 3)
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range masks[0] {
		fmt.Printf("%.5f %-8s %s\n", f.Score, f.Token, f.Sequence)
	}
	// Output:
	// 0.00076 compete  the capital of france is compete.
	// 0.00062 primate  the capital of france is primate.
	// 0.00057 ##vial   the capital of france isvial.
}

// Sentence embeddings: mean pooling for a plain checkpoint, or the
// sentence-transformers pooling its modules.json describes. The texts of a
// batch are padded, and the padding is left out of the mean.
func ExamplePipeline_EmbedBatch() {
	ctx := context.Background()
	p, err := bert.Load(ctx, "../../testdata/fixtures/bert")
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	embs, err := p.EmbedBatch(ctx, []string{"A short text.", "A somewhat longer text to embed."})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(embs), len(embs[0]), p.Pooling.Mean)
	// Output: 2 32 true
}

// Run BertModel on token ids and read the outputs of one token.
func ExampleModel_Forward() {
	ctx := context.Background()
	m, err := bert.LoadModel(ctx, "../../testdata/fixtures/bert")
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	in := bert.Input{IDs: [][]int{{101, 7592, 2088, 102}}} // [CLS] hello world [SEP]
	out, err := m.Forward(ctx, in, &bert.Options{HiddenStates: true})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(out.LastHiddenState.Shape(), out.PoolerOutput.Shape(), len(out.HiddenStates), len(out.Token(0, 1)))
	// Output: [4 32] [1 32] 3 32
}
