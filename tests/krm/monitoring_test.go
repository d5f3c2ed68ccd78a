package krm

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/kfgitops/kfgitops/functions/kubeflow-gitops/chain"
	"github.com/kfgitops/kfgitops/functions/monitoring/monitoring"
	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/corpus"
	"github.com/kfgitops/kfgitops/kit/istio"
	"github.com/kfgitops/kfgitops/kit/krmio"
	"github.com/kfgitops/kfgitops/kit/meshauthz"
)

// Prometheus' scrapes through ambient, on the master render after
// monitoring (pipelines/kubeflow-day2's config) and the whole chain: at
// ztunnel, every monitored pod in an ambient namespace admits Prometheus
// to its metrics port, and the scrape policies admit nobody else and no
// other port (each decision equals the one without them).
func TestMonitoringScrapesThroughAmbient(t *testing.T) {
	cfg, err := os.ReadFile(filepath.Join("..", "..", "pipelines", "kubeflow-day2", "monitoring.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	out, stderr, code := krmio.Process(monitoring.Function, corpus.WithFunctionConfig(corpus.ResourceList(t, corpus.Master), string(cfg)))
	if code != 0 {
		t.Fatalf("monitoring: exit %d: %s", code, stderr)
	}
	rl, err := krmio.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	rl.FunctionConfig, rl.Results = nil, nil
	if !chain.Function.ProcessJSON(rl, nil) {
		t.Fatalf("chain failed: %v", rl.Results)
	}
	ambient, pods := map[string]bool{}, map[string]map[string]string{}
	var all, theirs []meshauthz.Policy
	for _, o := range rl.Items {
		switch {
		case kit.NamespaceKind.Is(o) && o.GetLabel("istio.io/dataplane-mode") == "ambient":
			ambient[o.GetName()] = true
		case istio.AuthorizationPolicyKind.Is(o):
			p := meshauthz.Decode(t, o)
			all = append(all, p)
			if o.GetLabel(kit.ManagedByLabel) != monitoring.ManagedBy {
				theirs = append(theirs, p)
			}
		case kit.DeploymentKind.Is(o) || o.GetKind() == "DaemonSet":
			labels, _, _ := o.NestedStringMap("spec", "template", "metadata", "labels")
			pods[o.GetNamespace()+"/"+o.GetKind()+"/"+o.GetName()] = labels
		}
	}
	prometheus := "cluster.local/ns/monitoring/sa/prometheus-kube-prometheus-prometheus"
	targets := append(monitoring.Targets.Targets, monitoring.Target{Name: "runtime-sync", Namespace: "kubeflow-system", Workload: "Deployment/runtime-sync", ContainerPort: 8080})
	checked := 0
	for _, tg := range targets {
		labels, ok := pods[tg.Namespace+"/"+tg.Workload]
		if !ok || !ambient[tg.Namespace] || labels["istio.io/dataplane-mode"] == "none" {
			continue
		}
		checked++
		port := strconv.Itoa(tg.ContainerPort)
		decide := func(policies []meshauthz.Policy, principal, port string) bool {
			return meshauthz.Decide(t, onZtunnel(policies, tg.Namespace, labels), meshauthz.Request{Principal: principal, Port: port}, false)
		}
		if !decide(all, prometheus, port) {
			t.Errorf("%s: ztunnel denies Prometheus' scrape of port %s", tg.Name, port)
		}
		for _, r := range []struct{ principal, port string }{
			{"cluster.local/ns/kubeflow/sa/default-editor", port}, {prometheus, "1"}, {"", port},
		} {
			if got, want := decide(all, r.principal, r.port), decide(theirs, r.principal, r.port); got != want {
				t.Errorf("%s: %q on port %s is %v with the scrape policies, %v without: they must admit only Prometheus to the metrics port", tg.Name, r.principal, r.port, got, want)
			}
		}
	}
	t.Logf("%d monitored workloads in ambient namespaces checked", checked)
	if checked < 10 {
		t.Errorf("only %d monitored workloads in ambient namespaces", checked)
	}
}

// onZtunnel are the policies ztunnel enforces on a pod of ns with labels.
func onZtunnel(policies []meshauthz.Policy, ns string, labels map[string]string) []meshauthz.Policy {
	var out []meshauthz.Policy
	for _, p := range policies {
		if (p.Namespace != ns && p.Namespace != "istio-system") || !p.AppliesTo(labels) {
			continue
		}
		if z, ok := meshauthz.OnZtunnel(p); ok {
			out = append(out, z)
		}
	}
	return out
}
