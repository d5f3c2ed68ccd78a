package apiserver

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// profileSources are the profile controller's and kfam's policies in the
// profile namespace (fixtures of the controller's unit tests), with the
// policies derived from each.
var profileSources = map[string][]string{
	"ns-owner-access-istio":                  {"ns-owner-access-istio-waypoint", "ns-owner-access-istio-ztunnel"},
	"user-jane-example-com-clusterrole-edit": {"user-jane-example-com-clusterrole-edit-waypoint", "user-jane-example-com-clusterrole-edit-ztunnel"},
}

// profiles: the profile namespace gets its waypoint (owned by the
// Namespace) and the policies derived from each source (owned by it);
// an edited source's derived policies follow, a deleted one's go, and the
// sources are never written.
func (rs *runtimeScenario) profiles() {
	rs.c.applyFile(rs.t, filepath.Join(rs.fixtures, "..", "..", "profiles", "testdata", "policies.yaml"))
	ns := rs.c.get(rs.t, "namespace", "", tenant)
	poll(rs.t, 60*time.Second, "waypoint Gateway", func() (bool, string) {
		gw := rs.c.get(rs.t, "gateways.gateway.networking.k8s.io", tenant, "waypoint")
		if gw == nil {
			return false, "no Gateway waypoint"
		}
		return gw.ownedBy(ns.Metadata.UID) && gw.Metadata.Labels["app.kubernetes.io/managed-by"] == "kfgitops-runtime-sync", fmt.Sprint(gw.Metadata)
	})
	for src, derived := range profileSources {
		rs.waitDerived(src, derived, "")
	}
	sources := rs.policyVersions(false)

	rs.c.mustKubectl(rs.t, "patch", "authorizationpolicies.security.istio.io", "-n", tenant, "ns-owner-access-istio", "--type=json",
		"-p", `[{"op":"add","path":"/spec/rules/0/when/0/values/-","value":"alice-admin@example.com"}]`)
	rs.waitDerived("ns-owner-access-istio", profileSources["ns-owner-access-istio"], "alice-admin@example.com")

	rs.c.mustKubectl(rs.t, "delete", "authorizationpolicies.security.istio.io", "-n", tenant, "user-jane-example-com-clusterrole-edit")
	for _, d := range profileSources["user-jane-example-com-clusterrole-edit"] {
		rs.waitGone("authorizationpolicies.security.istio.io", d)
	}
	after := rs.policyVersions(false)
	delete(sources, "user-jane-example-com-clusterrole-edit")
	delete(sources, "ns-owner-access-istio") // edited above
	delete(after, "ns-owner-access-istio")
	if ok, diff := sameVersions(sources, after); !ok {
		rs.t.Errorf("source policies written by runtime-sync: %s", diff)
	}
}

// waitDerived waits for the policies derived from source, owned by it, with
// want in their spec ("" for any).
func (rs *runtimeScenario) waitDerived(source string, derived []string, want string) {
	rs.t.Helper()
	rs.waitDerivedIn(tenant, source, derived, want)
}

// waitDerivedIn is waitDerived in namespace ns.
func (rs *runtimeScenario) waitDerivedIn(ns, source string, derived []string, want string) {
	rs.t.Helper()
	poll(rs.t, 60*time.Second, "policies derived from "+ns+"/"+source, func() (bool, string) {
		src := rs.c.get(rs.t, "authorizationpolicies.security.istio.io", ns, source)
		if src == nil {
			return false, "no source"
		}
		for _, name := range derived {
			d := rs.c.get(rs.t, "authorizationpolicies.security.istio.io", ns, name)
			switch {
			case d == nil:
				return false, "no " + name
			case !d.ownedBy(src.Metadata.UID) || d.Metadata.Labels["app.kubernetes.io/managed-by"] != "kfgitops-runtime-sync":
				return false, fmt.Sprintf("%s: metadata %+v", name, d.Metadata)
			case want != "" && strings.HasSuffix(name, "-waypoint") && !strings.Contains(d.spec(), want):
				return false, name + " does not follow the source: " + d.spec()
			}
		}
		return true, ""
	})
}

// policyVersions returns the resourceVersions of the namespace's derived
// (managed) or source policies.
func (rs *runtimeScenario) policyVersions(managed bool) map[string]string {
	out := map[string]string{}
	for _, p := range rs.c.list(rs.t, "authorizationpolicies.security.istio.io", tenant) {
		if (p.Metadata.Labels["app.kubernetes.io/managed-by"] == "kfgitops-runtime-sync") == managed {
			out[p.Metadata.Name] = p.Metadata.ResourceVersion
		}
	}
	return out
}
