package apiserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"
)

// The run-time controller against the real API server, over the bundle just
// applied: it acts like the upstream controllers, writing the objects in
// the shapes of their source (controllers/runtime-sync/README.md lists
// them), and checks what runtime-sync
// derives, what it refuses, and how it survives faults. No garbage
// collector runs here: every removal checked is runtime-sync's own clean-up.
func runtimeSync(t *testing.T, root string, c *cluster, objs []object) {
	t.Run("runtime-sync", func(t *testing.T) {
		start := time.Now()
		rs := &runtimeScenario{t: t, c: c, fixtures: filepath.Join(root, "controllers", "runtime-sync", "routes", "testdata")}
		rs.prepare(root, objs)
		rs.ctl = newController(t, controllerBinary(t, root), rs.config(objs), rs.identity(objs))
		rs.ctl.start(t)
		rs.routes()
		rs.profiles()
		rs.hostile()
		rs.edits()
		rs.killed()
		rs.stable()
		rs.apiServerRestart()
		rs.malformed()
		t.Logf("runtime-sync scenario in %s", time.Since(start).Round(time.Millisecond))
	})
}

type runtimeScenario struct {
	t        *testing.T
	c        *cluster
	ctl      *controller
	fixtures string
}

const tenant = "alice"

// shapes are the upstream controllers' VirtualServices (fixtures of the
// controller's unit tests) and the HTTPRoute each derives.
var shapes = []struct{ file, route, path, backend string }{
	{"notebook", "notebook-alice-nb", "/notebook/alice/nb/", "nb"},
	{"notebook-rstudio", "notebook-alice-rs", "/notebook/alice/rs/", "rs"},
	{"notebook-codeserver", "notebook-alice-code", "/notebook/alice/code/", "code"},
	{"tensorboard", "tb", "/tensorboard/alice/tb/", "tb"},
	{"pvcviewer", "pvcviewer-data", "/pvcviewers/alice/data/", "pvcviewer-data"},
}

// derivedKinds are the kinds runtime-sync writes: a cluster with kgateway
// has every CRD of Gateway API and kgateway, also those of kinds the bundle
// does not use.
var derivedKinds = []object{
	{apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute"},
	{apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway"},
	{apiVersion: "gateway.kgateway.dev/v1alpha1", kind: "TrafficPolicy"},
	{apiVersion: "gateway.kgateway.dev/v1alpha1", kind: "DirectResponse"},
}

// prepare installs the CRDs of the kinds runtime-sync writes that the
// bundle did not need, creates the profile namespace as the profile
// controller does (labels from the namespace-labels ConfigMap), and the
// Gateway's namespace if the bundle has none.
func (rs *runtimeScenario) prepare(root string, objs []object) {
	rs.prepareCluster(root, objs)
	rs.c.applyText(rs.t, "profile-namespace", `apiVersion: v1
kind: Namespace
metadata:
  name: alice
  annotations: {owner: alice@example.com}
  labels:
    app.kubernetes.io/part-of: kubeflow-profile
    istio.io/dataplane-mode: ambient
    istio.io/use-waypoint: waypoint
    gateway.kfgitops.dev/kubeflow-system.kubeflow-gateway: routes
    katib.kubeflow.org/metrics-collector-injection: enabled
    pipelines.kubeflow.org/enabled: "true"
    pod-security.kubernetes.io/enforce: baseline
    serving.kubeflow.org/inferenceservice: enabled
`)
}

// prepareCluster installs the CRDs of the kinds runtime-sync writes that the
// bundle did not need, and the Gateway's namespace if the bundle has none.
func (rs *runtimeScenario) prepareCluster(root string, objs []object) {
	crds, err := prerequisiteCRDs(root, append(append([]object(nil), objs...), derivedKinds...))
	if err != nil {
		rs.t.Fatal(err)
	}
	rs.c.apply(rs.t, "CRDs of the kinds runtime-sync writes", crds)
	rs.c.waitEstablished(rs.t, "CRDs of the kinds runtime-sync writes")
	if rs.c.get(rs.t, "namespace", "", "kubeflow-system") == nil {
		rs.c.mustKubectl(rs.t, "create", "namespace", "kubeflow-system")
	}
}

// identity is the kubeconfig the controller runs with: its ServiceAccount's
// user (the server runs with RBAC) when the bundle grants it RBAC, so that
// the bundle's least-privilege ClusterRole and Role are what it works with;
// else the suite's admin.
func (rs *runtimeScenario) identity(objs []object) string {
	for _, o := range objs {
		if o.kind == "ClusterRole" && o.name == "runtime-sync" {
			rs.t.Log("identity: system:serviceaccount:kubeflow-system:runtime-sync, with the bundle's RBAC")
			kubeconfig := filepath.Join(rs.c.work, "runtime-sync.kubeconfig")
			rs.leastPrivilege(kubeconfig)
			return kubeconfig
		}
	}
	rs.t.Log("identity: the suite's admin (the bundle has no ClusterRole runtime-sync)")
	return rs.c.kubeconfig
}

// leastPrivilege: what the controller must not be able to do, it cannot.
func (rs *runtimeScenario) leastPrivilege(kubeconfig string) {
	for _, verb := range [][]string{
		{"get", "secrets", "--all-namespaces"},
		{"list", "secrets", "--all-namespaces"},
		{"update", "virtualservices.networking.istio.io", "--all-namespaces"},
		{"delete", "namespaces"},
		{"create", "clusterrolebindings"},
		{"*", "*", "--all-namespaces"},
	} {
		out, _, _ := rs.c.kubectl(append([]string{"--kubeconfig", kubeconfig, "auth", "can-i"}, verb...)...)
		if strings.TrimSpace(out) != "no" {
			rs.t.Errorf("runtime-sync can %s: %q, want no", strings.Join(verb, " "), out)
		}
	}
}

// config is the controller's configuration: the runtime-sync ConfigMap of
// the bundle when it has one, else fallbackConfig.
func (rs *runtimeScenario) config(objs []object) string {
	data := []byte(fallbackConfig)
	for _, o := range objs {
		if o.kind != "ConfigMap" || o.name != "runtime-sync" {
			continue
		}
		var cm struct {
			Data map[string]string `json:"data"`
		}
		if err := yaml.Unmarshal(o.raw, &cm); err != nil {
			rs.t.Fatal(err)
		}
		if cfg, ok := cm.Data["config.yaml"]; ok {
			data = []byte(cfg)
			rs.t.Log("configuration: the bundle's ConfigMap runtime-sync")
		}
	}
	path := filepath.Join(rs.c.work, "runtime-sync-config.yaml")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		rs.t.Fatal(err)
	}
	return path
}

// routes: every shape gets its HTTPRoute, admitted by the server, labelled,
// owned by its VirtualService, routing its prefix to its Service; the
// KServe Serverless VirtualService is reported as not handled.
func (rs *runtimeScenario) routes() {
	for _, s := range shapes {
		rs.c.applyFile(rs.t, filepath.Join(rs.fixtures, "virtualservices", s.file+".yaml"))
	}
	rs.c.applyFile(rs.t, filepath.Join(rs.fixtures, "virtualservices", "kserve-serverless.yaml"))
	for _, s := range shapes {
		rs.waitRoute(s.route, s.path, s.backend)
	}
	rs.waitEvent("sklearn", "NotHandled")
	if rs.c.get(rs.t, "httproute", tenant, "sklearn") != nil {
		rs.t.Error("HTTPRoute sklearn written for a KServe Serverless VirtualService")
	}
}

// waitRoute waits for the HTTPRoute of VirtualService name.
func (rs *runtimeScenario) waitRoute(name, path, backend string) {
	rs.t.Helper()
	poll(rs.t, 60*time.Second, "HTTPRoute "+name, func() (bool, string) {
		vs := rs.c.get(rs.t, "virtualservice", tenant, name)
		r := rs.c.get(rs.t, "httproute", tenant, name)
		switch {
		case vs == nil:
			return false, "no VirtualService"
		case r == nil:
			return false, "no HTTPRoute"
		case r.Metadata.Labels["app.kubernetes.io/managed-by"] != "kfgitops-runtime-sync":
			return false, fmt.Sprintf("labels %v", r.Metadata.Labels)
		case !r.ownedBy(vs.Metadata.UID):
			return false, fmt.Sprintf("ownerReferences %+v, want VirtualService uid %s", r.Metadata.OwnerReferences, vs.Metadata.UID)
		}
		return routesTo(r, path, backend), r.spec()
	})
}

// routesTo reports whether an HTTPRoute attaches to the kgateway Gateway
// and routes path (its only match) to Service backend.
func routesTo(r *kobj, path, backend string) bool {
	var spec struct {
		ParentRefs []struct{ Name, Namespace string } `json:"parentRefs"`
		Rules      []struct {
			Matches []struct {
				Path struct{ Value string } `json:"path"`
			} `json:"matches"`
			BackendRefs []struct{ Name string } `json:"backendRefs"`
		} `json:"rules"`
	}
	if json.Unmarshal(r.Spec, &spec) != nil || len(spec.ParentRefs) != 1 || len(spec.Rules) != 1 ||
		len(spec.Rules[0].Matches) != 1 || len(spec.Rules[0].BackendRefs) != 1 {
		return false
	}
	p, rule := spec.ParentRefs[0], spec.Rules[0]
	return p.Name == "kubeflow-gateway" && p.Namespace == "kubeflow-system" &&
		rule.Matches[0].Path.Value == path && rule.BackendRefs[0].Name == backend
}

// waitGone waits until an object no longer exists.
func (rs *runtimeScenario) waitGone(resource, name string) {
	rs.t.Helper()
	poll(rs.t, 60*time.Second, resource+" "+name+" removed", func() (bool, string) {
		return rs.c.get(rs.t, resource, tenant, name) == nil, "still there"
	})
}

// waitEvent waits for an Event of that reason on the object named.
func (rs *runtimeScenario) waitEvent(name, reason string) string {
	rs.t.Helper()
	var note string
	poll(rs.t, 60*time.Second, reason+" Event on "+name, func() (bool, string) {
		for _, e := range rs.c.list(rs.t, "events", tenant, "--field-selector", "involvedObject.name="+name) {
			if e.Reason == reason {
				note = e.Note
				return true, ""
			}
		}
		return false, "none yet"
	})
	return note
}

// resourceVersions of every object runtime-sync wrote.
func (rs *runtimeScenario) resourceVersions() map[string]string {
	out := map[string]string{}
	for _, kind := range []string{"httproutes", "gateways.gateway.networking.k8s.io", "authorizationpolicies.security.istio.io"} {
		for _, r := range rs.c.list(rs.t, kind, "", "-l", "app.kubernetes.io/managed-by=kfgitops-runtime-sync") {
			out[kind+" "+r.Metadata.Namespace+"/"+r.Metadata.Name] = r.Metadata.ResourceVersion
		}
	}
	return out
}

func sameVersions(a, b map[string]string) (bool, string) {
	var diff bytes.Buffer
	for k, v := range a {
		if b[k] != v {
			fmt.Fprintf(&diff, "%s: %q → %q; ", k, v, b[k])
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			fmt.Fprintf(&diff, "%s: new; ", k)
		}
	}
	return diff.Len() == 0, diff.String()
}
