#!/usr/bin/env python3
"""PyTorch side of hfgo's benchmark: generate the checkpoints, time PyTorch, export ONNX.

    torch_bench.py gen DIR FIXTURES          bert-base and gpt2-small shaped random checkpoints
    torch_bench.py export DIR                ONNX models for the ONNX Runtime baseline
    torch_bench.py run DIR WORKLOAD ITERS    time one workload; prints one JSON line

Threads: set OMP_NUM_THREADS / OPENBLAS_NUM_THREADS / HFGO_BENCH_THREADS before starting.
"""

import ctypes
import json
import os
import resource
import shutil
import sys
import time

T0 = time.perf_counter()

import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_models as tm  # noqa: E402

BERT_CONFIG = {
    "architectures": ["BertModel"], "model_type": "bert", "hidden_act": "gelu", "hidden_size": 768,
    "intermediate_size": 3072, "layer_norm_eps": 1e-12, "max_position_embeddings": 512,
    "num_attention_heads": 12, "num_hidden_layers": 12, "pad_token_id": 0,
    "position_embedding_type": "absolute", "torch_dtype": "float32", "type_vocab_size": 2, "vocab_size": 30522,
}
GPT2_CONFIG = {
    "architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "activation_function": "gelu_new",
    "bos_token_id": 50256, "eos_token_id": 50256, "layer_norm_epsilon": 1e-5, "n_embd": 768, "n_head": 12,
    "n_inner": None, "n_layer": 12, "n_positions": 1024, "scale_attn_weights": True,
    "scale_attn_by_inverse_layer_idx": False, "torch_dtype": "float32", "vocab_size": 50257,
}
BERT_SHAPES = {"b1s8": (1, 8), "b1s128": (1, 128), "b1s512": (1, 512), "b8s128": (8, 128)}
PREFILL = 32
DECODE_STEPS = 32


def gen(out, fixtures):
    for name, cfg, model, files in (("bert-base", BERT_CONFIG, tm.Bert, ("vocab.txt", "tokenizer_config.json", "special_tokens_map.json")),
                                    ("gpt2-small", GPT2_CONFIG, tm.GPT2, ("vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json"))):
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        m = tm.randomize(model(cfg), seed=1 if name == "bert-base" else 2)
        tm.write_safetensors(os.path.join(d, "model.safetensors"), {k: v.detach() for k, v in m.hf_names().items()})
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(cfg, f, indent=2)
        src = os.path.join(fixtures, "bert" if name == "bert-base" else "gpt2")
        for fn in files:
            shutil.copyfile(os.path.join(src, fn), os.path.join(d, fn))


def load(d, name):
    with open(os.path.join(d, name, "config.json")) as f:
        cfg = json.load(f)
    cls = tm.Bert if name == "bert-base" else tm.GPT2
    return tm.load(cls(cfg), os.path.join(d, name, "model.safetensors"))


def ids_for(batch, seq, vocab):
    """Deterministic in-vocabulary ids, the same formula in every implementation of the benchmark."""
    i = torch.arange(batch * seq, dtype=torch.int64)
    return (1000 + (i * 7919) % (vocab - 1001)).view(batch, seq)


def blas_in_use():
    """The BLAS libraries this process mapped, and OpenBLAS's build and thread count."""
    with open("/proc/self/maps") as f:
        libs = sorted({line.split()[-1] for line in f if "blas" in line.lower()})
    info = [os.path.basename(p) for p in libs]
    for p in libs:
        if "openblas" in os.path.basename(p):
            lib = ctypes.CDLL(p)
            lib.openblas_get_config.restype = ctypes.c_char_p
            info.append("%s, %d threads" % (lib.openblas_get_config().decode().strip(), lib.openblas_get_num_threads()))
    return info


def peak_rss_kb():
    """VmHWM: this process's own peak resident set (ru_maxrss may count the parent's image)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run(d, workload, iters):
    torch.set_num_threads(int(os.environ.get("HFGO_BENCH_THREADS", "2")))
    res = {"impl": "pytorch", "workload": workload, "threads": torch.get_num_threads()}
    with torch.inference_mode():
        if workload in BERT_SHAPES or workload == "first-output":
            model = load(d, "bert-base")
            b, s = BERT_SHAPES.get(workload, (1, 8))
            ids = ids_for(b, s, 30522)
            mask = torch.ones_like(ids)
            if workload == "first-output":
                h, _ = model(ids, mask)
                res["first_output_s"] = time.perf_counter() - T0
                iters = 0
            else:
                model(ids, mask)
            times = []
            for _ in range(iters):
                t = time.perf_counter()
                h, _ = model(ids, mask)
                times.append((time.perf_counter() - t) * 1e3)
            res["check"] = [float(v) for v in h[0, 0, :4]]
        else:
            model = load(d, "gpt2-small")
            ids = ids_for(1, PREFILL, 50257)
            model(ids)
            times = []
            for _ in range(iters):
                t = time.perf_counter()
                logits, past = model(ids)
                if workload == "prefill32":
                    times.append((time.perf_counter() - t) * 1e3)
                    continue
                nxt = logits[:, -1:].argmax(-1)
                for _ in range(DECODE_STEPS):
                    t = time.perf_counter()
                    logits, past = model(nxt, past)
                    nxt = logits[:, -1:].argmax(-1)
                    times.append((time.perf_counter() - t) * 1e3)
            res["check"] = [float(v) for v in logits[0, -1, :4]]
    res["times_ms"] = times
    res["maxrss_kb"] = peak_rss_kb()
    res["setup"] = ["torch threads %d" % torch.get_num_threads()] + blas_in_use()
    res["version"] = torch.__version__
    print(json.dumps(res))


def export(d):
    """Write the ONNX models (once: existing files are kept)."""
    with torch.no_grad():
        if not os.path.exists(os.path.join(d, "bert-base", "model.onnx")):
            export_bert(d)
        if not os.path.exists(os.path.join(d, "gpt2-small", "decode.onnx")):
            export_gpt2(d)


def export_bert(d):
    bert = load(d, "bert-base")
    ids = ids_for(1, 8, 30522)
    torch.onnx.export(bert, (ids, torch.ones_like(ids)), os.path.join(d, "bert-base", "model.onnx"),
                      input_names=["input_ids", "attention_mask"], output_names=["last_hidden_state", "pooler_output"],
                      dynamic_axes={"input_ids": {0: "b", 1: "s"}, "attention_mask": {0: "b", 1: "s"},
                                    "last_hidden_state": {0: "b", 1: "s"}}, opset_version=14)


class _Prefill(torch.nn.Module):
    def __init__(self, gpt2):
        super().__init__()
        self.m = gpt2

    def forward(self, ids):
        logits, present = self.m(ids)
        return (logits, *present)


class _Decode(_Prefill):
    def forward(self, ids, *past):
        logits, present = self.m(ids, list(past))
        return (logits, *present)


def export_gpt2(d):
    gpt2 = load(d, "gpt2-small")
    n = len(gpt2.h)
    past_names = [f"past.{i}.{kv}" for i in range(n) for kv in ("key", "value")]
    present_names = [f"present.{i}.{kv}" for i in range(n) for kv in ("key", "value")]
    ids = ids_for(1, PREFILL, 50257)
    kv_axes = {nm: {2: "past"} for nm in past_names}
    kv_axes.update({nm: {2: "total"} for nm in present_names})
    torch.onnx.export(_Prefill(gpt2), (ids,), os.path.join(d, "gpt2-small", "prefill.onnx"), input_names=["input_ids"],
                      output_names=["logits", *present_names], dynamic_axes={"input_ids": {1: "s"}, **kv_axes},
                      opset_version=14)
    _, past = gpt2(ids)
    torch.onnx.export(_Decode(gpt2), (ids[:, :1], *past), os.path.join(d, "gpt2-small", "decode.onnx"),
                      input_names=["input_ids", *past_names], output_names=["logits", *present_names],
                      dynamic_axes=kv_axes, opset_version=14)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "gen":
        gen(sys.argv[2], sys.argv[3])
    elif cmd == "export":
        export(sys.argv[2])
    elif cmd == "run":
        run(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        sys.exit(f"torch_bench.py: unknown command {cmd!r}")
