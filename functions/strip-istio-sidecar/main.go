// Command strip-istio-sidecar is a KRM function that removes Istio sidecar
// injection configuration and sidecar-only objects. See README.md.
package main

import (
	"os"

	"github.com/kfgitops/kfgitops/functions/strip-istio-sidecar/stripsidecar"
	"github.com/kfgitops/kfgitops/kit/krmio"
)

func main() { os.Exit(krmio.Main(stripsidecar.Function)) }
