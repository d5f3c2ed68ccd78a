// Command verify is a KRM validator function: it changes nothing and fails
// with results naming object and field when the bundle would not be admitted
// or would not work (CRD schemas and CEL rules, references, sync waves, mesh
// invariants). See README.md.
package main

import (
	"os"

	"github.com/kfgitops/kfgitops/functions/verify/verify"
	"github.com/kfgitops/kfgitops/kit/krmio"
)

func main() { os.Exit(krmio.Main(verify.Function)) }
