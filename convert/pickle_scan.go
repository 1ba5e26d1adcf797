package convert

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
)

// Bounds on a pickle read from an untrusted file. A state dict pickle holds
// about 200 bytes per tensor: 64 MiB is several hundred thousand tensors.
const (
	maxPickleBytes = 16 << 20
	maxMarkDepth   = 64  // torch.save nests three deep
	maxGlobalLine  = 256 // module or name of a GLOBAL
	// The objects unpickling builds may take at most allocPerByte times
	// the pickle's size, plus allocSlack: one-byte opcodes that each make
	// a container would otherwise amplify a small file into gigabytes.
	// torch.save pickles cost 25 to 50 times their size.
	allocPerByte = 96
	allocSlack   = 64 << 10
)

// Pickle opcodes: exactly those PyTorch's weights_only unpickler accepts
// (torch/_weights_only_unpickler.py), which are those torch.save emits.
const (
	opMark           = '('
	opStop           = '.'
	opBinFloat       = 'G'
	opBinInt         = 'J'
	opBinInt1        = 'K'
	opBinInt2        = 'M'
	opNone           = 'N'
	opBinPersID      = 'Q'
	opReduce         = 'R'
	opShortBinString = 'U'
	opBinUnicode     = 'X'
	opAppend         = 'a'
	opBuild          = 'b'
	opGlobal         = 'c'
	opAppends        = 'e'
	opBinGet         = 'h'
	opLongBinGet     = 'j'
	opBinPut         = 'q'
	opLongBinPut     = 'r'
	opSetItem        = 's'
	opTuple          = 't'
	opSetItems       = 'u'
	opEmptyDict      = '}'
	opEmptyList      = ']'
	opEmptyTuple     = ')'
	opProto          = 0x80
	opNewObj         = 0x81
	opTuple1         = 0x85
	opTuple2         = 0x86
	opTuple3         = 0x87
	opNewTrue        = 0x88
	opNewFalse       = 0x89
	opLong1          = 0x8a
	opEmptySet       = 0x8f
)

// opInfo gives, for each accepted opcode, the fixed argument length (or -1
// when the argument carries its own length) and the items it pops from and
// pushes onto the current stack frame.
type opInfo struct {
	arg       int
	pop, push int
}

// allocCost estimates, in bytes, what gopickle allocates for an opcode
// (beyond its argument, counted twice): containers and frames are heavy,
// the rest is a boxed value or a stack slot.
func allocCost(op byte) int {
	switch op {
	case opMark, opEmptySet, opReduce, opNewObj, opGlobal, opBinPersID:
		return 320
	case opEmptyDict, opEmptyList, opTuple, opTuple1, opTuple2, opTuple3, opEmptyTuple:
		return 192
	}
	return 48
}

var opTable = map[byte]opInfo{
	opMark: {0, 0, 0}, opStop: {0, 1, 0},
	opBinFloat: {8, 0, 1}, opBinInt: {4, 0, 1}, opBinInt1: {1, 0, 1}, opBinInt2: {2, 0, 1},
	opNone: {0, 0, 1}, opNewTrue: {0, 0, 1}, opNewFalse: {0, 0, 1},
	opLong1: {-1, 0, 1}, opShortBinString: {-1, 0, 1}, opBinUnicode: {-1, 0, 1},
	opGlobal:    {-1, 0, 1},
	opBinPersID: {0, 1, 1}, opReduce: {0, 2, 1}, opNewObj: {0, 2, 1}, opBuild: {0, 2, 1},
	opAppend: {0, 2, 1}, opSetItem: {0, 3, 1},
	opAppends: {0, 0, 0}, opSetItems: {0, 0, 0}, opTuple: {0, 0, 0}, // pop to mark
	opBinGet: {1, 0, 1}, opLongBinGet: {4, 0, 1},
	opBinPut: {1, 1, 1}, opLongBinPut: {4, 1, 1},
	opEmptyDict: {0, 0, 1}, opEmptyList: {0, 0, 1}, opEmptyTuple: {0, 0, 1}, opEmptySet: {0, 0, 1},
	opTuple1: {0, 1, 1}, opTuple2: {0, 2, 1}, opTuple3: {0, 3, 1},
	opProto: {1, 0, 0},
}

// pickleScan is the result of scanning one pickle.
type pickleScan struct {
	end     int      // offset just past STOP
	globals []string // "module.name", in order of first use
}

// scanPickle walks the pickle at the start of data without building any
// object, the way pickletools.genops does, and checks everything the
// unpickler will rely on: only the opcodes above; every length inside the
// data; every GLOBAL in the allowed set (the first one outside it is
// returned as ErrForbiddenGlobal, naming it); MARK nesting bounded; each
// opcode finds the stack items it needs; SETITEMS pairs complete; memo
// reads of written slots only. A pickle that passes cannot make the
// unpickler allocate more than a small multiple of its own size.
func scanPickle(data []byte) (pickleScan, error) {
	var s pickleScan
	depth := 0      // items on the current stack frame
	var marks []int // saved depths of enclosing frames
	memo := map[uint32]bool{}
	cost := 0
	need := func(pos, n int, op byte) error {
		if depth < n {
			return fmt.Errorf("%w: pickle opcode %q at offset %d needs %d stack items, has %d", ErrFormat, op, pos, n, depth)
		}
		return nil
	}
	for pos := 0; ; {
		if pos >= len(data) {
			return s, fmt.Errorf("%w: pickle truncated at offset %d (no STOP)", ErrFormat, pos)
		}
		if pos >= maxPickleBytes {
			return s, fmt.Errorf("%w: pickle larger than %d bytes", ErrLimit, maxPickleBytes)
		}
		op := data[pos]
		info, ok := opTable[op]
		if !ok {
			return s, fmt.Errorf("%w: pickle opcode 0x%02x at offset %d (not emitted by torch.save)", ErrUnsupported, op, pos)
		}
		start := pos
		pos++
		arg, n, err := opArg(data, pos, op, info.arg)
		if err != nil {
			return s, fmt.Errorf("%w at offset %d", err, start)
		}
		pos += n
		if err := need(start, info.pop, op); err != nil {
			return s, err
		}
		cost += allocCost(op) + 2*len(arg)
		if cost > allocPerByte*pos+allocSlack {
			return s, fmt.Errorf("%w: pickle builds more objects than its %d bytes allow (offset %d)", ErrLimit, pos, start)
		}
		switch op {
		case opMark:
			if len(marks) >= maxMarkDepth {
				return s, fmt.Errorf("%w: pickle nested deeper than %d", ErrLimit, maxMarkDepth)
			}
			marks = append(marks, depth)
			depth = 0
			continue
		case opTuple, opAppends, opSetItems:
			if len(marks) == 0 {
				return s, fmt.Errorf("%w: pickle opcode %q at offset %d without MARK", ErrFormat, op, start)
			}
			items := depth
			depth = marks[len(marks)-1]
			marks = marks[:len(marks)-1]
			switch op {
			case opTuple:
				depth++
			case opSetItems:
				if items%2 != 0 {
					return s, fmt.Errorf("%w: SETITEMS at offset %d with an odd number of items", ErrFormat, start)
				}
				fallthrough
			case opAppends:
				if err := need(start, 1, op); err != nil {
					return s, err
				}
			}
			continue
		case opStop:
			s.end = pos
			return s, nil
		case opGlobal:
			name := string(arg)
			if _, ok := allowedGlobals[name]; !ok {
				return s, &globalError{name}
			}
			if !slices.Contains(s.globals, name) {
				s.globals = append(s.globals, name)
			}
		case opLong1:
			if len(arg) == 0 {
				// Valid Python (the integer 0), but never written by
				// torch.save, and gopickle cannot decode it.
				return s, fmt.Errorf("%w: empty LONG1 at offset %d", ErrUnsupported, start)
			}
		case opBinPut, opLongBinPut:
			memo[leUint(arg)] = true
		case opBinGet, opLongBinGet:
			if !memo[leUint(arg)] {
				return s, fmt.Errorf("%w: pickle reads memo slot %d before writing it (offset %d)", ErrFormat, leUint(arg), start)
			}
		}
		depth += info.push - info.pop
	}
}

// globalError reports a forbidden global by name.
type globalError struct{ name string }

func (e *globalError) Error() string { return fmt.Sprintf("%v %q", ErrForbiddenGlobal, e.name) }
func (e *globalError) Unwrap() error { return ErrForbiddenGlobal }

// opArg returns the argument of the opcode at data[pos-1] and its length in
// bytes. For GLOBAL the argument is "module.name".
func opArg(data []byte, pos int, op byte, fixed int) ([]byte, int, error) {
	rest := data[pos:]
	take := func(n int) ([]byte, int, error) {
		if n < 0 || n > len(rest) {
			return nil, 0, fmt.Errorf("%w: pickle opcode %q argument of %d bytes runs past the end", ErrFormat, op, n)
		}
		return rest[:n], n, nil
	}
	switch {
	case fixed >= 0:
		return take(fixed)
	case op == opLong1 || op == opShortBinString:
		if len(rest) < 1 {
			return take(1)
		}
		b, n, err := take(1 + int(rest[0]))
		if err != nil {
			return nil, 0, err
		}
		return b[1:], n, nil
	case op == opBinUnicode:
		if len(rest) < 4 {
			return take(4)
		}
		size := binary.LittleEndian.Uint32(rest)
		if uint64(size) > uint64(len(rest)-4) {
			return take(len(rest) + 1)
		}
		b, n, err := take(4 + int(size))
		if err != nil {
			return nil, 0, err
		}
		return b[4:], n, nil
	case op == opGlobal:
		module, n1, ok1 := line(rest)
		name, n2, ok2 := line(rest[n1:])
		if !ok1 || !ok2 {
			return nil, 0, fmt.Errorf("%w: GLOBAL without two short lines", ErrFormat)
		}
		return []byte(string(module) + "." + string(name)), n1 + n2, nil
	}
	return nil, 0, fmt.Errorf("%w: opcode %q", ErrUnsupported, op)
}

// line returns the bytes before the first newline of b, within
// maxGlobalLine bytes, and the length including the newline.
func line(b []byte) ([]byte, int, bool) {
	i := bytes.IndexByte(b[:min(len(b), maxGlobalLine+1)], '\n')
	if i < 0 {
		return nil, 0, false
	}
	return b[:i], i + 1, true
}

// leUint decodes a 1-, 2- or 4-byte little-endian unsigned argument.
func leUint(b []byte) uint32 {
	var v uint32
	for i := len(b) - 1; i >= 0; i-- {
		v = v<<8 | uint32(b[i])
	}
	return v
}
