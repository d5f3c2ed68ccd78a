// Command kgateway-route is a KRM function that turns Istio VirtualServices
// bound to Kubeflow's ingress gateway into Gateway API HTTPRoutes on a
// kgateway Gateway, with Kubeflow's authentication as kgateway policy. See
// README.md.
package main

import (
	"os"

	"github.com/kfgitops/kfgitops/functions/kgateway-route/kgatewayroute"
	"github.com/kfgitops/kfgitops/kit/krmio"
)

func main() { os.Exit(krmio.Main(kgatewayroute.Function)) }
