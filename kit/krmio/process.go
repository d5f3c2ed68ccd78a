package krmio

import (
	"bytes"

	"github.com/kfgitops/kfgitops/kit"
)

// Process runs a function over ResourceList bytes in memory, the way Run
// does over streams: it returns the output bytes, what went to stderr and
// the exit code. Tests and benchmarks use it.
func Process(f kit.Function, in []byte) (out []byte, stderr string, code int) {
	var o, e bytes.Buffer
	code = Run(f, bytes.NewReader(in), &o, &e)
	return o.Bytes(), e.String(), code
}
