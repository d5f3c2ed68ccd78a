// Command ambient-mesh is a KRM function that moves a bundle from Istio
// sidecars to Istio ambient mode without losing an authorization rule. See
// README.md.
package main

import (
	"os"

	"github.com/kfgitops/kfgitops/functions/ambient-mesh/ambientmesh"
	"github.com/kfgitops/kfgitops/kit/krmio"
)

func main() { os.Exit(krmio.Main(ambientmesh.Function)) }
