"""A stand-in for `transformers`, for testing hfgo_reference.py where transformers is absent.

It implements only what hfgo_reference.py calls, in plain torch, for BertForPreTraining and
GPT2LMHeadModel checkpoints stored as model.safetensors (eager attention, float32). It is NOT
transformers: it checks the script's plumbing (names, shapes, hidden-state and cache semantics,
generation loop, the files it writes), not transformers' numerics, which hfgo's fixtures (made by
the real transformers 4.40) check.

Its tokenizer does not tokenize: AutoTokenizer reads the model folder's manifest.json (hfgo's
fixture format) and serves the encodings recorded there for those exact texts.
"""

import json
import math
import os
import shutil
import struct
from types import SimpleNamespace

import numpy as np
import torch
import torch.nn.functional as F

__version__ = "0.0.0-hfgo-test-stand-in"
_NP = {"F32": np.float32, "I64": np.int64}


def _load_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    header.pop("__metadata__", None)
    out = {}
    for name, info in header.items():
        b, e = info["data_offsets"]
        a = np.frombuffer(raw[8 + n + b:8 + n + e], dtype=_NP[info["dtype"]]).reshape(info["shape"])
        out[name] = torch.from_numpy(a.copy())
    return out


class _Config(SimpleNamespace):
    def to_dict(self):
        return dict(vars(self))


class AutoConfig:
    @staticmethod
    def from_pretrained(path, revision=None):
        with open(os.path.join(path, "config.json"), encoding="utf-8") as f:
            return _Config(**json.load(f))


class _Encoding(dict):
    pass


class _Tokenizer:
    """Serves the encodings of manifest.json's inputs, by text."""

    def __init__(self, path):
        self.path = path
        with open(os.path.join(path, "manifest.json"), encoding="utf-8") as f:
            m = json.load(f)
        self.by_text, self.tokens = {}, {}
        for i in m["inputs"]:
            key = tuple(i["texts"]) if "texts" in i else (i["text"], i.get("text_pair"))
            self.by_text[key] = {k: i[k] for k in ("input_ids", "token_type_ids", "attention_mask") if k in i}
            for t, tid in zip(i.get("tokens", []), i["input_ids"]):
                self.tokens[tid] = t
        self.pad_token_id = 0 if m["kind"] == "bert" else None
        self.vocab_size = m["config"]["vocab_size"]
        self.padding_side = "right"

    def __call__(self, text, text_pair=None, padding=False, return_tensors=None):
        key = tuple(text) if isinstance(text, list) else (text, text_pair)
        enc = self.by_text[key]
        if "attention_mask" not in enc:
            enc = dict(enc, attention_mask=[1] * len(enc["input_ids"]))
        rows = enc if isinstance(text, list) else {k: [v] for k, v in enc.items()}
        return _Encoding({k: torch.tensor(v, dtype=torch.int64) for k, v in rows.items()})

    def __len__(self):
        return self.vocab_size

    def convert_ids_to_tokens(self, ids):
        return [self.tokens.get(i, "") for i in ids]

    def decode(self, ids):
        return ""

    def save_pretrained(self, out):
        for f in ("vocab.txt", "vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json"):
            if os.path.exists(os.path.join(self.path, f)):
                shutil.copyfile(os.path.join(self.path, f), os.path.join(out, f))


class AutoTokenizer:
    @staticmethod
    def from_pretrained(path, revision=None, use_fast=True):
        return _Tokenizer(path)


class _Pretrained:
    @classmethod
    def from_pretrained(cls, path, attn_implementation=None, torch_dtype=None, revision=None):
        m = cls()
        m.path, m.config = path, AutoConfig.from_pretrained(path)
        m.sd = _load_safetensors(os.path.join(path, "model.safetensors"))
        m.generation_config = _Config(**{k: getattr(m.config, k) for k in ("bos_token_id", "eos_token_id") if hasattr(m.config, k)})
        return m

    def eval(self):
        return self

    def w(self, name):
        return self.sd[name]

    def save_pretrained(self, out, safe_serialization=True):
        for f in ("config.json", "model.safetensors", "generation_config.json"):
            if os.path.exists(os.path.join(self.path, f)):
                shutil.copyfile(os.path.join(self.path, f), os.path.join(out, f))


def _mask_bias(mask, dtype=torch.float32):
    return (1.0 - mask[:, None, None, :].to(dtype)) * torch.finfo(dtype).min


class BertForPreTraining(_Pretrained):
    @property
    def bert(self):
        return self._base

    def _base(self, input_ids, token_type_ids=None, attention_mask=None, output_hidden_states=False, output_attentions=False):
        c, w = self.config, self.w
        ln = lambda x, p: F.layer_norm(x, (c.hidden_size,), w(p + ".weight"), w(p + ".bias"), c.layer_norm_eps)
        lin = lambda x, p: F.linear(x, w(p + ".weight"), w(p + ".bias"))
        B, L = input_ids.shape
        tt = token_type_ids if token_type_ids is not None else torch.zeros_like(input_ids)
        am = attention_mask if attention_mask is not None else torch.ones_like(input_ids)
        e = "bert.embeddings."
        h = w(e + "word_embeddings.weight")[input_ids] + w(e + "position_embeddings.weight")[:L] + w(e + "token_type_embeddings.weight")[tt]
        h = ln(h, e + "LayerNorm")
        hs, attns, bias, nh = [h], [], _mask_bias(am), c.num_attention_heads
        split = lambda x: x.view(B, L, nh, -1).transpose(1, 2)
        for i in range(c.num_hidden_layers):
            p = f"bert.encoder.layer.{i}."
            q, k, v = (split(lin(h, p + "attention.self." + n)) for n in ("query", "key", "value"))
            probs = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1]) + bias, -1)
            ctx = (probs @ v).transpose(1, 2).reshape(B, L, -1)
            a = ln(lin(ctx, p + "attention.output.dense") + h, p + "attention.output.LayerNorm")
            h = ln(lin(F.gelu(lin(a, p + "intermediate.dense")), p + "output.dense") + a, p + "output.LayerNorm")
            hs.append(h)
            attns.append(probs)
        pooled = torch.tanh(lin(h[:, 0], "bert.pooler.dense"))
        return SimpleNamespace(last_hidden_state=h, pooler_output=pooled, hidden_states=tuple(hs), attentions=tuple(attns))

    def __call__(self, input_ids, token_type_ids=None, attention_mask=None):
        c, w = self.config, self.w
        o = self._base(input_ids, token_type_ids, attention_mask)
        p = "cls.predictions.transform."
        t = F.gelu(F.linear(o.last_hidden_state, w(p + "dense.weight"), w(p + "dense.bias")))
        t = F.layer_norm(t, (c.hidden_size,), w(p + "LayerNorm.weight"), w(p + "LayerNorm.bias"), c.layer_norm_eps)
        mlm = t @ w("bert.embeddings.word_embeddings.weight").T + w("cls.predictions.bias")
        nsp = F.linear(o.pooler_output, w("cls.seq_relationship.weight"), w("cls.seq_relationship.bias"))
        return SimpleNamespace(prediction_logits=mlm, seq_relationship_logits=nsp)


class GPT2LMHeadModel(_Pretrained):
    def __call__(self, input_ids, attention_mask=None, output_hidden_states=False, output_attentions=False,
                 past_key_values=None, use_cache=False):
        c, w = self.config, self.w
        B, L = input_ids.shape
        past = past_key_values[0][0].shape[2] if past_key_values else 0
        lin = lambda x, p: x @ w(p + ".weight") + w(p + ".bias")  # Conv1D
        ln = lambda x, p: F.layer_norm(x, (c.n_embd,), w(p + ".weight"), w(p + ".bias"), c.layer_norm_epsilon)
        h = w("transformer.wte.weight")[input_ids] + w("transformer.wpe.weight")[past:past + L]
        causal = torch.ones(L, past + L, dtype=torch.bool).tril(past)
        minv = torch.finfo(torch.float32).min
        bias = _mask_bias(attention_mask) if attention_mask is not None else 0.0
        hs, attns, presents, nh = [], [], [], c.n_head
        split = lambda x: x.view(B, L, nh, -1).transpose(1, 2)
        for i in range(c.n_layer):
            p = f"transformer.h.{i}."
            hs.append(h)
            q, k, v = (split(x) for x in lin(ln(h, p + "ln_1"), p + "attn.c_attn").split(c.n_embd, dim=2))
            if past_key_values:
                k, v = torch.cat([past_key_values[i][0], k], 2), torch.cat([past_key_values[i][1], v], 2)
            presents.append((k, v))
            s = torch.where(causal, q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1]), torch.tensor(minv))
            probs = torch.softmax(s + bias, -1)
            h = h + lin((probs @ v).transpose(1, 2).reshape(B, L, -1), p + "attn.c_proj")
            x = lin(ln(h, p + "ln_2"), p + "mlp.c_fc")
            h = h + lin(0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3))), p + "mlp.c_proj")
            attns.append(probs)
        h = ln(h, "transformer.ln_f")
        hs.append(h)
        return SimpleNamespace(logits=h @ w("transformer.wte.weight").T, hidden_states=tuple(hs), attentions=tuple(attns),
                               past_key_values=tuple(presents))

    def generate(self, input_ids, attention_mask=None, do_sample=False, num_beams=1, max_new_tokens=20,
                 pad_token_id=None, output_scores=False, return_dict_in_generate=False):
        seq, scores, past, step = input_ids, [], None, input_ids
        for _ in range(max_new_tokens):
            o = self(step, past_key_values=past, use_cache=True)
            past, logits = o.past_key_values, o.logits[:, -1]
            scores.append(logits)
            step = logits.argmax(-1, keepdim=True)
            seq = torch.cat([seq, step], 1)
            if int(step[0, 0]) == self.config.eos_token_id:
                break
        return SimpleNamespace(sequences=seq, scores=tuple(scores))
