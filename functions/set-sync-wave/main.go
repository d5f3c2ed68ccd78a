// Command set-sync-wave is a KRM function that gives every object an Argo CD
// sync wave, from rules and from the dependencies between the objects, and
// the sync options Kubeflow-size objects need. See README.md.
package main

import (
	"os"

	"github.com/kfgitops/kfgitops/functions/set-sync-wave/syncwave"
	"github.com/kfgitops/kfgitops/kit/krmio"
)

func main() { os.Exit(krmio.Main(syncwave.Function)) }
