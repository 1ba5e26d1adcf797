// Package verify checks that hfgo computes what Python's transformers
// computed: it runs hfgo's tokenizers and models on the inputs of a
// reference and compares every tensor the reference holds, one Row per
// tensor, within a Tolerance (|got-want| <= atol + rtol·|want|; ids and
// other integers exactly).
//
// A reference is a folder in the format of hfgo's testdata/fixtures
// (manifest.json and expected.safetensors, as
// tools/reference/hfgo_reference.py writes them for any BERT or GPT-2
// checkpoint and texts), a folder of weight formats, a folder of PyTorch
// pickle edge cases, a tokenizer case file, or a folder of such references
// with a manifest of their files. Reference tells them apart and returns a
// Report. A value out of tolerance is a failing row, not an error, so a
// report names every tensor that differs and by how much.
//
// With a reference written by
//
//	python3 tools/reference/hfgo_reference.py google-bert/bert-base-uncased ref --no-model-files --text "Hello!"
//
// a Go test checks the Hub's checkpoint (or any copy of it) against it:
//
//	rep, err := verify.Reference(ctx, "ref", &verify.Options{Model: "google-bert/bert-base-uncased"})
//	...
//	if !rep.OK() {
//		for _, row := range rep.Failures() {
//			t.Error(row.Name, row.Detail)
//		}
//	}
//
// hfget verify REFERENCE [--model MODEL] prints the same report as a table
// or, with --json, as JSON.
package verify
