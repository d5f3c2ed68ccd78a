package ambientmesh_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/kfgitops/kfgitops/functions/ambient-mesh/ambientmesh"
	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/crdschema"
	"github.com/kfgitops/kfgitops/kit/golden"
	"github.com/kfgitops/kfgitops/kit/ingress"
	"github.com/kfgitops/kfgitops/kit/kubeflow"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/yaml"
)

const profileNS = "kubeflow-user-example-com"

var (
	ownWaypoint = ambientmesh.NamespaceOptions{
		Waypoint:       ingress.Gateway{Name: "waypoint"},
		IngressGateway: kubeflow.IngressGateway,
	}
	sharedWaypoint = ambientmesh.NamespaceOptions{
		Waypoint:       ingress.Gateway{Namespace: "kubeflow-waypoints", Name: "shared-waypoint"},
		IngressGateway: kubeflow.IngressGateway,
	}
)

// Each case under testdata/_namespace: policies.yaml (the namespace's
// AuthorizationPolicies), services.yaml (its Services, if any) and
// _expected.yaml (what MigrateNamespace returns; UPDATE_GOLDEN=1 rewrites it).
func TestMigrateNamespace(t *testing.T) {
	for _, tc := range []struct {
		dir  string
		opts ambientmesh.NamespaceOptions
		// exact: through the waypoint, every request is decided as with
		// sidecars (else only never allowed more)
		exact bool
	}{
		{"ns-owner", ownWaypoint, true},
		{"kfam", ownWaypoint, true},
		{"deny-l7", ownWaypoint, false},
		{"custom", ownWaypoint, true},
		{"pure-l4", ownWaypoint, true},
		{"pure-l4-behind-waypoint", ownWaypoint, false},
		{"selector", ownWaypoint, true},
		{"shared-waypoint", sharedWaypoint, true},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			dir := filepath.Join("testdata", "_namespace", tc.dir)
			policies := readObjects(t, filepath.Join(dir, "policies.yaml"))
			tc.opts.Services = readObjects(t, filepath.Join(dir, "services.yaml"))
			before := objectStrings(policies)
			got, err := ambientmesh.MigrateNamespace(profileNS, policies, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if after := objectStrings(policies); after != before {
				t.Fatal("a source policy was edited")
			}
			out := renderMigration(t, got)
			golden.ExpectFile(t, filepath.Join(dir, "_expected.yaml"), out)
			again, err := ambientmesh.MigrateNamespace(profileNS, policies, tc.opts)
			if err != nil || !bytes.Equal(renderMigration(t, again), out) {
				t.Fatalf("not deterministic (%v)", err)
			}
			// What the controller wrote comes back with the sources.
			withDerived := append(fn.KubeObjects{}, policies...)
			for _, list := range got.Derived {
				withDerived = append(withDerived, list...)
			}
			again, err = ambientmesh.MigrateNamespace(profileNS, withDerived, tc.opts)
			if err != nil || !bytes.Equal(renderMigration(t, again), out) {
				t.Fatalf("derived objects are taken for sources (%v)", err)
			}
			checkDerived(t, got)
			checkAuthorization(t, policies, got, tc.opts, tc.exact)
		})
	}
}

// derivedValidator is built once: the Istio CRDs come from the corpus.
var derivedValidator = struct {
	once sync.Once
	v    *crdschema.Validator
}{}

func checkDerived(t *testing.T, got *ambientmesh.NamespaceMigration) {
	t.Helper()
	derivedValidator.once.Do(func() { derivedValidator.v = istioAndGatewayAPI(t) })
	validator := derivedValidator.v
	if validator == nil {
		t.Fatal("no validator")
	}
	all := fn.KubeObjects{}
	if got.Waypoint != nil {
		all = append(all, got.Waypoint)
	}
	for source, list := range got.Derived {
		for _, o := range list {
			if o.GetAnnotation(ambientmesh.SourcePolicyAnnotation) != source {
				t.Errorf("%s: does not name its source %s", o.GetName(), source)
			}
			if label := o.GetLabel(ambientmesh.SourcePolicyLabel); len(label) > 63 || len(source) <= 63 && label != source {
				t.Errorf("%s: label %q does not name %s", o.GetName(), label, source)
			}
			if len(o.GetName()) > 253 {
				t.Errorf("%s: name longer than 253", o.GetName())
			}
		}
		all = append(all, list...)
	}
	for _, o := range all {
		if o.GetLabel(ambientmesh.ManagedByLabel) != ambientmesh.ManagedByRuntimeSync {
			t.Errorf("%s: not labelled as the controller's", o.GetName())
		}
		if o.GetNamespace() != profileNS {
			t.Errorf("%s: in namespace %q", o.GetName(), o.GetNamespace())
		}
		var m map[string]any
		if err := yaml.Unmarshal([]byte(o.String()), &m); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(m)
		errs, known, err := validator.ValidateYAML(b)
		if err != nil || !known {
			t.Errorf("%s: cannot validate (known %v): %v", o.GetName(), known, err)
		}
		for _, e := range errs {
			t.Errorf("%s: %s", o.GetName(), e)
		}
	}
}

// Bad input is an error naming the object and the field.
func TestMigrateNamespaceErrors(t *testing.T) {
	const policy = "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: p, namespace: " + profileNS + "}\n"
	for _, tc := range []struct {
		name, input string
		opts        ambientmesh.NamespaceOptions
		field, want string
	}{
		{"rules not a list", policy + "spec: {rules: {from: []}}", ownWaypoint, "spec.rules", "want a list"},
		{"source not a map", policy + "spec: {rules: [{from: [{source: [a]}]}]}", ownWaypoint, "spec.rules[0].from[0].source", "want a map"},
		{"principals not strings", policy + "spec: {rules: [{from: [{source: {principals: [{a: b}]}}]}]}", ownWaypoint, "spec.rules[0].from[0].source.principals", "list of strings"},
		{"condition without key", policy + "spec: {rules: [{when: [{values: [a]}]}]}", ownWaypoint, "spec.rules[0].when[0].key", "condition key"},
		{"unknown action", policy + "spec: {action: ALOW}", ownWaypoint, "spec.action", "want ALLOW"},
		{"selector not a map", policy + "spec: {selector: app}", ownWaypoint, "spec.selector", "want a map"},
		{"spec not a map", policy + "spec: [a]", ownWaypoint, "spec", "want a map"},
		{"other namespace", strings.Replace(policy, profileNS, "kubeflow", 1), ownWaypoint, "metadata.namespace", "not in namespace"},
		{"other kind", strings.Replace(policy, "AuthorizationPolicy", "RequestAuthentication", 1), ownWaypoint, "kind", "not an AuthorizationPolicy"},
		{"other group", strings.Replace(policy, "security.istio.io/v1", "example.com/v1", 1), ownWaypoint, "kind", "not an AuthorizationPolicy"},
		{"derived name taken", policy + "spec: {rules: [{to: [{operation: {paths: [/x]}}]}]}\n---\n" +
			strings.Replace(policy, "name: p,", "name: p-ztunnel,", 1), ownWaypoint, "", "p-ztunnel"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			objs, err := fn.ParseKubeObjects([]byte(tc.input))
			if err != nil {
				t.Fatal(err)
			}
			_, err = ambientmesh.MigrateNamespace(profileNS, objs, tc.opts)
			var oe *kit.ObjectError
			switch {
			case err == nil:
				t.Fatal("no error")
			case !strings.Contains(err.Error(), tc.want):
				t.Errorf("error %q does not say %q", err, tc.want)
			case tc.field != "" && (!errors.As(err, &oe) || oe.Field != tc.field):
				t.Errorf("error %q is not about field %s", err, tc.field)
			case !strings.Contains(err.Error(), "AuthorizationPolicy") && !strings.Contains(err.Error(), "RequestAuthentication"):
				t.Errorf("error %q does not name the object", err)
			}
		})
	}
	for _, tc := range []struct {
		name string
		opts ambientmesh.NamespaceOptions
		want string
	}{
		{"no waypoint name", ambientmesh.NamespaceOptions{IngressGateway: kubeflow.IngressGateway}, "Waypoint.Name"},
		{"no ingress gateway", ambientmesh.NamespaceOptions{Waypoint: ingress.Gateway{Name: "waypoint"}}, "IngressGateway"},
		{"identity rewritten to itself", ambientmesh.NamespaceOptions{Waypoint: ingress.Gateway{Name: "waypoint"}, IngressGateway: kubeflow.IngressGateway,
			ReplacePrincipals: map[string]string{"a": "a"}}, "ReplacePrincipals"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ambientmesh.MigrateNamespace(profileNS, nil, tc.opts); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v does not name %s", err, tc.want)
			}
		})
	}
}

func readObjects(t *testing.T, path string) fn.KubeObjects {
	t.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	objs, err := fn.ParseKubeObjects(b)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return objs
}

func objectStrings(objs fn.KubeObjects) string {
	var b strings.Builder
	for _, o := range objs {
		b.WriteString(o.String())
	}
	return b.String()
}

// renderMigration writes a NamespaceMigration as YAML, objects whole.
func renderMigration(t *testing.T, m *ambientmesh.NamespaceMigration) []byte {
	t.Helper()
	decode := func(o *fn.KubeObject) any {
		var v any
		if err := yaml.Unmarshal([]byte(o.String()), &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	type finding struct {
		Severity string `json:"severity"`
		Field    string `json:"field,omitempty"`
		Message  string `json:"message"`
	}
	out := struct {
		Waypoint any                  `json:"waypoint"`
		Derived  map[string][]any     `json:"derived"`
		Findings map[string][]finding `json:"findings"`
	}{Derived: map[string][]any{}, Findings: map[string][]finding{}}
	if m.Waypoint != nil {
		out.Waypoint = decode(m.Waypoint)
	}
	for source, list := range m.Derived {
		for _, o := range list {
			out.Derived[source] = append(out.Derived[source], decode(o))
		}
	}
	for source, list := range m.Findings {
		for _, f := range list {
			out.Findings[source] = append(out.Findings[source], finding{string(f.Severity), f.Field, f.Message})
		}
	}
	b, err := yaml.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
