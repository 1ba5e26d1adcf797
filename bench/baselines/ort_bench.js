#!/usr/bin/env node
// ONNX Runtime side of hfgo's benchmark: time one workload, print one JSON line.
//
//   node ort_bench.js DIR WORKLOAD ITERS
//
// DIR holds bert-base/model.onnx and gpt2-small/{prefill,decode}.onnx (torch_bench.py export).
// Threads: HFGO_BENCH_THREADS (default 2), intra-op; graph optimisation "all".
'use strict';
const t0 = process.hrtime.bigint();
const path = require('path');
const ort = require('onnxruntime-node');

const BERT_SHAPES = { b1s8: [1, 8], b1s128: [1, 128], b1s512: [1, 512], b8s128: [8, 128] };
const PREFILL = 32;
const DECODE_STEPS = 32;
const threads = Number(process.env.HFGO_BENCH_THREADS || 2);
const opts = { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential' };
const ms = (a, b) => Number(b - a) / 1e6;
const now = () => process.hrtime.bigint();

// ids are deterministic and in the vocabulary; the values do not matter for timing.
function ids(batch, seq, vocab) {
  const a = new BigInt64Array(batch * seq);
  for (let i = 0; i < a.length; i++) a[i] = BigInt(1000 + ((i * 7919) % (vocab - 1001)));
  return new ort.Tensor('int64', a, [batch, seq]);
}

async function bert(dir, workload, iters, res) {
  const s = await ort.InferenceSession.create(path.join(dir, 'bert-base', 'model.onnx'), opts);
  const [b, n] = BERT_SHAPES[workload] || [1, 8];
  const feeds = { input_ids: ids(b, n, 30522), attention_mask: new ort.Tensor('int64', new BigInt64Array(b * n).fill(1n), [b, n]) };
  let out = await s.run(feeds);
  if (workload === 'first-output') {
    res.first_output_s = ms(t0, now()) / 1e3;
    iters = 0;
  }
  const times = [];
  for (let i = 0; i < iters; i++) {
    const t = now();
    out = await s.run(feeds);
    times.push(ms(t, now()));
  }
  res.check = Array.from(out.last_hidden_state.data.slice(0, 4));
  return times;
}

function argmaxLast(logits) {
  const v = logits.dims[2];
  const d = logits.data;
  const off = d.length - v;
  let best = 0;
  for (let j = 1; j < v; j++) if (d[off + j] > d[off + best]) best = j;
  return best;
}

async function gpt2(dir, workload, iters, res) {
  const pre = await ort.InferenceSession.create(path.join(dir, 'gpt2-small', 'prefill.onnx'), opts);
  const dec = workload === 'decode' ? await ort.InferenceSession.create(path.join(dir, 'gpt2-small', 'decode.onnx'), opts) : null;
  const feeds = { input_ids: ids(1, PREFILL, 50257) };
  let out = await pre.run(feeds);
  const times = [];
  for (let i = 0; i < iters; i++) {
    let t = now();
    out = await pre.run(feeds);
    if (!dec) {
      times.push(ms(t, now()));
      continue;
    }
    for (let step = 0; step < DECODE_STEPS; step++) {
      const f = { input_ids: new ort.Tensor('int64', BigInt64Array.from([BigInt(argmaxLast(out.logits))]), [1, 1]) };
      for (const name of Object.keys(out)) if (name.startsWith('present.')) f['past.' + name.slice(8)] = out[name];
      t = now();
      out = await dec.run(f);
      times.push(ms(t, now()));
    }
  }
  res.check = Array.from(out.logits.data.slice(out.logits.data.length - out.logits.dims[2], out.logits.data.length - out.logits.dims[2] + 4));
  return times;
}

// VmHWM: this process's own peak resident set (maxRSS may count the parent's image).
function peakRSSKB() {
  const m = /VmHWM:\s+(\d+) kB/.exec(require('fs').readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) : process.resourceUsage().maxRSS;
}

async function main() {
  const [dir, workload, itersArg] = process.argv.slice(2);
  const res = { impl: 'onnxruntime', workload, threads, version: require('onnxruntime-node/package.json').version,
    setup: [`intra-op threads ${opts.intraOpNumThreads}`, `inter-op threads ${opts.interOpNumThreads}`, `graph optimisation ${opts.graphOptimizationLevel}`] };
  const iters = Number(itersArg);
  res.times_ms = workload in BERT_SHAPES || workload === 'first-output' ? await bert(dir, workload, iters, res) : await gpt2(dir, workload, iters, res);
  res.maxrss_kb = peakRSSKB();
  console.log(JSON.stringify(res));
}

main().catch((e) => { console.error('ort_bench.js: ' + e.message); process.exit(1); });
