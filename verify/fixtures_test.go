package verify

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestFixtures verifies the whole fixtures folder: every file's sha256, then
// every reference in it. Each must pass, with a row for every tensor of
// every manifest.
func TestFixtures(t *testing.T) {
	t.Parallel()
	rep, err := Reference(context.Background(), fixtures, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Kind != KindSuite {
		t.Errorf("kind %q, want %q", rep.Kind, KindSuite)
	}
	for _, row := range rep.Failures() {
		t.Errorf("%s %v: %s", row.Name, row.Shape, row.Detail)
	}
	if !rep.OK() {
		t.Fatalf("not OK: %s", rep.Summary())
	}
	got := statuses(rep)
	for _, sub := range []string{"bert", "gpt2", "formats/bert", "formats/gpt2"} {
		m, err := readManifest(filepath.Join(fixtures, sub))
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range m.Tensors.Names {
			name := sub + ": " + n
			if strings.HasPrefix(sub, "formats/") && !strings.HasPrefix(n, "input.") {
				name = sub + ": model.safetensors: " + n
				if !strings.HasPrefix(n, "fp32.") {
					name = sub + ": " + n[:4] + ": " + n
				}
			}
			if s := got[name]; s != Pass && s != Input {
				t.Errorf("row %s has status %q", name, s)
			}
		}
	}
	wantStatus(t, rep, map[string]Status{
		"file bert/model.safetensors":                                             Pass,
		"file pickle_edge/edge_cases_legacy.bin":                                  Pass,
		"bert: t0_english.mlm_logits":                                             Pass,
		"bert: t6_pair.token_type_ids":                                            Pass,
		"bert: batch.attention_mask":                                              Pass,
		"bert: t4_korean.tokens":                                                  Pass,
		"bert: mlm_logits_cols":                                                   Input,
		"gpt2: p0_short.logits":                                                   Pass,
		"gpt2: p3_unicode.incremental_logits_sel":                                 Pass,
		"gpt2: p1_sentence.generated_ids":                                         Pass,
		"gpt2: p2_whitespace.generate_scores_logsumexp":                           Pass,
		"formats/bert: pytorch_model_legacy.bin: fp32.mlm_logits":                 Pass,
		"formats/bert: sharded_bin: fp32.nsp_logits":                              Pass,
		"formats/bert: bf16: bf16.pooler_output":                                  Pass,
		"formats/bert: fp16: weight bert.pooler.dense.weight":                     Pass,
		"formats/bert: pytorch_model.bin: weight cls.predictions.decoder.weight":  Pass,
		"formats/gpt2: sharded_safetensors: fp32.logits":                          Pass,
		"formats/gpt2: pytorch_model.bin: weight lm_head.weight":                  Pass,
		"formats/gpt2: bf16: weight transformer.wte.weight":                       Pass,
		"pickle_edge: edge_cases.bin: col_stride2":                                Pass,
		"pickle_edge: edge_cases_legacy.bin: bfloat16":                            Pass,
		"pickle_edge: edge_cases_legacy.bin: empty":                               Pass,
		"pickle_edge: edge_cases_expected.safetensors: scalar":                    Pass,
		"tokenizer_bert.json: ids_with_special":                                   Pass,
		"tokenizer_bert.json: decode_with_special":                                Pass,
		"tokenizer_gpt2.json: decode_default_cleanup":                             Pass,
		"tokenizer_json/rust_cases.json: bert: offsets":                           Pass,
		"tokenizer_json/rust_cases.json: gpt2: decode":                            Pass,
		"tokenizer_json/golden_js.json: bert_base_uncased: tokens":                Pass,
		"tokenizer_json/golden_js.json: gpt2_gpt3encoder: ids":                    Pass,
		"tokenizer_json/golden_js.json: gpt2_gpt3encoder: ids (known difference)": Known,
	})
	// Every fp32, fp16 and bf16 output of the formats fixtures is checked
	// against every format of its precision.
	for _, p := range []string{"model.safetensors", "pytorch_model.bin", "pytorch_model_legacy.bin", "sharded_safetensors", "sharded_bin"} {
		wantStatus(t, rep, map[string]Status{"formats/gpt2: " + p + ": fp32.last_hidden_state": Pass})
	}
}

// TestKnownDifferences verifies slow-tokenizer cases with a tokenizer.json
// and Rust cases with the slow tokenizer's files: the ids agree, and the
// decoded texts differ only where the documented clean-up rule says.
func TestKnownDifferences(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	slow, err := Reference(ctx, filepath.Join(fixtures, "tokenizer_bert.json"),
		&Options{Model: filepath.Join(fixtures, "tokenizer_json", "bert-base-uncased.tokenizer.json")})
	if err != nil {
		t.Fatal(err)
	}
	if !slow.OK() || slow.Count(Known) == 0 {
		t.Fatalf("slow cases with tokenizer.json: %s; failures %v", slow.Summary(), failing(slow))
	}
	wantStatus(t, slow, map[string]Status{"ids": Pass, "ids_with_special": Pass, "tokens": Pass, "decode (known difference)": Known})
	if d := rowDetail(slow, "decode (known difference)"); !contains(d, "don ' t") && !contains(d, "token by token") {
		t.Errorf("known difference detail %q does not say what differs", d)
	}
	rust, err := Reference(ctx, filepath.Join(fixtures, "tokenizer_json", "rust_cases.json"),
		&Options{Model: filepath.Join(fixtures, "bert")})
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, rust, map[string]Status{"bert: ids": Pass, "bert: offsets": Pass, "bert: decode (known difference)": Known})
}
