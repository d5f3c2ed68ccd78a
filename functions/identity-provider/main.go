// Command identity-provider is a KRM function that points Kubeflow's
// authentication at an external OIDC provider: as a connector of the bundled
// dex, or with oauth2-proxy and the JWT check straight at the provider. See
// README.md.
package main

import (
	"os"

	"github.com/kfgitops/kfgitops/functions/identity-provider/identityprovider"
	"github.com/kfgitops/kfgitops/kit/krmio"
)

func main() { os.Exit(krmio.Main(identityprovider.Function)) }
