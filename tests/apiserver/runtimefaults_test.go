package apiserver

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// hostile: every VirtualService that asks for more than its namespace's
// prefixes on the Gateway's hosts is refused with an Event, gets no route,
// and disturbs no other route.
func (rs *runtimeScenario) hostile() {
	before := rs.resourceVersions()
	for _, name := range []string{"root", "dex", "oauth2-callback", "other-namespace", "regex", "other-host"} {
		rs.c.applyFile(rs.t, filepath.Join(rs.fixtures, "hostile", name+".yaml"))
	}
	for _, name := range []string{"root", "dex", "oauth2-callback", "other-namespace", "regex", "other-host"} {
		note := rs.waitEvent(name, "TenancyRefused")
		rs.t.Logf("%s refused: %s", name, note)
		if rs.c.get(rs.t, "httproute", tenant, name) != nil {
			rs.t.Errorf("HTTPRoute %s written for a refused VirtualService", name)
		}
	}
	if ok, diff := sameVersions(before, rs.resourceVersions()); !ok {
		rs.t.Errorf("refusals disturbed other routes: %s", diff)
	}
}

// edits: an edited VirtualService's route follows; a deleted one's goes.
func (rs *runtimeScenario) edits() {
	rs.c.mustKubectl(rs.t, "patch", "virtualservice", "-n", tenant, "tb", "--type=json",
		"-p", `[{"op":"replace","path":"/spec/http/0/timeout","value":"120s"}]`)
	poll(rs.t, 60*time.Second, "HTTPRoute tb follows the new timeout", func() (bool, string) {
		r := rs.c.get(rs.t, "httproute", tenant, "tb")
		if r == nil {
			return false, "no HTTPRoute"
		}
		return strings.Contains(r.spec(), `"timeouts":{"request":"2m"}`), r.spec()
	})
	rs.c.mustKubectl(rs.t, "delete", "virtualservice", "-n", tenant, "pvcviewer-data")
	rs.waitGone("httproute", "pvcviewer-data")
	// A refused VirtualService fixed by its owner gets its route.
	rs.c.mustKubectl(rs.t, "patch", "virtualservice", "-n", tenant, "dex", "--type=json",
		"-p", `[{"op":"replace","path":"/spec/http/0/match/0/uri/prefix","value":"/notebook/alice/fixed/"}]`)
	rs.waitRoute("dex", "/notebook/alice/fixed/", "evil")
}

// killed: the controller is killed (SIGKILL) while it works through a batch
// of new VirtualServices, and a VirtualService is deleted while it is down;
// after a restart every route exists once, and the orphan is gone.
func (rs *runtimeScenario) killed() {
	var batch strings.Builder
	for i := range 20 {
		fmt.Fprintf(&batch, `---
apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata: {name: notebook-alice-b%d, namespace: alice}
spec:
  hosts: ["*"]
  gateways: [kubeflow/kubeflow-gateway]
  http:
  - headers: {request: {set: {}}}
    match: [{uri: {prefix: /notebook/alice/b%d/}}]
    rewrite: {uri: /notebook/alice/b%d/}
    route: [{destination: {host: b%d.alice.svc.cluster.local, port: {number: 80}}}]
`, i, i, i, i)
	}
	rs.c.applyText(rs.t, "batch", batch.String())
	rs.ctl.kill(rs.t)
	rs.c.mustKubectl(rs.t, "delete", "virtualservice", "-n", tenant, "notebook-alice-code")
	rs.ctl.start(rs.t)
	for i := range 20 {
		rs.waitRoute(fmt.Sprintf("notebook-alice-b%d", i), fmt.Sprintf("/notebook/alice/b%d/", i), fmt.Sprintf("b%d", i))
	}
	rs.waitGone("httproute", "notebook-alice-code")
	owners := map[string]int{}
	for _, r := range rs.c.list(rs.t, "httproutes", tenant, "-l", "app.kubernetes.io/managed-by=kfgitops-runtime-sync") {
		for _, o := range r.Metadata.OwnerReferences {
			owners[o.UID]++
		}
	}
	for uid, n := range owners {
		if n != 1 {
			rs.t.Errorf("VirtualService uid %s owns %d HTTPRoutes, want 1", uid, n)
		}
	}
}

// stable: once settled, reconciling every VirtualService and the profile
// namespace again writes nothing (no resourceVersion moves): no flapping
// between reconciles.
func (rs *runtimeScenario) stable() {
	before := rs.resourceVersions()
	vss := rs.c.list(rs.t, "virtualservices", tenant)
	base, baseNS := rs.ctl.reconciles(rs.t, "virtualservice"), rs.ctl.reconciles(rs.t, "profile-namespace")
	touched := "kfgitops.dev/touched=" + time.Now().Format("150405.000")
	rs.c.mustKubectl(rs.t, "annotate", "virtualservices", "-n", tenant, "--all", "--overwrite", touched)
	rs.c.mustKubectl(rs.t, "annotate", "namespace", tenant, "--overwrite", touched)
	poll(rs.t, 60*time.Second, "every VirtualService and the namespace reconciled again", func() (bool, string) {
		n, nns := rs.ctl.reconciles(rs.t, "virtualservice")-base, rs.ctl.reconciles(rs.t, "profile-namespace")-baseNS
		return n >= len(vss) && nns >= 1, fmt.Sprintf("%d of %d VirtualService reconciles, %d namespace reconciles", n, len(vss), nns)
	})
	if ok, diff := sameVersions(before, rs.resourceVersions()); !ok {
		rs.t.Errorf("routes rewritten by reconciles with nothing to change: %s", diff)
	}
}

// apiServerRestart: the controller recovers from a kube-apiserver restart.
// When the server is away longer than the lease's renew deadline (10 s) the
// controller gives up leadership and exits, so that two replicas never
// write at once; its Deployment restarts it, as this test does then.
func (rs *runtimeScenario) apiServerRestart() {
	rs.c.restartAPIServer(rs.t)
	rs.c.applyText(rs.t, "after-restart", `apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata: {name: tb-after-restart, namespace: alice}
spec:
  hosts: ["*"]
  gateways: [kubeflow/kubeflow-gateway]
  http:
  - match: [{uri: {prefix: /tensorboard/alice/after/}}]
    rewrite: {uri: /}
    route: [{destination: {host: after.alice.svc.cluster.local, port: {number: 80}}}]
    timeout: 300s
`)
	restarted := false
	poll(rs.t, 90*time.Second, "HTTPRoute tb-after-restart", func() (bool, string) {
		if !rs.ctl.running() && !restarted {
			if log := rs.ctl.logText(); !strings.Contains(log, "leader election lost") {
				rs.t.Fatalf("runtime-sync exited during the kube-apiserver restart, not for leadership:\n%s", tail([]byte(log), 3000))
			}
			rs.t.Log("runtime-sync lost leadership while kube-apiserver was away and exited; restarted as its Deployment would")
			rs.ctl.start(rs.t)
			restarted = true
		}
		r := rs.c.get(rs.t, "httproute", tenant, "tb-after-restart")
		return r != nil && routesTo(r, "/tensorboard/alice/after/", "after"), "no HTTPRoute yet"
	})
}

// malformed: a VirtualService the server admits but that cannot be
// converted gets an Event; the controller keeps running.
func (rs *runtimeScenario) malformed() {
	rs.c.applyText(rs.t, "malformed", `apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {name: malformed, namespace: alice}
spec:
  hosts: ["*"]
  gateways: [kubeflow/kubeflow-gateway]
  http:
  - match: [{uri: {prefix: /notebook/alice/m/}}]
    route: [{destination: {host: "", port: {number: 80}}}]
`)
	rs.t.Logf("malformed: %s", rs.waitEvent("malformed", "Unconvertible"))
	if rs.c.get(rs.t, "httproute", tenant, "malformed") != nil {
		rs.t.Error("HTTPRoute written for a malformed VirtualService")
	}
	if !rs.ctl.running() {
		rs.t.Error("runtime-sync exited on a malformed VirtualService")
	}
}
