// Command placement is a KRM function that places Kubernetes workloads on
// nodes (node selectors, tolerations, affinity), sets their requests and
// limits, their replicas, and renders HorizontalPodAutoscalers and
// PodDisruptionBudgets for them, by rules. See README.md.
package main

import (
	"os"

	"github.com/kfgitops/kfgitops/functions/placement/placement"
	"github.com/kfgitops/kfgitops/kit/krmio"
)

func main() { os.Exit(krmio.Main(placement.Function)) }
