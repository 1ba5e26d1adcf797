package verify_test

import (
	"context"
	"fmt"
	"log"

	"github.com/hfgo/hfgo/verify"
)

// Verify every weight format of the GPT-2 formats fixture against the
// outputs transformers computed, and look at one row.
func ExampleReference() {
	rep, err := verify.Reference(context.Background(), "../testdata/fixtures/formats/gpt2", nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(rep.OK())
	row, _ := rep.Row("pytorch_model_legacy.bin: fp32.logits")
	fmt.Println(row.Name, row.Shape, row.Status)
	fmt.Println(rep.Summary())
	// Output:
	// true
	// pytorch_model_legacy.bin: fp32.logits [2 11 512] pass
	// OK ../testdata/fixtures/formats/gpt2 (gpt2-formats): 185 passed, 0 failed, 2 inputs
}

// Verify a model of your own in a test: write a reference with
// tools/reference/hfgo_reference.py, then assert it.
func ExampleReference_model() {
	rep, err := verify.Reference(context.Background(), "../testdata/fixtures/bert",
		&verify.Options{Model: "../testdata/fixtures/bert"})
	if err != nil {
		log.Fatal(err)
	}
	for _, row := range rep.Failures() {
		fmt.Println(row.Name, row.Detail)
	}
	fmt.Println(rep.OK(), rep.Count(verify.Fail))
	// Output:
	// true 0
}

func ExampleCompare() {
	got := []float32{0.5, 1.00005, 2}
	want := []float32{0.5, 1, 2.01}
	row := verify.Compare("logits", got, want, []int{1, 3}, verify.DefaultTolerance)
	fmt.Println(row.Status)
	fmt.Println(row.Detail)
	// Output:
	// fail
	// 1 of 3 values out of tolerance; first at [0 2]: got 2, want 2.009999990463257
}
