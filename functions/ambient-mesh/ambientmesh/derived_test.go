package ambientmesh

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kfgitops/kfgitops/kit/ingress"
	"github.com/kfgitops/kfgitops/kit/kubeflow"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	"k8s.io/apimachinery/pkg/util/validation"
)

func TestDerivedNames(t *testing.T) {
	long := "user-" + strings.Repeat("a", 240) + "-clusterrole-edit"
	longer := "user-" + strings.Repeat("a", 240) + "-clusterrole-view"
	for _, tc := range []struct{ source, suffix, want string }{
		{"ns-owner-access-istio", "-ztunnel", "ns-owner-access-istio-ztunnel"},
		{strings.Repeat("b", 244), "-waypoint", strings.Repeat("b", 244) + "-waypoint"},
	} {
		if got := derivedName(tc.source, tc.suffix); got != tc.want {
			t.Errorf("derivedName(%q, %q) = %q, want %q", tc.source, tc.suffix, got, tc.want)
		}
	}
	a, b := derivedName(long, "-waypoint"), derivedName(longer, "-waypoint")
	for _, name := range []string{a, b} {
		if errs := validation.IsDNS1123Subdomain(name); len(errs) > 0 || !strings.HasSuffix(name, "-waypoint") {
			t.Errorf("%q: %v", name, errs)
		}
	}
	if a == b {
		t.Error("two long sources share a derived name")
	}
	if got := labelValue("ns-owner-access-istio"); got != "ns-owner-access-istio" {
		t.Errorf("labelValue kept short name as %q", got)
	}
	la, lb := labelValue(long), labelValue(longer)
	for _, v := range []string{la, lb} {
		if errs := validation.IsValidLabelValue(v); len(errs) > 0 {
			t.Errorf("%q: %v", v, errs)
		}
	}
	if la == lb {
		t.Error("two long sources share a label value")
	}
}

// With a shared waypoint, a namespace-wide policy targets every Service, in
// parts of at most 16 targetRefs (Istio's limit), each with all the rules.
func TestSplitTargetRefs(t *testing.T) {
	const ns = "team"
	var services fn.KubeObjects
	for i := range 17 {
		s, err := fn.ParseKubeObject([]byte(fmt.Sprintf("apiVersion: v1\nkind: Service\nmetadata: {name: nb-%02d, namespace: %s}\nspec: {selector: {app: nb-%02d}}\n", i, ns, i)))
		if err != nil {
			t.Fatal(err)
		}
		services = append(services, s)
	}
	p, err := fn.ParseKubeObject([]byte("apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: owner, namespace: " + ns + "}\nspec: {rules: [{to: [{operation: {paths: [/x]}}]}]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := MigrateNamespace(ns, fn.KubeObjects{p}, NamespaceOptions{
		Waypoint: ingress.Gateway{Namespace: "shared", Name: "waypoint"}, IngressGateway: kubeflow.IngressGateway, Services: services,
	})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	refs := 0
	for _, o := range got.Derived["owner"] {
		names = append(names, o.GetName())
		list, _, _ := o.NestedSlice("spec", "targetRefs")
		if len(list) > maxTargetRefs {
			t.Errorf("%s: %d targetRefs", o.GetName(), len(list))
		}
		refs += len(list)
		if rules, _, _ := o.NestedSlice("spec", "rules"); len(rules) != 1 {
			t.Errorf("%s: %d rules", o.GetName(), len(rules))
		}
	}
	if want := "owner-waypoint owner-waypoint-2 owner-ztunnel"; strings.Join(names, " ") != want || refs != 17 {
		t.Errorf("derived %v with %d targetRefs, want %s with 17", names, refs, want)
	}
}
