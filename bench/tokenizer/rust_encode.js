// Encode throughput of the Rust `tokenizers` library (npm tokenizers@0.23.2, its Node binding) on
// the corpus of tokenizer/bench_test.go: the fortune files of Debian's fortunes and fortunes-min
// minus their "%" lines, in chunks of about 1 KB. Prints MB/s and tokens/s, median of the runs.
//
//   npm install tokenizers@0.23.2
//   RAYON_NUM_THREADS=1 NODE_PATH=$PWD/node_modules node rust_encode.js   # one thread
//   RAYON_NUM_THREADS=2 NODE_PATH=$PWD/node_modules node rust_encode.js   # two
const fs = require("fs");
const path = require("path");
const { Tokenizer } = require("tokenizers");

const fixtures = path.join(__dirname, "..", "..", "testdata", "fixtures", "tokenizer_json");
const dir = "/usr/share/games/fortunes";

function corpus() {
  const names = fs.readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && path.extname(e.name) === "")
    .map((e) => e.name).sort();
  const parts = [];
  for (const n of names) {
    const lines = fs.readFileSync(path.join(dir, n)).toString("latin1").split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    for (const l of lines) if (l !== "%") parts.push(l + "\n");
  }
  const buf = Buffer.from(parts.join(""), "latin1");
  const chunks = [];
  for (let i = 0; i < buf.length;) {
    let n = Math.min(1024, buf.length - i);
    while (i + n < buf.length && (buf[i + n] & 0xc0) === 0x80) n++;
    chunks.push(buf.subarray(i, i + n).toString("utf8"));
    i += n;
  }
  return { chunks, bytes: buf.length };
}

async function main() {
  const { chunks, bytes } = corpus();
  const runs = Number(process.env.RUNS || 5);
  console.log(`corpus: ${dir}, ${bytes} bytes in ${chunks.length} chunks, RAYON_NUM_THREADS=${process.env.RAYON_NUM_THREADS || "default"}`);
  for (const [name, file] of [["WordPiece", "bert-base-uncased.tokenizer.json"], ["ByteLevelBPE", "gpt2.tokenizer.json"]]) {
    const tk = Tokenizer.fromFile(path.join(fixtures, file));
    for (const mode of ["single", "batch"]) {
      const times = [];
      let tokens = 0;
      for (let r = 0; r <= runs; r++) {
        const start = process.hrtime.bigint();
        let n = 0;
        if (mode === "single") {
          for (const c of chunks) n += (await tk.encode(c)).getIds().length;
        } else {
          for (const e of await tk.encodeBatch(chunks)) n += e.getIds().length;
        }
        const s = Number(process.hrtime.bigint() - start) / 1e9;
        if (r > 0) times.push(s); // the first run warms the caches
        tokens = n;
      }
      times.sort((a, b) => a - b);
      const med = times[Math.floor(times.length / 2)];
      console.log(`${name}/${mode}: ${(bytes / 1e6 / med).toFixed(2)} MB/s, ${(tokens / med).toFixed(0)} tokens/s (median of ${runs})`);
    }
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
