// Command _asm generates the AVX2/FMA assembly of package kernel with avo.
//
// Run it through go generate in internal/kernel; it lives in its own module
// so that building hfgo never needs avo.
package main

import (
	. "github.com/mmcloughlin/avo/build"
)

func main() {
	ConstraintExpr("amd64,!purego")
	defineConsts()
	gemmKernel()
	packBTrans()
	packA()
	gemvAxpy4()
	gemvDot4()
	gemvPanel()
	rowFuncs()
	Generate()
}
