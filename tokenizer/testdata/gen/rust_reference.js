// Records what the Rust `tokenizers` library (npm tokenizers@0.23.2, its Node binding) gives for
// the tokenizer.json files of tokenizer/testdata: ../rust_components.json.
// Run: npm install tokenizers@0.23.2 && NODE_PATH=$PWD/node_modules node rust_reference.js
const fs = require("fs");
const path = require("path");
const { Tokenizer } = require("tokenizers");

const configs = [
  "wordpiece_seq.tokenizer.json",
  "split_regex.tokenizer.json",
  "split_unicode.tokenizer.json",
  "bytelevel_template.tokenizer.json",
  "bpe_suffix.tokenizer.json",
  "byte_fallback.tokenizer.json",
];

const texts = [
  "", " ", "Hello World", "  hello   world  ", "HELLO, world!!", "café naïve résumé",
  "cafe\u0301 e\u0301\u0323 a\u0323\u0301", "ﬁ ﬀ Ｆｕｌｌ ①②", "İstanbul ΣΟΦΟΣ", "Straße",
  "東京タワー 我爱", "트랜스포머", "👍🏽 🇫🇷 ❤️", "tab\there\nnew\r\nline", "nbsp\u00a0x\u2028y\u0085z",
  "zero\u200bwidth\u00adsoft", "ctrl\u0000\u0001\u007f\ufffdchars", "1234567890 3.14 -42", "a,b;c-d e--f",
  "``quoted`` text", "don't you'll", "hello [MASK] world", "[CLS]x[SEP]", "a <ent> b<ent>c <ent>",
  "x [BR]  y", "[BR]", "Ñandu ÑANDU nandu", "<|endoftext|>hi<|endoftext|>", "hi <|bos|> there",
  " <mask> the <mask>x", "<s>the</s>", "unknown qzx jjj", "the quick brown fox jumps over the lazy dog",
  "supercalifragilisticexpialidocious antidisestablishmentarianism",
  "hello\u3000world\u2003again", "one\n--two\u00a0three\u000bfour \u0661\u0662x --five\u3000six", "ŉ ǰ ΐ", "ǅ Ǆ ǆ", "ⅻ Ⅻ ⑽", "ﷺ", "\u0e01\u0e34\u0e4d\u0e32",
];

const pairs = [
  ["hello world", "the quick brown fox"],
  ["a much longer first sequence with many words in it", "short"],
  ["one", "two three four five six seven eight nine ten"],
  ["café", ""],
];

const truncations = [
  { maxLength: 8, strategy: "LongestFirst", direction: "Right" },
  { maxLength: 9, strategy: "LongestFirst", direction: "Left" },
  { maxLength: 7, strategy: "OnlyFirst", direction: "Right" },
  { maxLength: 7, strategy: "OnlySecond", direction: "Left" },
];

const paddings = [
  { maxLength: 16, direction: "right" },
  { direction: "left", padToMultipleOf: 4 },
];

function record(e, text) {
  return {
    ids: e.getIds(), tokens: e.getTokens(), offsets: e.getOffsets(), type_ids: e.getTypeIds(),
    special_tokens_mask: e.getSpecialTokensMask(), attention_mask: e.getAttentionMask(),
  };
}

async function main() {
  const out = { library: "tokenizers 0.23.2 (npm, Node binding)", offsets: "char offsets", configs: {} };
  for (const name of configs) {
    const tk = Tokenizer.fromFile(path.join(__dirname, "..", name));
    const cases = [];
    for (const text of texts) {
      const plain = await tk.encode(text, null, { addSpecialTokens: false });
      const full = await tk.encode(text, null, { addSpecialTokens: true });
      cases.push({
        text, plain: record(plain), full: record(full),
        decode: await tk.decode(full.getIds(), true), decode_all: await tk.decode(full.getIds(), false),
      });
    }
    const pairCases = [];
    for (const [a, b] of pairs) {
      const res = { a, b, plain: record(await tk.encode(a, b, { addSpecialTokens: false })),
        full: record(await tk.encode(a, b, { addSpecialTokens: true })), truncated: [] };
      for (const tr of truncations) {
        tk.setTruncation(tr.maxLength, { strategy: tr.strategy, direction: tr.direction.toLowerCase() });
        try {
          res.truncated.push({ ...tr, result: record(await tk.encode(a, b, { addSpecialTokens: true })) });
        } catch (err) {
          res.truncated.push({ ...tr, error: String(err) });
        }
        tk.disableTruncation();
      }
      pairCases.push(res);
    }
    const padded = [];
    const batch = pairs.map((p) => p[0]);
    for (const pd of paddings) {
      tk.setPadding({ ...pd, padId: 0, padToken: "[PAD]", padTypeId: 0 });
      const encs = await tk.encodeBatch(batch, { addSpecialTokens: true });
      padded.push({ ...pd, texts: batch, results: encs.map((e) => record(e)) });
      tk.disablePadding();
    }
    out.configs[name] = { cases, pairs: pairCases, padded };
  }
  fs.writeFileSync(path.join(__dirname, "..", "rust_components.json"), JSON.stringify(out, null, 1) + "\n");
}

main().catch((e) => { console.error(e); process.exit(1); });
