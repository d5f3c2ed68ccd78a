// Command monitoring is a KRM function that adds Prometheus Operator
// ServiceMonitors and PodMonitors for the bundle's metrics endpoints, the
// mesh and the ingress, the scrape policies ambient needs, and optional
// alerting rules. See README.md.
package main

import (
	"os"

	"github.com/kfgitops/kfgitops/functions/monitoring/monitoring"
	"github.com/kfgitops/kfgitops/kit/krmio"
)

func main() { os.Exit(krmio.Main(monitoring.Function)) }
