"""BERT and GPT-2 in plain PyTorch, op for op as transformers' eager implementations compute them.

transformers itself is not needed: the benchmark baselines build these modules, fill them from the
same safetensors files hfgo loads, and time them (PyTorch directly, ONNX Runtime after export).
"""

import json
import math
import os
import struct
import sys

import numpy as np
import torch
from torch import nn

_NP = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


def read_safetensors(path):
    """{name: torch.Tensor} from a safetensors file (standard library + numpy)."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    header.pop("__metadata__", None)
    out = {}
    for name, info in header.items():
        b, e = info["data_offsets"]
        arr = np.frombuffer(data, dtype=_NP[info["dtype"]], count=(e - b) // np.dtype(_NP[info["dtype"]]).itemsize, offset=b)
        out[name] = torch.from_numpy(arr.reshape(info["shape"]).copy())
    return out


def write_safetensors(path, tensors):
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "reference"))
    import hfgo_reference
    hfgo_reference.write_safetensors(path, tensors, {"format": "pt"})


class BertLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        h, i = c["hidden_size"], c["intermediate_size"]
        self.heads = c["num_attention_heads"]
        self.query, self.key, self.value = nn.Linear(h, h), nn.Linear(h, h), nn.Linear(h, h)
        self.attn_out, self.attn_ln = nn.Linear(h, h), nn.LayerNorm(h, eps=c["layer_norm_eps"])
        self.inter, self.out, self.out_ln = nn.Linear(h, i), nn.Linear(i, h), nn.LayerNorm(h, eps=c["layer_norm_eps"])

    def split(self, x):
        b, l, h = x.shape
        return x.view(b, l, self.heads, h // self.heads).permute(0, 2, 1, 3)

    def forward(self, x, ext_mask):
        b, l, h = x.shape
        q, k, v = self.split(self.query(x)), self.split(self.key(x)), self.split(self.value(x))
        s = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(h // self.heads) + ext_mask
        p = torch.softmax(s, dim=-1)
        ctx = torch.matmul(p, v).permute(0, 2, 1, 3).contiguous().view(b, l, h)
        x = self.attn_ln(self.attn_out(ctx) + x)
        return self.out_ln(self.out(nn.functional.gelu(self.inter(x))) + x)


class Bert(nn.Module):
    """BertModel (embeddings, post-LN encoder, pooler) with HF state-dict names."""

    def __init__(self, c):
        super().__init__()
        h = c["hidden_size"]
        self.word = nn.Embedding(c["vocab_size"], h)
        self.pos = nn.Embedding(c["max_position_embeddings"], h)
        self.ttype = nn.Embedding(c["type_vocab_size"], h)
        self.ln = nn.LayerNorm(h, eps=c["layer_norm_eps"])
        self.layers = nn.ModuleList(BertLayer(c) for _ in range(c["num_hidden_layers"]))
        self.pooler = nn.Linear(h, h)

    def forward(self, ids, mask):
        pos = torch.arange(ids.shape[1]).unsqueeze(0)
        x = self.ln(self.word(ids) + self.pos(pos) + self.ttype(torch.zeros_like(ids)))
        ext = (1.0 - mask[:, None, None, :].to(x.dtype)) * torch.finfo(x.dtype).min
        for layer in self.layers:
            x = layer(x, ext)
        return x, torch.tanh(self.pooler(x[:, 0]))

    def hf_names(self):
        """{hf name: parameter}, as BertModel names them."""
        m = {"embeddings.word_embeddings.weight": self.word.weight,
             "embeddings.position_embeddings.weight": self.pos.weight,
             "embeddings.token_type_embeddings.weight": self.ttype.weight,
             "embeddings.LayerNorm.weight": self.ln.weight, "embeddings.LayerNorm.bias": self.ln.bias,
             "pooler.dense.weight": self.pooler.weight, "pooler.dense.bias": self.pooler.bias}
        for i, L in enumerate(self.layers):
            p = f"encoder.layer.{i}."
            for name, mod in (("attention.self.query", L.query), ("attention.self.key", L.key),
                              ("attention.self.value", L.value), ("attention.output.dense", L.attn_out),
                              ("attention.output.LayerNorm", L.attn_ln), ("intermediate.dense", L.inter),
                              ("output.dense", L.out), ("output.LayerNorm", L.out_ln)):
                m[p + name + ".weight"], m[p + name + ".bias"] = mod.weight, mod.bias
        return m


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class Conv1D(nn.Module):
    def __init__(self, nin, nout):
        super().__init__()
        self.weight, self.bias = nn.Parameter(torch.empty(nin, nout)), nn.Parameter(torch.zeros(nout))

    def forward(self, x):
        shape = x.size()[:-1] + (self.bias.shape[0],)
        return torch.addmm(self.bias, x.view(-1, x.size(-1)), self.weight).view(shape)


class GPT2Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        e = c["n_embd"]
        self.heads = c["n_head"]
        self.ln_1, self.ln_2 = nn.LayerNorm(e, eps=c["layer_norm_epsilon"]), nn.LayerNorm(e, eps=c["layer_norm_epsilon"])
        self.c_attn, self.c_proj = Conv1D(e, 3 * e), Conv1D(e, e)
        self.c_fc, self.mlp_proj = Conv1D(e, 4 * e), Conv1D(4 * e, e)

    def split(self, x):
        b, l, e = x.shape
        return x.view(b, l, self.heads, e // self.heads).permute(0, 2, 1, 3)

    def forward(self, x, past_k, past_v):
        b, l, e = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(e, dim=2)
        q, k, v = self.split(q), self.split(k), self.split(v)
        if past_k is not None:
            k, v = torch.cat((past_k, k), dim=-2), torch.cat((past_v, v), dim=-2)
        w = torch.matmul(q, k.transpose(-1, -2)) / torch.full([], v.size(-1) ** 0.5, dtype=x.dtype)
        kl = k.size(-2)
        causal = torch.ones(kl, kl, dtype=torch.bool).tril()[kl - l:kl, :kl]
        w = torch.where(causal, w, torch.tensor(torch.finfo(w.dtype).min, dtype=w.dtype))
        a = torch.matmul(torch.softmax(w, dim=-1), v).permute(0, 2, 1, 3).contiguous().view(b, l, e)
        x = x + self.c_proj(a)
        x = x + self.mlp_proj(gelu_new(self.c_fc(self.ln_2(x))))
        return x, k, v


class GPT2(nn.Module):
    """GPT2LMHeadModel (tied lm_head) with HF state-dict names, a KV cache as lists of tensors."""

    def __init__(self, c):
        super().__init__()
        e = c["n_embd"]
        self.wte, self.wpe = nn.Embedding(c["vocab_size"], e), nn.Embedding(c["n_positions"], e)
        self.h = nn.ModuleList(GPT2Block(c) for _ in range(c["n_layer"]))
        self.ln_f = nn.LayerNorm(e, eps=c["layer_norm_epsilon"])

    def forward(self, ids, past=None, last_only=True):
        past_len = 0 if past is None else past[0].size(-2)
        pos = torch.arange(past_len, past_len + ids.shape[1]).unsqueeze(0)
        x = self.wte(ids) + self.wpe(pos)
        present = []
        for i, block in enumerate(self.h):
            pk, pv = (None, None) if past is None else (past[2 * i], past[2 * i + 1])
            x, k, v = block(x, pk, pv)
            present += [k, v]
        x = self.ln_f(x)
        if last_only:
            x = x[:, -1:]
        return torch.matmul(x, self.wte.weight.t()), present

    def hf_names(self):
        m = {"transformer.wte.weight": self.wte.weight, "transformer.wpe.weight": self.wpe.weight,
             "transformer.ln_f.weight": self.ln_f.weight, "transformer.ln_f.bias": self.ln_f.bias}
        for i, B in enumerate(self.h):
            p = f"transformer.h.{i}."
            for name, mod in (("ln_1", B.ln_1), ("ln_2", B.ln_2), ("attn.c_attn", B.c_attn),
                              ("attn.c_proj", B.c_proj), ("mlp.c_fc", B.c_fc), ("mlp.c_proj", B.mlp_proj)):
                m[p + name + ".weight"], m[p + name + ".bias"] = mod.weight, mod.bias
        return m


def load(model, path):
    """Fill a model from a safetensors file with HF names, reading each tensor straight into its
    parameter (no second copy of the weights); every parameter must be present as F32."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        with torch.no_grad():
            for name, p in model.hf_names().items():
                info = header.get(name)
                if info is None or info["dtype"] != "F32" or tuple(info["shape"]) != tuple(p.shape):
                    raise ValueError(f"{path}: tensor {name}: {info}, want F32 {tuple(p.shape)}")
                f.seek(8 + n + info["data_offsets"][0])
                f.readinto(memoryview(p.detach().numpy()).cast("B"))
    return model.eval()


def randomize(model, seed):
    """Weights N(0, 0.02²), biases N(0, 0.02²), LayerNorm weights 1 + N(0, 0.02²)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.hf_names().items():
            r = torch.randn(p.shape, generator=g) * 0.02
            p.copy_(r + 1.0 if "LayerNorm.weight" in name or "ln_" in name and name.endswith("weight") else r)
    return model
