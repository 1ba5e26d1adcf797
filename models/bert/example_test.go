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
