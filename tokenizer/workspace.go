package tokenizer

import "sync"

// workspace holds the buffers one encoding reuses; workspaces are pooled.
type workspace struct {
	bufs      []normString
	nbuf      int
	tr        transformer
	nch       []nchar
	parts     []split
	seqs      [][]split
	nseq      int
	pieces    []piece
	toks      []tok
	match     []addedMatch
	scratch   []byte
	input     []byte
	splitsBuf []split
	blbuf     []byte
	syms      []symbol
	heap      mergeHeap
	skip      addedSkip
	seqs2     [2]sequence // the sequences being encoded, before post-processing
	norms     []normString
}

var workspaces = sync.Pool{New: func() any { return new(workspace) }}

func getWorkspace() *workspace {
	w := workspaces.Get().(*workspace)
	w.nbuf = 0
	return w
}

// maxKeptBuffer bounds the memory a pooled workspace keeps after a large input.
const maxKeptBuffer = 1 << 20

func putWorkspace(w *workspace) {
	for i := range w.bufs {
		if cap(w.bufs[i].text) > maxKeptBuffer || cap(w.bufs[i].align) > maxKeptBuffer {
			w.bufs[i] = normString{}
		}
	}
	if cap(w.toks) > maxKeptBuffer || cap(w.nch) > maxKeptBuffer || cap(w.splitsBuf) > maxKeptBuffer ||
		cap(w.input) > maxKeptBuffer || cap(w.seqs2[0].ids) > maxKeptBuffer || cap(w.seqs2[1].ids) > maxKeptBuffer {
		*w = workspace{bufs: w.bufs}
	}
	workspaces.Put(w)
}

// addNorm keeps a normalized string for the splits of the piece being tokenized.
func (w *workspace) addNorm(ns normString) int32 {
	w.norms = append(w.norms, ns)
	return int32(len(w.norms) - 1)
}

// text returns the bytes of a split.
func (w *workspace) text(s split) []byte { return w.norms[s.src].text[s.start:s.end] }

// inputRange maps the bytes [a, b) of a split to the input.
func (w *workspace) inputRange(s split, a, b int) (int, int) {
	return w.norms[s.src].inputRange(int(s.start)+a, int(s.start)+b)
}

// begin starts rebuilding src into a fresh buffer of the workspace.
func (w *workspace) begin(src *normString) *transformer {
	if w.nbuf == len(w.bufs) {
		w.bufs = append(w.bufs, normString{})
	}
	w.tr.reset(src, w.bufs[w.nbuf])
	return &w.tr
}

// end finishes the rebuild begun by begin.
func (w *workspace) end() normString {
	out := w.tr.result()
	w.bufs[w.nbuf] = out
	w.nbuf++
	w.tr.src = nil
	return out
}
