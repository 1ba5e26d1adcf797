#!/usr/bin/env python3
"""Checks of hfgo_reference.py's writer part; needs numpy only.

    python3 test_writer.py FIXTURE_DIR [OUT_DIR] [--small SMALL_DIR]

1. Every .safetensors file under FIXTURE_DIR (written by Python's safetensors) is read and
   rewritten by write_safetensors: the bytes must be identical.
2. With OUT_DIR, the fixture BERT and GPT-2 references are rewritten through write_reference (with
   the model files copied), so that `hfget verify OUT_DIR/bert` checks the script's format.
3. With --small, one input of the BERT fixture (t1_accents) is written through write_reference
   without model files: a reference of a few kilobytes, verified with
   `hfget verify SMALL_DIR --model FIXTURE_DIR/bert`.
"""

import json
import os
import shutil
import struct
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hfgo_reference as ref  # noqa: E402

class Raw:
    """A tensor numpy cannot hold (bfloat16): its dtype name, shape and bytes."""

    def __init__(self, dtype, shape, raw):
        self.dtype, self.shape, self.raw_bytes = dtype, tuple(shape), raw


_NP = {"I16": np.int16, "I8": np.int8, "U8": np.uint8, "F32": np.float32, "F64": np.float64, "F16": np.float16, "I64": np.int64, "I32": np.int32, "BOOL": np.bool_}


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__", None)
    data = raw[8 + n:]
    out = {}
    for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        b, e = info["data_offsets"]
        if info["dtype"] == "BF16":
            out[name] = Raw("bfloat16", info["shape"], data[b:e])
            continue
        out[name] = np.frombuffer(data[b:e], dtype=_NP[info["dtype"]]).reshape(info["shape"])
    return out, meta


def check_bytes(fixture_dir):
    checked = 0
    for root, _, files in os.walk(fixture_dir):
        for f in files:
            if not f.endswith(".safetensors"):
                continue
            path = os.path.join(root, f)
            tensors, meta = read_safetensors(path)
            tmp = os.path.join("/tmp", f"hfgo_ref_check_{os.getpid()}.safetensors")
            ref.write_safetensors(tmp, tensors, meta)
            with open(path, "rb") as a, open(tmp, "rb") as b:
                if a.read() != b.read():
                    sys.exit(f"FAIL: {path}: rewritten bytes differ")
            os.remove(tmp)
            checked += 1
    if checked == 0:
        sys.exit(f"FAIL: no .safetensors under {fixture_dir}")
    print(f"ok: {checked} safetensors files rewritten byte for byte")


def rewrite_reference(fixture_dir, out_dir):
    for kind in ("bert", "gpt2"):
        src, dst = os.path.join(fixture_dir, kind), os.path.join(out_dir, kind)
        with open(os.path.join(src, "manifest.json"), encoding="utf-8") as f:
            manifest = json.load(f)
        tensors, _ = read_safetensors(os.path.join(src, "expected.safetensors"))
        ref.write_reference(dst, manifest, tensors)
        with open(os.path.join(dst, "manifest.json"), encoding="utf-8") as f:
            written = json.load(f)
        if written["tensors"] != manifest["tensors"]:
            sys.exit(f"FAIL: {kind}: tensor table differs from the fixture's")
        for f in os.listdir(src):
            if f not in ("manifest.json", "expected.safetensors"):
                shutil.copyfile(os.path.join(src, f), os.path.join(dst, f))
        print(f"ok: {dst} written")


def write_small(fixture_dir, out_dir, keep="t1_accents"):
    src = os.path.join(fixture_dir, "bert")
    with open(os.path.join(src, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    tensors, _ = read_safetensors(os.path.join(src, "expected.safetensors"))
    tensors = {n: t for n, t in tensors.items() if n.startswith(keep + ".") or n == "mlm_logits_cols"}
    manifest["inputs"] = [i for i in manifest["inputs"] if i["name"] == keep]
    manifest["full_logits_for"] = []
    manifest["generator"] = "tools/reference/test_writer.py --small (hfgo_reference.write_reference)"
    manifest.pop("checks_max_abs_diff", None)
    ref.write_reference(out_dir, manifest, tensors)
    print(f"ok: {out_dir} written ({len(tensors)} tensors)")


def main(argv):
    small = None
    if "--small" in argv:
        i = argv.index("--small")
        small = argv[i + 1]
        argv = argv[:i] + argv[i + 2:]
    if not argv:
        sys.exit(__doc__)
    check_bytes(argv[0])
    if len(argv) > 1:
        rewrite_reference(argv[0], argv[1])
    if small:
        write_small(argv[0], small)


if __name__ == "__main__":
    main(sys.argv[1:])
