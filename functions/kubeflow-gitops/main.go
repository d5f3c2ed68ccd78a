// Command kubeflow-gitops runs the whole kfgitops pipeline as one KRM
// function, with one parse and one emit. See README.md.
package main

import (
	"os"

	"github.com/kfgitops/kfgitops/functions/kubeflow-gitops/chain"
	"github.com/kfgitops/kfgitops/kit/krmio"
)

func main() { os.Exit(krmio.Main(chain.Function)) }
