package apiserver

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kfgitops/kfgitops/kit/corpus"
	"github.com/kfgitops/kfgitops/tests/harness"
)

// Scale of the runtime-sync benchmark: profile namespaces (1,000, or
// $KFGITOPS_BENCH_NAMESPACES for a quick look), and notebooks in each.
var benchNamespaces = envInt("KFGITOPS_BENCH_NAMESPACES", 1000)

const benchNotebooks = 5

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// BenchmarkRuntimeSyncScale: 1,000 profile namespaces, each with the
// profile controller's ns-owner-access-istio and 5 notebooks'
// VirtualServices, exist on a real kube-apiserver before runtime-sync
// starts; it reports the time from the controller's start until every route,
// waypoint and derived policy exists, the controller's peak RSS and its
// reconciles per second. Run by `make bench` (docs/performance.md).
func BenchmarkRuntimeSyncScale(b *testing.B) {
	if os.Getenv("KFGITOPS_APISERVER") == "" {
		b.Skip("needs the real API server (KFGITOPS_APISERVER=1, as `make bench` sets)")
	}
	root, err := harness.RepoRoot()
	if err != nil {
		b.Fatal(err)
	}
	corpusDir := corpus.Require(b)
	for range b.N {
		c := startCluster(b, root, binaries(b, root))
		benchCRDs(b, root, c, filepath.Join(corpusDir, corpus.Master))
		start := time.Now()
		for i := 0; i < benchNamespaces; i += 100 {
			c.createText(b, fmt.Sprintf("bench-%d", i), benchObjects(i, min(i+100, benchNamespaces)))
		}
		b.Logf("created %d namespaces, %d policies, %d VirtualServices in %s", benchNamespaces, benchNamespaces,
			benchNamespaces*benchNotebooks, time.Since(start).Round(time.Millisecond))
		cfg := filepath.Join(c.work, "runtime-sync-config.yaml")
		if err := os.WriteFile(cfg, []byte(fallbackConfig), 0o644); err != nil {
			b.Fatal(err)
		}
		ctl := newController(b, controllerBinary(b, root), cfg, c.kubeconfig)
		b.ResetTimer()
		start = time.Now()
		ctl.start(b)
		want := map[string]int{"httproutes": benchNamespaces * benchNotebooks, "gateways.gateway.networking.k8s.io": benchNamespaces,
			"authorizationpolicies.security.istio.io": 2 * benchNamespaces}
		poll(b, 30*time.Minute, "every route, waypoint and derived policy", func() (bool, string) {
			var status []string
			for kind, n := range want {
				got := c.count(b, kind, "app.kubernetes.io/managed-by=kfgitops-runtime-sync")
				status = append(status, fmt.Sprintf("%s %d/%d", kind, got, n))
				if got < n {
					return false, strings.Join(status, ", ")
				}
			}
			return true, ""
		})
		elapsed := time.Since(start)
		b.StopTimer()
		reconciles := ctl.reconciles(b, "virtualservice") + ctl.reconciles(b, "profile-namespace")
		rss := ctl.peakRSS(b)
		b.ReportMetric(float64(benchNamespaces), "namespaces")
		b.ReportMetric(elapsed.Seconds(), "s-until-all")
		b.ReportMetric(float64(reconciles)/elapsed.Seconds(), "reconciles/s")
		b.ReportMetric(float64(rss)/1024, "peak-RSS-MiB")
		b.Logf("%d reconciles in %s, peak RSS %d KiB", reconciles, elapsed.Round(time.Millisecond), rss)
		ctl.kill(b)
	}
}

// benchCRDs installs what a cluster with Istio, Gateway API and kgateway
// has: the CRDs of the render's Istio kinds and of the kinds runtime-sync
// writes, and the Gateway's namespace.
func benchCRDs(b *testing.B, root string, c *cluster, render string) {
	data, err := os.ReadFile(render)
	if err != nil {
		b.Fatal(err)
	}
	objs, err := parse(data)
	if err != nil {
		b.Fatal(err)
	}
	var crds []object
	for _, o := range objs {
		if o.crdGroupKind == "networking.istio.io/VirtualService" || o.crdGroupKind == "security.istio.io/AuthorizationPolicy" {
			crds = append(crds, o)
		}
	}
	prereqs, err := prerequisiteCRDs(root, derivedKinds)
	if err != nil {
		b.Fatal(err)
	}
	c.apply(b, "CRDs", append(crds, prereqs...))
	c.waitEstablished(b, "CRDs")
	c.mustKubectl(b, "create", "namespace", "kubeflow-system")
}

// benchObjects are profile namespaces [from, to) as the profile controller
// makes them, with ns-owner-access-istio and the notebooks' VirtualServices.
func benchObjects(from, to int) string {
	var s strings.Builder
	for i := from; i < to; i++ {
		ns := "user-" + strconv.Itoa(i)
		fmt.Fprintf(&s, `---
apiVersion: v1
kind: Namespace
metadata:
  name: %[1]s
  labels: {app.kubernetes.io/part-of: kubeflow-profile, istio.io/dataplane-mode: ambient, istio.io/use-waypoint: waypoint, gateway.kfgitops.dev/kubeflow-system.kubeflow-gateway: routes}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: ns-owner-access-istio, namespace: %[1]s, annotations: {user: %[1]s@example.com, role: admin}}
spec:
  action: ALLOW
  rules:
  - from: [{source: {principals: [cluster.local/ns/kubeflow-system/sa/kubeflow-gateway, cluster.local/ns/kubeflow/sa/ml-pipeline-ui]}}]
    when: [{key: "request.headers[kubeflow-userid]", values: [%[1]s@example.com]}]
  - when: [{key: source.namespace, values: [%[1]s]}]
  - to: [{operation: {paths: [/healthz, /metrics, /wait-for-drain]}}]
  - from: [{source: {principals: [cluster.local/ns/kubeflow/sa/notebook-controller-service-account]}}]
    to: [{operation: {methods: [GET], paths: ["*/api/kernels"]}}]
`, ns)
		for j := range benchNotebooks {
			fmt.Fprintf(&s, `---
apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata: {name: notebook-%[1]s-nb%[2]d, namespace: %[1]s}
spec:
  hosts: ["*"]
  gateways: [kubeflow/kubeflow-gateway]
  http:
  - headers: {request: {set: {}}}
    match: [{uri: {prefix: /notebook/%[1]s/nb%[2]d/}}]
    rewrite: {uri: /notebook/%[1]s/nb%[2]d/}
    route: [{destination: {host: nb%[2]d.%[1]s.svc.cluster.local, port: {number: 80}}}]
`, ns, j)
		}
	}
	return s.String()
}
