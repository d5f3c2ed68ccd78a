// Command kserve-gateway is a KRM function that puts KServe on the Gateway
// API: its inferenceservice-config is set so that KServe writes HTTPRoutes
// on the kgateway Gateway instead of Knative and Istio objects. See
// README.md.
package main

import (
	"os"

	"github.com/kfgitops/kfgitops/functions/kserve-gateway/kservegateway"
	"github.com/kfgitops/kfgitops/kit/krmio"
)

func main() { os.Exit(krmio.Main(kservegateway.Function)) }
