// Package convert reads model checkpoints in every weight format the Hugging
// Face Hub holds, through one view, and converts PyTorch checkpoints to
// safetensors as transformers' save_pretrained writes them.
//
// # One view
//
// Open takes a model folder (a cache snapshot folder is one), a weight file
// or a shard index, and returns a *Checkpoint: model.safetensors, a sharded
// safetensors set, pytorch_model.bin (zip or legacy format) or a sharded
// .bin set. Names, Info and Float32 work the same on all of them.
//
// # PyTorch checkpoints
//
// A pytorch_model.bin is a Python pickle. This package unpickles it with
// gopickle, after a scan that accepts exactly what torch.save of a state
// dict emits: the opcodes and the globals of PyTorch's weights_only
// unpickler (collections.OrderedDict, torch._utils._rebuild_tensor_v2,
// _rebuild_parameter, the torch.*Storage classes, torch.Size, ...). Any
// other global (os.system, builtins.eval, ...) is refused, by name, before
// anything is built; nothing in a pickle is ever executed. Lengths are
// checked against the data, nesting and the memory unpickling may take are
// bounded by the pickle's size, and every tensor's view (size, stride,
// storage offset) is checked against its storage, so that a checkpoint from
// an untrusted repo can be opened without risk.
//
// Zip checkpoints (torch >= 1.6) name their folder after the file (torch
// 1.x) or "archive" (torch 2.x); both are read, as are the byteorder entry
// and the legacy format (magic number, protocol, sys info, the pickle, then
// the raw storages). Storages of every dtype torch.save writes are read:
// float64/32/16, bfloat16, int64/32/16/8, uint8 and bool; tensors sharing
// a storage, strided views, 0-dim and empty tensors come out as contiguous
// little-endian bytes.
//
// # Memory
//
// Files are mapped read-only. Contiguous tensors (nearly all of them) are
// returned as slices of the mapping, without a copy, and Float32 returns
// aligned float32 data the same way: such slices must never be written to
// and are valid until Close. The first access to a storage of a zip
// checkpoint checks its CRC-32, as torch.load does: once per storage, a
// large one in chunks on all cores; safetensors files have no checksum.
//
// # Conversion
//
// Convert writes safetensors files byte for byte as save_pretrained(
// safe_serialization=True) does, from the same tensors: tied duplicates
// (lm_head.weight, cls.predictions.decoder.weight, ...) dropped by
// transformers' rule, shards split as shard_checkpoint splits them at
// max_shard_size (ParseSize reads "5GB", "500MB", "2GiB"), named
// model-0000k-of-0000n.safetensors, with model.safetensors.index.json and
// {"format": "pt"} metadata; optionally cast to float16 or bfloat16 with
// PyTorch's rounding.
package convert
