// Command argocd-apps is a KRM function that lays a rendered platform out as
// an Argo CD GitOps tree: one Application per stage and an app-of-apps. See
// README.md.
package main

import (
	"os"

	"github.com/kfgitops/kfgitops/functions/argocd-apps/argocdapps"
	"github.com/kfgitops/kfgitops/kit/krmio"
)

func main() { os.Exit(krmio.Main(argocdapps.Function)) }
