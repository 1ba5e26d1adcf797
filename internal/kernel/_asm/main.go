// Command _asm generates the AVX2/FMA assembly of package kernel with avo.
//
// Run it through go generate in internal/kernel; it lives in its own module
// so that building hfgo never needs avo.
package main

import (
	. "github.com/mmcloughlin/avo/build"
)

// The micro-tile: mr rows by nr columns (see ../arch.go).
const (
	mr = 4
	nr = 24
)

func main() {
	ConstraintExpr("amd64,!purego")
	defineConsts()
	gemmKernel(mr, nr, false, false)
	gemmKernel(mr, nr, true, false)
	gemmKernel(mr, nr, true, true)
	packBTrans(nr)
	packBPlain(nr)
	prefetchRows()
	packA4()
	gemvAxpy4()
	gemvDot4()
	gemmDots4x3()
	gemvPanel(nr)
	inPlaceKernel(6, 16, "", false)
	inPlaceKernel(12, 8, "", false)
	inPlaceKernel(12, 8, "Halves", true)
	packRows8()
	rowFuncs()
	Generate()
}
