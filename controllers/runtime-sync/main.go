// Command runtime-sync translates, while the cluster runs, the Istio objects
// Kubeflow's controllers create (VirtualServices of notebooks, TensorBoards
// and PVC viewers; profile namespaces' AuthorizationPolicies) into what
// ambient mesh and the kgateway Gateway need. See README.md.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/kfgitops/kfgitops/controllers/runtime-sync/app"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
)

func main() {
	var o app.Options
	// --kubeconfig is controller-runtime's flag (read by ctrl.GetConfig).
	flag.StringVar(&o.ConfigPath, "config", "/etc/runtime-sync/config.yaml", "the KgatewayRoute configuration file")
	flag.StringVar(&o.MetricsAddr, "metrics-bind-address", ":8080", `address of /metrics ("0" disables it)`)
	flag.StringVar(&o.ProbeAddr, "health-probe-bind-address", ":8081", "address of /healthz and /readyz")
	flag.BoolVar(&o.LeaderElect, "leader-elect", false, "elect a leader (Lease in the Gateway's namespace) so that one replica writes")
	flag.Float64Var(&o.QPS, "kube-api-qps", 100, "requests per second to the API server (client-side limit)")
	flag.IntVar(&o.Burst, "kube-api-burst", 200, "burst of requests to the API server above --kube-api-qps")
	flag.IntVar(&o.Workers, "workers", 4, "reconciles run at once, per controller")
	zo := zap.Options{}
	zo.BindFlags(flag.CommandLine)
	flag.Parse()
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&zo)))
	rc, err := ctrl.GetConfig()
	if err == nil {
		rc.QPS, rc.Burst = float32(o.QPS), o.Burst
		err = app.Run(ctrl.SetupSignalHandler(), rc, o)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "runtime-sync:", err)
		os.Exit(1)
	}
}
