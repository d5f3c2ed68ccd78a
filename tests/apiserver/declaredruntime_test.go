package apiserver

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/kfgitops/kfgitops/tests/harness"
	"sigs.k8s.io/yaml"
)

// Run-time sources in a declared profile's namespace (harness.
// ProfileRuntimePolicies): the profile controller's ns-owner-access-istio
// and a contributor kfam added in the dashboard (outside Git, no marker).
const (
	ownerAccess = harness.OwnerAccessPolicy
	contributor = harness.ContributorPolicy
)

// declaredUntouched: runtime-sync runs against the declared profiles as the
// profile controller leaves their namespaces (labelled from the bundle's
// namespace-labels file, ns-owner-access-istio created, owned by the
// Profile) with a contributor added in the dashboard. It migrates those
// run-time policies onto the declared waypoint and writes nothing over Git:
// no second waypoint, nothing derived from a declared policy, no declared
// object's resourceVersion moves, no Conflict Event.
func declaredUntouched(t *testing.T, root string, c *cluster, objs []object) {
	rs := &runtimeScenario{t: t, c: c, fixtures: filepath.Join(root, "controllers", "runtime-sync", "routes", "testdata")}
	rs.prepareCluster(root, objs)
	profiles := map[string]string{} // namespace: owner
	for _, o := range objs {
		if o.declared && o.kind == "Profile" {
			var p struct {
				Spec struct {
					Owner struct{ Name string } `json:"owner"`
				} `json:"spec"`
			}
			if err := yaml.Unmarshal(o.raw, &p); err != nil {
				t.Fatal(err)
			}
			profiles[o.name] = p.Spec.Owner.Name
		}
	}
	if len(profiles) == 0 {
		t.Fatal("no declared Profile in the output")
	}
	labels := profileControllerLabels(t, objs)
	for ns := range profiles {
		rs.labelLikeProfileController(ns, labels)
	}
	before := declaredVersions(t, c)
	rs.ctl = newController(t, controllerBinary(t, root), rs.config(objs), rs.identity(objs))
	rs.ctl.start(t)
	sources, err := harness.ProfileRuntimePolicies(root)
	if err != nil {
		t.Fatal(err)
	}
	for ns, owner := range profiles {
		profile := c.get(t, "profiles.kubeflow.org", "", ns)
		c.applyText(t, "run-time-"+ns, sources(ns, owner, profile.Metadata.UID))
	}
	for ns := range profiles {
		for _, src := range []string{ownerAccess, contributor} {
			rs.waitDerivedIn(ns, src, []string{src + "-waypoint", src + "-ztunnel"}, "")
		}
		rs.checkNothingOverGit(ns)
	}
	if ok, diff := sameVersions(before, declaredVersions(t, c)); !ok {
		t.Errorf("declared objects written at run time: %s", diff)
	}
}

// checkNothingOverGit: in namespace ns the only waypoint is the declared
// one, runtime-sync derived only from the run-time sources, and no Conflict
// Event was recorded.
func (rs *runtimeScenario) checkNothingOverGit(ns string) {
	t := rs.t
	t.Helper()
	for _, gw := range rs.c.list(t, "gateways.gateway.networking.k8s.io", ns) {
		if gw.Metadata.Name != "waypoint" || gw.Metadata.Labels["app.kubernetes.io/managed-by"] != "kfgitops-profiles" {
			t.Errorf("Gateway %s/%s (labels %v): a waypoint besides the declared one", ns, gw.Metadata.Name, gw.Metadata.Labels)
		}
	}
	for _, p := range rs.c.list(t, "authorizationpolicies.security.istio.io", ns, "-l", "app.kubernetes.io/managed-by=kfgitops-runtime-sync") {
		owner := ""
		for _, r := range p.Metadata.OwnerReferences {
			if r.Controller {
				owner = r.Name
			}
		}
		if owner != ownerAccess && owner != contributor {
			t.Errorf("AuthorizationPolicy %s/%s: derived at run time from %q, a declared policy", ns, p.Metadata.Name, owner)
		}
	}
	for _, e := range rs.c.list(t, "events", ns, "--field-selector", "reason=Conflict") {
		t.Errorf("Conflict Event in %s: %s", ns, e.Note)
	}
}

// profileControllerLabels are the labels of the bundle's namespace-labels
// file (the profile controller's), "" for a label it removes.
func profileControllerLabels(t *testing.T, objs []object) map[string]string {
	t.Helper()
	for _, o := range objs {
		if o.kind != "ConfigMap" || o.namespace != "kubeflow" || !strings.HasPrefix(o.name, "namespace-labels-data") {
			continue
		}
		var cm struct {
			Data map[string]string `json:"data"`
		}
		if err := yaml.Unmarshal(o.raw, &cm); err != nil {
			t.Fatal(err)
		}
		labels := map[string]string{}
		if err := yaml.Unmarshal([]byte(cm.Data["namespace-labels.yaml"]), &labels); err != nil {
			t.Fatal(err)
		}
		return labels
	}
	t.Fatal("no namespace-labels ConfigMap in the output")
	return nil
}

// labelLikeProfileController sets the labels on an adopted namespace as the
// profile controller does: a label it lists empty is removed, one the
// namespace already has is kept, the others are added.
func (rs *runtimeScenario) labelLikeProfileController(ns string, labels map[string]string) {
	have := rs.c.get(rs.t, "namespace", "", ns)
	args := []string{"label", "namespace", ns}
	for k, v := range labels {
		_, exists := have.Metadata.Labels[k]
		switch {
		case v == "" && exists:
			args = append(args, k+"-")
		case v != "" && !exists:
			args = append(args, k+"="+v)
		}
	}
	rs.c.mustKubectl(rs.t, args...)
}

// declaredVersions are the resourceVersions of the objects on the server
// that carry the profiles function's marker.
func declaredVersions(t *testing.T, c *cluster) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, resource := range declaredKinds {
		for _, o := range c.list(t, resource, "", "-l", "app.kubernetes.io/managed-by=kfgitops-profiles") {
			out[resource+" "+o.Metadata.Namespace+"/"+o.Metadata.Name] = o.Metadata.ResourceVersion
		}
	}
	return out
}
