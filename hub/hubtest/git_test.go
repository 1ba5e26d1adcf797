package hubtest

import (
	"testing"
	"time"
)

// The expected ids below were computed by git 2.39 (git hash-object,
// git write-tree, git commit-tree) on the same contents, the LFS file
// stored as its pointer.
func TestGitIDsMatchGit(t *testing.T) {
	t.Parallel()
	if got, want := GitBlobID([]byte("hello\n")), "ce013625030ba8dba906f756967f9e9ca394464a"; got != want {
		t.Errorf("GitBlobID(hello) = %s, want %s", got, want)
	}
	files := map[string]*file{
		"a.txt":           newMemFile("a.txt", []byte("hello\n")),
		"sub-file":        newMemFile("sub-file", []byte("y")),
		"sub/config.json": newMemFile("sub/config.json", []byte("{}")),
		"sub/deep/z.bin":  newMemFile("sub/deep/z.bin", []byte("x")),
	}
	if f := files["sub/deep/z.bin"]; !f.lfs || f.gitID != "b9cc11c9cf904608db4c9b0fded560cc9368dfe4" ||
		f.sha256 != "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881" {
		t.Errorf("LFS file ids = %+v", f)
	}
	trees := treeIDs(files)
	for dir, want := range map[string]string{"": "c9b3ac5dcb6b5634d03dd79a182272368c64111d", "sub": "cd7dc86b2ac6ed88b58d96dfac6b1d65bb66868c"} {
		if trees[dir] != want {
			t.Errorf("tree %q = %s, want %s", dir, trees[dir], want)
		}
	}
	if got, want := commitID(trees[""], "", "Initial commit", time.Unix(1704164645, 0)), "668b52612af84e77b70bb9edd2ac4e2faf9010e7"; got != want {
		t.Errorf("commitID = %s, want %s", got, want)
	}
}

func TestIsLFS(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]bool{
		"model.safetensors": true, "pytorch_model.bin": true, "tf_model.h5": true, "flax_model.msgpack": true,
		"onnx/model.onnx": true, "spiece.model": true, "a.pt": true, "a.pth": true, "a.ckpt": true,
		"model.tflite": true, "x.zip": true, "data.tar.gz": true, "arr.npy": true, "o.pkl": true, "rust_model.ot": true,
		"d.parquet": true, "events.out.tfevents.1": true, "saved_model/variables/v.data": true,
		"config.json": false, "vocab.txt": false, "README.md": false, "merges.txt": false, "tokenizer.json": false,
		"binary.json": false, "model.safetensors.index.json": false, "saved_model.pb": true,
	} {
		if got := IsLFS(name, 100); got != want {
			t.Errorf("IsLFS(%q) = %v, want %v", name, got, want)
		}
	}
	if !IsLFS("big.json", LFSThreshold+1) || IsLFS("big.json", LFSThreshold) {
		t.Errorf("IsLFS does not switch at %d bytes", LFSThreshold)
	}
}
