package ambientmesh_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kfgitops/kfgitops/functions/ambient-mesh/ambientmesh"
	"github.com/kfgitops/kfgitops/functions/strip-istio-sidecar/stripsidecar"
	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/corpus"
	"github.com/kfgitops/kfgitops/kit/crdschema"
	"github.com/kfgitops/kfgitops/kit/golden"
	"github.com/kfgitops/kfgitops/kit/istio"
	"github.com/kfgitops/kfgitops/kit/krmio"
	"github.com/kfgitops/kfgitops/kit/kubeflow"
	"sigs.k8s.io/yaml"
)

// The acceptance test on the real platform renders, with defaults, alone and
// after strip-istio-sidecar (which removes the istio-injection labels this
// function would otherwise enrol by). Every expectation is computed from
// the objects, with an L4/L7 split written here independently of the
// function's tables.
func TestCorpus(t *testing.T) {
	validator := istioAndGatewayAPI(t)
	for _, file := range []string{corpus.Master, corpus.Release} {
		raw := corpus.ResourceList(t, file)
		stripped, stderr, code := krmio.Process(stripsidecar.Function, raw)
		if code != 0 {
			t.Fatalf("strip-istio-sidecar: exit %d: %s", code, stderr)
		}
		for _, tc := range []struct {
			name string
			in   []byte
		}{{"alone", raw}, {"after-strip-istio-sidecar", golden.ItemsOnly(t, stripped)}} {
			t.Run(file+"/"+tc.name, func(t *testing.T) {
				out, stderr, code := krmio.Process(ambientmesh.Function, tc.in)
				if code != 0 {
					t.Fatalf("exit %d: %s", code, stderr)
				}
				if tc.name == "alone" {
					again, _, _ := krmio.Process(ambientmesh.Function, tc.in)
					if !bytes.Equal(out, again) {
						t.Fatal("output is not byte-deterministic")
					}
				}
				golden.AssertIdempotent(t, ambientmesh.Function, out)
				checkAcceptance(t, items(t, raw), items(t, out), validator)
			})
		}
	}
}

func istioAndGatewayAPI(t *testing.T) *crdschema.Validator {
	t.Helper()
	v := crdschema.New()
	// The bundle carries Istio's CRDs; only those are decoded.
	stream, err := os.ReadFile(filepath.Join(corpus.Require(t), corpus.Master))
	if err != nil {
		t.Fatal(err)
	}
	var istio [][]byte
	for _, doc := range bytes.Split(stream, []byte("\n---")) {
		if bytes.Contains(doc, []byte("\nkind: CustomResourceDefinition")) && (bytes.Contains(doc, []byte("\n  group: security.istio.io")) || bytes.Contains(doc, []byte("\n  group: networking.istio.io"))) {
			istio = append(istio, doc)
		}
	}
	if len(istio) == 0 {
		t.Fatal("no Istio CRD in the corpus")
	}
	if err := v.AddYAML(bytes.Join(istio, []byte("\n---"))); err != nil {
		t.Fatal(err)
	}
	files, err := crdschema.GatewayAPIStandardFiles()
	if err != nil {
		t.Fatal(err)
	}
	if err := v.AddFiles(files...); err != nil {
		t.Fatal(err)
	}
	return v
}

type object = map[string]any

func checkAcceptance(t *testing.T, in, out []object, v *crdschema.Validator) {
	t.Helper()
	byID := map[string]object{}
	for _, o := range out {
		byID[id(o)] = o
	}
	// Enrolment: every namespace the sidecar injector served, at least the
	// three Kubeflow ones.
	ambient := map[string]bool{}
	for _, o := range out {
		if o["kind"] == "Namespace" && labels(o)["istio.io/dataplane-mode"] == "ambient" {
			ambient[name(o)] = true
			if _, has := labels(o)["istio-injection"]; has {
				t.Errorf("%s: still labelled istio-injection", id(o))
			}
		}
	}
	want := []string{"kubeflow", "kubeflow-system", "knative-serving"}
	for _, o := range in {
		if o["kind"] == "Namespace" && labels(o)["istio-injection"] == "enabled" {
			want = append(want, name(o))
		}
	}
	for _, ns := range want {
		if !ambient[ns] {
			t.Errorf("namespace %s is not enrolled in ambient", ns)
		}
	}
	if ambient["istio-system"] || ambient["kube-system"] {
		t.Error("istio-system or kube-system enrolled")
	}
	// The profile controller's namespace labels.
	patched := false
	for _, o := range out {
		if o["kind"] == "ConfigMap" && namespace(o) == "kubeflow" && strings.HasPrefix(name(o), "namespace-labels-data") {
			doc, _ := lookup(o, "data", "namespace-labels.yaml").(string)
			var m map[string]any
			if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
				t.Fatal(err)
			}
			// and, for the runtime-sync controller (the default), bound to
			// the waypoint it gives every profile namespace
			patched = m["istio.io/dataplane-mode"] == "ambient" && m["istio-injection"] == "" &&
				m["istio.io/use-waypoint"] == "waypoint" && m["istio.io/ingress-use-waypoint"] == "true"
		}
	}
	if !patched {
		t.Error("namespace-labels ConfigMap not patched")
	}
	// The kgateway identity replaces the Istio ingress gateway's everywhere,
	// the profile controller's principal included.
	kgateway := kubeflow.IngressGateway.Principal()
	for _, o := range out {
		b, _ := json.Marshal(o)
		if o["kind"] == "AuthorizationPolicy" && bytes.Contains(b, []byte(istio.IngressGatewayPrincipal)) {
			t.Errorf("%s still names %s", id(o), istio.IngressGatewayPrincipal)
		}
		if o["kind"] == "ConfigMap" && namespace(o) == "kubeflow" && strings.HasPrefix(name(o), "profiles-config") {
			if got := lookup(o, "data", "ISTIO_INGRESS_GATEWAY_PRINCIPAL"); got != kgateway {
				t.Errorf("%s: ISTIO_INGRESS_GATEWAY_PRINCIPAL is %v, want %s", id(o), got, kgateway)
			}
		}
	}
	for _, o := range in {
		b, _ := json.Marshal(o)
		if o["kind"] == "AuthorizationPolicy" && bytes.Contains(b, []byte(istio.IngressGatewayPrincipal)) {
			if nb, _ := json.Marshal(byID[id(o)]); !bytes.Contains(nb, []byte(kgateway)) {
				t.Errorf("%s named the Istio ingress gateway and does not name kgateway", id(o))
			}
		}
	}
	// A waypoint serves ml-pipeline and ml-pipeline-ui.
	for _, svc := range []string{"ml-pipeline", "ml-pipeline-ui"} {
		s := byID["Service kubeflow/"+svc]
		wp, _ := labels(s)["istio.io/use-waypoint"].(string)
		if wp == "" {
			wp, _ = labels(byID["Namespace /kubeflow"])["istio.io/use-waypoint"].(string)
		}
		g := byID["Gateway kubeflow/"+wp]
		if wp == "" || g == nil || lookup(g, "spec", "gatewayClassName") != "istio-waypoint" {
			t.Errorf("Service kubeflow/%s is not served by a waypoint (use-waypoint %q)", svc, wp)
		}
	}
	// No L7 attribute under a selector in an ambient namespace.
	for _, o := range out {
		if o["kind"] != "AuthorizationPolicy" || !ambient[namespace(o)] || lookup(o, "spec", "targetRefs") != nil {
			continue
		}
		action, _ := lookup(o, "spec", "action").(string)
		if action == "CUSTOM" || action == "AUDIT" {
			t.Errorf("%s: %s left on ztunnel", id(o), action)
		}
		for i, r := range rules(o) {
			if l7(r) {
				t.Errorf("%s: rule %d keeps L7 attributes under a selector: %v", id(o), i, r)
			}
		}
	}
	// Every input L7 rule is in the output, in a policy of the same
	// namespace and action (principals aside: the ingress identity changes).
	present := map[string]bool{}
	for _, o := range out {
		if o["kind"] == "AuthorizationPolicy" {
			for _, r := range rules(o) {
				present[ruleKey(o, r)] = true
			}
		}
	}
	for _, o := range in {
		if o["kind"] != "AuthorizationPolicy" {
			continue
		}
		for i, r := range rules(o) {
			if l7(r) && !present[ruleKey(o, r)] {
				t.Errorf("%s: L7 rule %d lost: %v", id(o), i, r)
			}
		}
	}
	// Every targetRef resolves in the bundle.
	for _, o := range out {
		for _, ref := range kit.ListOf(lookup(o, "spec", "targetRefs")) {
			r := ref.(object)
			target := byID[fmt.Sprintf("%s %s/%s", r["kind"], namespace(o), r["name"])]
			if target == nil || kit.GroupOf(target["apiVersion"].(string)) != r["group"] {
				t.Errorf("%s: targetRef %v does not resolve", id(o), r)
			}
		}
	}
	// Port-restricted NetworkPolicies in ambient namespaces admit HBONE.
	for _, o := range out {
		if o["kind"] != "NetworkPolicy" || !ambient[namespace(o)] {
			continue
		}
		for i, r := range kit.ListOf(lookup(o, "spec", "ingress")) {
			ports := kit.ListOf(r.(object)["ports"])
			if len(ports) > 0 && !slices.ContainsFunc(ports, func(p any) bool { return fmt.Sprint(p.(object)["port"]) == "15008" }) {
				t.Errorf("%s: ingress[%d] restricts ports without 15008", id(o), i)
			}
		}
	}
	// Everything Istio or Gateway API validates against its CRD.
	checked := 0
	for _, o := range out {
		group := kit.GroupOf(o["apiVersion"].(string))
		if group != istio.GroupSecurity && group != istio.GroupNetworking && group != kit.GroupGatewayAPI {
			continue
		}
		b, _ := json.Marshal(o)
		errs, known, err := v.ValidateYAML(b)
		if err != nil || !known {
			t.Errorf("%s: cannot validate (known %v): %v", id(o), known, err)
			continue
		}
		checked++
		for _, e := range errs {
			t.Errorf("%s: %s", id(o), e)
		}
	}
	if checked == 0 {
		t.Error("nothing validated")
	}
}

// Istio's L4 attributes (ztunnel); everything else needs a waypoint.
var (
	l4Source    = []string{"principals", "notPrincipals", "namespaces", "notNamespaces", "serviceAccounts", "notServiceAccounts", "ipBlocks", "notIpBlocks"}
	l4Operation = []string{"ports", "notPorts"}
	l4When      = []string{"source.ip", "source.namespace", "source.principal", "destination.ip", "destination.port"}
)

func l7(rule any) bool {
	r := rule.(object)
	for _, f := range kit.ListOf(r["from"]) {
		for k := range lookup(f.(object), "source").(object) {
			if !slices.Contains(l4Source, k) {
				return true
			}
		}
	}
	for _, to := range kit.ListOf(r["to"]) {
		for k := range lookup(to.(object), "operation").(object) {
			if !slices.Contains(l4Operation, k) {
				return true
			}
		}
	}
	for _, c := range kit.ListOf(r["when"]) {
		if !slices.Contains(l4When, c.(object)["key"].(string)) {
			return true
		}
	}
	return false
}

// ruleKey identifies a rule by namespace, action and content, principals
// left out.
func ruleKey(o object, rule any) string {
	var r object
	b, _ := json.Marshal(rule)
	_ = json.Unmarshal(b, &r)
	for _, f := range kit.ListOf(r["from"]) {
		src := f.(object)["source"].(object)
		delete(src, "principals")
		delete(src, "notPrincipals")
	}
	var when []any
	for _, c := range kit.ListOf(r["when"]) {
		if c.(object)["key"] != "source.principal" {
			when = append(when, c)
		}
	}
	r["when"] = when
	action, _ := lookup(o, "spec", "action").(string)
	if action == "" {
		action = "ALLOW"
	}
	b, _ = json.Marshal(r)
	return namespace(o) + " " + action + " " + string(b)
}

func rules(o object) []any { return kit.ListOf(lookup(o, "spec", "rules")) }

// checkedKinds are the kinds the acceptance reads; only those are decoded.
var checkedKinds = map[string]bool{
	"Namespace": true, "ConfigMap": true, "Service": true, "Gateway": true,
	"AuthorizationPolicy": true, "RequestAuthentication": true, "NetworkPolicy": true,
}

func items(t *testing.T, in []byte) []object {
	t.Helper()
	rl, err := krmio.Read(in)
	if err != nil {
		t.Fatal(err)
	}
	var out []object
	for _, o := range rl.Items {
		if !checkedKinds[o.GetKind()] {
			continue
		}
		var m object
		if err := yaml.Unmarshal([]byte(o.String()), &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func id(o object) string {
	return fmt.Sprintf("%s %s/%s", o["kind"], namespace(o), name(o))
}

func name(o object) string      { s, _ := lookup(o, "metadata", "name").(string); return s }
func namespace(o object) string { s, _ := lookup(o, "metadata", "namespace").(string); return s }

func labels(o object) map[string]any {
	m, _ := lookup(o, "metadata", "labels").(object)
	return m
}

func lookup(m object, fields ...string) any {
	var cur any = m
	for _, f := range fields {
		mm, ok := cur.(object)
		if !ok {
			return nil
		}
		cur = mm[f]
	}
	return cur
}
