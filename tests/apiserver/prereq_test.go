package apiserver

import (
	"testing"

	"github.com/kfgitops/kfgitops/tests/harness"
)

// The platform's CRDs are installed for the kinds the bundle uses without
// defining them, and only for those.
func TestPrerequisiteCRDs(t *testing.T) {
	root, err := harness.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	objs, err := parse([]byte(`apiVersion: gateway.kgateway.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: p, namespace: ns}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: ns}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: httproutes.gateway.networking.k8s.io}
spec:
  group: gateway.networking.k8s.io
  names: {kind: HTTPRoute}
`))
	if err != nil {
		t.Fatal(err)
	}
	crds, err := prerequisiteCRDs(root, objs)
	if err != nil {
		t.Fatal(err)
	}
	if len(crds) != 1 || crds[0].name != "trafficpolicies.gateway.kgateway.dev" {
		var names []string
		for _, c := range crds {
			names = append(names, c.name)
		}
		t.Errorf("got %v, want only trafficpolicies.gateway.kgateway.dev (HTTPRoute's CRD is in the bundle)", names)
	}
}
