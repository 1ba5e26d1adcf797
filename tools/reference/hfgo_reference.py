#!/usr/bin/env python3
"""Write an hfgo reference folder: what `transformers` computes for a model and some texts.

    python3 hfgo_reference.py MODEL OUT_DIR --text "Hello, world!" [--text ...]

MODEL is a Hub repo id or a local folder. OUT_DIR receives:

    manifest.json         versions, config, inputs (texts, tokens, ids), every tensor's dtype and
                          shape, the tolerance rule
    expected.safetensors  inputs and outputs, named "<input>.<field>"
    config.json, tokenizer files, model.safetensors   (unless --no-model-files)

`hfget verify OUT_DIR` then runs hfgo on the same inputs and compares every tensor. The format is
the one of hfgo's testdata/fixtures (see README.md beside this script).

Needs torch and transformers: written against transformers 4.40 (the version of hfgo's fixtures), and
only calls API that 4.36 to 4.45 share (see README.md). The writer part (write_safetensors,
write_reference) needs only the standard library and numpy-compatible tensors.
"""

import argparse
import json
import os
import platform
import shutil
import struct
import sys

SCRIPT_VERSION = "1"
DEFAULT_ATOL = 1e-4
DEFAULT_RTOL = 1e-4
BERT_TYPES = {"bert"}
GPT2_TYPES = {"gpt2"}

# ---------------------------------------------------------------------------------------------
# Writer part: safetensors and manifest, standard library only.

_DTYPES = {
    # torch / numpy dtype name -> (safetensors dtype, manifest dtype, byte size)
    "float32": ("F32", "float32", 4),
    "float64": ("F64", "float64", 8),
    "float16": ("F16", "float16", 2),
    "bfloat16": ("BF16", "bfloat16", 2),
    "int64": ("I64", "int64", 8),
    "int32": ("I32", "int32", 4),
    "int16": ("I16", "int16", 2),
    "int8": ("I8", "int8", 1),
    "uint8": ("U8", "uint8", 1),
    "bool": ("BOOL", "bool", 1),
}


# The order of the Rust crate's Dtype enum: its writer sorts tensors by dtype, descending, then name.
_RANK = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"]


def _dtype_name(t):
    """The plain dtype name of a torch tensor or numpy array."""
    name = str(t.dtype)
    return name[len("torch."):] if name.startswith("torch.") else name


def _raw_bytes(t):
    """Contiguous little-endian bytes of a torch tensor or numpy array."""
    if hasattr(t, "raw_bytes"):
        return t.raw_bytes
    if hasattr(t, "detach"):
        t = t.detach().cpu().contiguous()
        if _dtype_name(t) == "bfloat16":  # numpy has no bfloat16: keep the bits
            t = t.view(getattr(sys.modules["torch"], "int16"))
        t = t.numpy()
    if t.dtype.byteorder == ">":
        t = t.byteswap().newbyteorder()
    return t.tobytes(order="C")


def write_safetensors(path, tensors, metadata=None):
    """Write tensors ({name: tensor}) in the layout of Python's safetensors.

    Tensors are ordered by dtype (the Rust crate's enum order, descending), then name; the header is compact JSON
    with __metadata__ first, padded with spaces to a multiple of 8 bytes.
    """
    entries = []
    for name, t in tensors.items():
        st = _DTYPES[_dtype_name(t)][0]
        entries.append((-_RANK.index(st), name, st, list(t.shape), _raw_bytes(t)))
    entries.sort(key=lambda e: (e[0], e[1]))
    header, offset, blobs = {}, 0, []
    if metadata:
        header["__metadata__"] = dict(metadata)
    for _, name, st, shape, data in entries:
        header[name] = {"dtype": st, "shape": shape, "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for data in blobs:
            f.write(data)
    os.replace(tmp, path)


def tensor_table(tensors):
    """The manifest's "tensors" object: name -> dtype and shape."""
    return {n: {"dtype": _DTYPES[_dtype_name(t)][1], "shape": list(t.shape)} for n, t in tensors.items()}


def write_reference(out_dir, manifest, tensors):
    """Write expected.safetensors and manifest.json into out_dir."""
    os.makedirs(out_dir, exist_ok=True)
    manifest = dict(manifest)
    manifest["expected_file"] = "expected.safetensors"
    manifest["tensors"] = tensor_table(tensors)
    manifest.setdefault("tolerance", tolerance(DEFAULT_ATOL, DEFAULT_RTOL))
    write_safetensors(os.path.join(out_dir, "expected.safetensors"), tensors)
    tmp = os.path.join(out_dir, "manifest.json.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=1, ensure_ascii=True)
        f.write("\n")
    os.replace(tmp, os.path.join(out_dir, "manifest.json"))


def tolerance(atol, rtol):
    return {"atol": atol, "rtol": rtol, "rule": "|got-want| <= atol + rtol*|want|; ids exact"}


# ---------------------------------------------------------------------------------------------
# Model part: needs torch and transformers.


def versions():
    out = {"python": platform.python_version(), "script": SCRIPT_VERSION}
    for mod in ("torch", "transformers", "tokenizers", "safetensors", "huggingface_hub", "numpy"):
        try:
            out[mod] = __import__(mod).__version__
        except Exception:  # not installed: recorded as absent
            out[mod] = None
    return out


def read_inputs(args):
    """[(text, text_pair or None)] from --text, --pair and --texts-file (a line a text, or JSON lines
    with "text" and optional "text_pair")."""
    items = [(t, None) for t in args.text or []]
    items += [(a, b) for a, b in args.pair or []]
    if args.texts_file:
        with open(args.texts_file, encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                if not line.strip():
                    continue
                if line.lstrip().startswith("{"):
                    obj = json.loads(line)
                    items.append((obj["text"], obj.get("text_pair")))
                else:
                    items.append((line, None))
    if not items:
        sys.exit("hfgo_reference: no input text: give --text, --pair or --texts-file")
    return items


def selected_columns(torch, vocab_size, id_lists, n_sample):
    """Vocabulary columns whose logits are stored in full: every id seen plus an even sample."""
    cols = set()
    for ids in id_lists:
        cols.update(int(i) for i in ids)
    step = max(1, vocab_size // max(1, n_sample))
    cols.update(range(0, vocab_size, step))
    cols.update({0, vocab_size - 1})
    return torch.tensor(sorted(c for c in cols if 0 <= c < vocab_size), dtype=torch.int64)


def summarize_logits(torch, out, prefix, field, logits, cols, full):
    """Store logits in full or as selected columns, plus argmax / max / logsumexp over the vocab."""
    logits = logits.float()
    if full:
        out[f"{prefix}.{field}"] = logits.contiguous()
    out[f"{prefix}.{field}_sel"] = logits.index_select(-1, cols).contiguous()
    out[f"{prefix}.{field}_argmax"] = logits.argmax(-1).to(torch.int64)
    out[f"{prefix}.{field}_max"] = logits.max(-1).values.contiguous()
    out[f"{prefix}.{field}_logsumexp"] = torch.logsumexp(logits, -1).contiguous()


def load_model(transformers, torch, model_id, config, revision, kind):
    arch = (config.architectures or ["AutoModel"])[0]
    if kind == "gpt2":
        # GPT2Model checkpoints too: the LM head is tied to wte, so it loads with no new weight.
        arch = "GPT2LMHeadModel"
    cls = getattr(transformers, arch, None) or transformers.AutoModel
    kwargs = {"torch_dtype": torch.float32, "revision": revision}
    try:
        model = cls.from_pretrained(model_id, attn_implementation="eager", **kwargs)
    except TypeError:  # transformers < 4.36 has no attn_implementation
        model = cls.from_pretrained(model_id, **kwargs)
    return model.eval(), arch


def pooling_config(model_dir):
    """sentence-transformers pooling (mode, normalize) when modules.json is present, else None."""
    if not model_dir or not os.path.exists(os.path.join(model_dir, "modules.json")):
        return None
    with open(os.path.join(model_dir, "modules.json"), encoding="utf-8") as f:
        modules = json.load(f)
    mode, normalize = None, False
    for m in modules:
        kind = m.get("type", "")
        if kind.endswith("Pooling"):
            with open(os.path.join(model_dir, m["path"], "config.json"), encoding="utf-8") as f:
                pc = json.load(f)
            modes = [k for k in pc if k.startswith("pooling_mode_") and pc[k]]
            names = {"pooling_mode_cls_token": "cls", "pooling_mode_mean_tokens": "mean", "pooling_mode_max_tokens": "max"}
            if len(modes) == 1 and modes[0] in names:
                mode = names[modes[0]]
            else:
                print(f"hfgo_reference: pooling {modes} is not one of cls, mean, max: no sentence_embedding",
                      file=sys.stderr)
        elif kind.endswith("Normalize"):
            normalize = True
    return {"mode": mode, "normalize": normalize} if mode else None


def bert_outputs(torch, model, arch, enc, prefix, out, cols, full, pooling):
    base = getattr(model, "bert", model)
    kw = {k: enc[k] for k in ("input_ids", "token_type_ids", "attention_mask") if k in enc}
    bo = base(**kw, output_hidden_states=True, output_attentions=True)
    out[f"{prefix}.last_hidden_state"] = bo.last_hidden_state.contiguous()
    if getattr(bo, "pooler_output", None) is not None:
        out[f"{prefix}.pooler_output"] = bo.pooler_output.contiguous()
    for i, h in enumerate(bo.hidden_states):
        out[f"{prefix}.hidden_states.{i}"] = h.contiguous()
    for i, a in enumerate(bo.attentions):
        out[f"{prefix}.attentions.{i}"] = a.contiguous()
    if model is not base:
        ho = model(**kw)
        if arch in ("BertForMaskedLM", "BertLMHeadModel"):
            summarize_logits(torch, out, prefix, "mlm_logits", ho.logits, cols, full)
        elif arch == "BertForPreTraining":
            summarize_logits(torch, out, prefix, "mlm_logits", ho.prediction_logits, cols, full)
            out[f"{prefix}.nsp_logits"] = ho.seq_relationship_logits.contiguous()
        elif arch == "BertForNextSentencePrediction":
            out[f"{prefix}.nsp_logits"] = ho.logits.contiguous()
        elif arch == "BertForSequenceClassification":
            out[f"{prefix}.classification_logits"] = ho.logits.contiguous()
        elif arch == "BertForTokenClassification":
            out[f"{prefix}.token_classification_logits"] = ho.logits.contiguous()
    if pooling:
        out[f"{prefix}.sentence_embedding"] = sentence_embedding(torch, bo.last_hidden_state, enc["attention_mask"], pooling)


def sentence_embedding(torch, hidden, mask, pooling):
    m = mask.unsqueeze(-1).to(hidden.dtype)
    if pooling["mode"] == "cls":
        emb = hidden[:, 0]
    elif pooling["mode"] == "mean":
        emb = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)
    else:
        emb = hidden.masked_fill(m == 0, -1e9).max(1).values
    if pooling["normalize"]:
        emb = torch.nn.functional.normalize(emb, p=2, dim=1)
    return emb.contiguous()


def gpt2_outputs(torch, model, enc, prefix, out, cols, full, max_new_tokens, pad_id):
    ids, mask = enc["input_ids"], enc["attention_mask"]
    fo = model(input_ids=ids, attention_mask=mask, output_hidden_states=True, output_attentions=True)
    summarize_logits(torch, out, prefix, "logits", fo.logits, cols, full)
    out[f"{prefix}.last_hidden_state"] = fo.hidden_states[-1].contiguous()
    for i, h in enumerate(fo.hidden_states):
        out[f"{prefix}.hidden_states.{i}"] = h.contiguous()
    for i, a in enumerate(fo.attentions):
        out[f"{prefix}.attentions.{i}"] = a.contiguous()
    past, steps = None, []
    for i in range(ids.shape[1]):
        so = model(input_ids=ids[:, i:i + 1], past_key_values=past, use_cache=True)
        past = so.past_key_values
        steps.append(so.logits[:, -1])
    summarize_logits(torch, out, prefix, "incremental_logits", torch.stack(steps, 1), cols, False)
    if max_new_tokens > 0:
        go = model.generate(input_ids=ids, attention_mask=mask, do_sample=False, num_beams=1,
                            max_new_tokens=max_new_tokens, pad_token_id=pad_id,
                            output_scores=True, return_dict_in_generate=True)
        summarize_logits(torch, out, prefix, "generate_scores", torch.stack(go.scores, 1), cols, False)
        out[f"{prefix}.generated_ids"] = go.sequences.to(torch.int64).contiguous()
        return go.sequences[0].tolist()
    return None


def build(args):
    import torch
    import transformers

    torch.manual_seed(0)
    config = transformers.AutoConfig.from_pretrained(args.model, revision=args.revision)
    if config.model_type in BERT_TYPES:
        kind = "bert"
    elif config.model_type in GPT2_TYPES:
        kind = "gpt2"
    else:
        sys.exit(f"hfgo_reference: model_type {config.model_type!r} is not a BERT or GPT-2 family model")
    tok = transformers.AutoTokenizer.from_pretrained(args.model, revision=args.revision, use_fast=not args.slow_tokenizer)
    model, arch = load_model(transformers, torch, args.model, config, args.revision, kind)
    model_dir = args.model if os.path.isdir(args.model) else _snapshot_dir(args)
    items = read_inputs(args)
    if kind == "gpt2" and any(b is not None for _, b in items):
        sys.exit("hfgo_reference: --pair and text_pair are for BERT models")
    tok.padding_side = "right"  # the padded batch is right-padded, as hfgo pads it
    names = [f"t{i}" for i in range(len(items))]
    encs = [tok(a, b, return_tensors="pt") if b is not None else tok(a, return_tensors="pt") for a, b in items]
    full_for = set(names if args.full_logits else ([] if args.no_full_logits else names[:1]))
    out, inputs, id_lists = {}, [], [e["input_ids"][0].tolist() for e in encs]
    cols = selected_columns(torch, config.vocab_size, id_lists, args.columns)
    pooling = pooling_config(model_dir) if kind == "bert" else None
    pad_id = tok.pad_token_id if tok.pad_token_id is not None else getattr(config, "eos_token_id", 0)
    with torch.inference_mode():
        for name, (a, b), enc in zip(names, items, encs):
            for k, v in enc.items():
                out[f"{name}.{k}"] = v.to(torch.int64)
            entry = {"name": name, "text": a, "text_pair": b,
                     "tokens": tok.convert_ids_to_tokens(enc["input_ids"][0].tolist())}
            entry.update({k: v[0].tolist() for k, v in enc.items()})
            if kind == "bert":
                bert_outputs(torch, model, arch, enc, name, out, cols, name in full_for, pooling)
            else:
                room = config.n_positions - enc["input_ids"].shape[1]
                gen = gpt2_outputs(torch, model, enc, name, out, cols, name in full_for,
                                   max(0, min(args.max_new_tokens, room)), pad_id)
                if gen is not None:
                    entry["generated_ids"] = gen
                    entry["generated_text"] = tok.decode(gen)
            inputs.append(entry)
        if kind == "bert" and len(items) > 1 and not args.no_batch and all(b is None for _, b in items):
            enc = tok([a for a, _ in items], padding=True, return_tensors="pt")
            for k, v in enc.items():
                out[f"batch.{k}"] = v.to(torch.int64)
            bert_outputs(torch, model, arch, enc, "batch", out, cols, False, pooling)
            inputs.append({"name": "batch", "texts": [a for a, _ in items], "padding": "longest",
                           **{k: v.tolist() for k, v in enc.items()}})
    out["logits_cols" if kind == "gpt2" else "mlm_logits_cols"] = cols
    manifest = {
        "kind": kind,
        "generator": f"hfgo_reference.py {SCRIPT_VERSION}",
        "model": args.model,
        "revision": args.revision,
        "model_class_saved": arch,
        "versions": versions(),
        "config": config.to_dict(),
        "attn_implementation": "eager",
        "tokenizer": {"class": type(tok).__name__, "vocab_size": len(tok)},
        "full_logits_for": sorted(full_for),
        "inputs": inputs,
        "tolerance": tolerance(args.atol, args.rtol),
        "notes": ["hidden_states.0 is the embedding output; last_hidden_state == hidden_states.<n_layers> "
                  "(for GPT-2, after ln_f)."],
    }
    if pooling:
        manifest["pooling"] = pooling
    if kind == "gpt2":
        manifest["generation_config"] = model.generation_config.to_dict()
        manifest["max_new_tokens"] = args.max_new_tokens
    write_reference(args.out_dir, manifest, out)
    if not args.no_model_files:
        model.save_pretrained(args.out_dir, safe_serialization=True)
        tok.save_pretrained(args.out_dir)
        if model_dir:
            _copy_sentence_transformers_files(model_dir, args.out_dir)


def _snapshot_dir(args):
    """The local snapshot folder of a Hub model (for modules.json), or None."""
    try:
        from huggingface_hub import snapshot_download
        return snapshot_download(args.model, revision=args.revision, allow_patterns=["modules.json", "*/config.json"])
    except Exception:
        return None


def _copy_sentence_transformers_files(src, dst):
    for rel in ("modules.json", "sentence_bert_config.json", os.path.join("1_Pooling", "config.json")):
        p = os.path.join(src, rel)
        if os.path.exists(p):
            os.makedirs(os.path.dirname(os.path.join(dst, rel)), exist_ok=True)
            shutil.copyfile(p, os.path.join(dst, rel))


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="Write an hfgo reference folder from transformers.")
    p.add_argument("model", help="Hub repo id or local model folder")
    p.add_argument("out_dir", help="folder to write (created)")
    p.add_argument("--revision", default=None)
    p.add_argument("--text", action="append", help="an input text (repeatable)")
    p.add_argument("--pair", nargs=2, action="append", metavar=("TEXT", "TEXT_PAIR"), help="a sentence pair (BERT)")
    p.add_argument("--texts-file", help="a text per line, or JSON lines with text and text_pair")
    p.add_argument("--max-new-tokens", type=int, default=20, help="greedy generation length (GPT-2); 0 skips it")
    p.add_argument("--full-logits", action="store_true", help="store full logits for every input")
    p.add_argument("--no-full-logits", action="store_true", help="store only selected logit columns")
    p.add_argument("--columns", type=int, default=256, help="evenly spaced vocabulary columns stored besides the ids seen")
    p.add_argument("--no-batch", action="store_true", help="skip the padded batch of all texts (BERT)")
    p.add_argument("--slow-tokenizer", action="store_true", help="use the slow Python tokenizer")
    p.add_argument("--no-model-files", action="store_true", help="do not save the model and tokenizer beside the reference")
    p.add_argument("--atol", type=float, default=DEFAULT_ATOL)
    p.add_argument("--rtol", type=float, default=DEFAULT_RTOL)
    return p.parse_args(argv)


if __name__ == "__main__":
    build(parse_args())
