package ambientmesh

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/kfgitops/kfgitops/kit"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/yaml"
)

func rule(t *testing.T, s string) map[string]any {
	t.Helper()
	var r map[string]any
	if err := yaml.Unmarshal([]byte(s), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRuleL7(t *testing.T) {
	for _, tc := range []struct {
		rule string
		want []string
	}{
		{`{}`, nil},
		{`{from: [{source: {principals: [a], notNamespaces: [b], ipBlocks: [1.2.3.4], serviceAccounts: [x]}}]}`, nil},
		{`{to: [{operation: {ports: ["80"], notPorts: ["81"]}}]}`, nil},
		{`{when: [{key: destination.port, values: ["80"]}, {key: source.namespace, values: [a]}, {key: source.ip, values: [1.2.3.4]}, {key: destination.ip, values: [1.2.3.4]}, {key: source.principal, values: [p]}]}`, nil},
		{`{to: [{operation: {methods: [GET], notPaths: [/x], hosts: [h]}}]}`, []string{"to.operation.hosts", "to.operation.methods", "to.operation.notPaths"}},
		{`{from: [{source: {requestPrincipals: ["*"], notRemoteIpBlocks: [1.2.3.4]}}]}`, []string{"from.source.notRemoteIpBlocks", "from.source.requestPrincipals"}},
		{`{when: [{key: "request.headers[kubeflow-userid]", notValues: ["*"]}, {key: "request.auth.claims[groups]", values: [a]}]}`, []string{"when request.auth.claims[groups]", "when request.headers[kubeflow-userid]"}},
		// a field Istio adds later is L7 until the table says otherwise: safe
		{`{from: [{source: {futureField: [a]}}]}`, []string{"from.source.futureField"}},
	} {
		if got := ruleL7(rule(t, tc.rule)); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.rule, got, tc.want)
		}
	}
}

// The L4 reduction of a DENY rule matches at least what the rule matched.
func TestL4Reduction(t *testing.T) {
	for _, tc := range []struct{ rule, want string }{
		{`{from: [{source: {namespaces: [a], requestPrincipals: ["*"]}}], to: [{operation: {paths: [/x], ports: ["80"]}}]}`,
			`{from: [{source: {namespaces: [a]}}], to: [{operation: {ports: ["80"]}}]}`},
		// a clause left empty matches anything, and so does its list
		{`{from: [{source: {namespaces: [a]}}, {source: {requestPrincipals: ["*"]}}], to: [{operation: {methods: [GET]}}]}`, `{}`},
		{`{when: [{key: source.ip, values: [1.2.3.4]}, {key: "request.headers[x]", values: [y]}]}`,
			`{when: [{key: source.ip, values: [1.2.3.4]}]}`},
	} {
		got, _ := json.Marshal(l4Reduction(rule(t, tc.rule)))
		want, _ := json.Marshal(rule(t, tc.want))
		if string(got) != string(want) {
			t.Errorf("%s: got %s, want %s", tc.rule, got, want)
		}
	}
}

func TestRewritePrincipals(t *testing.T) {
	const istio, kgw = "istio", "kgw"
	for _, tc := range []struct {
		rule, want string
		keep       bool
	}{
		{`{from: [{source: {principals: [a, istio]}}]}`, `{from: [{source: {principals: [a, istio, kgw]}}]}`, true},
		{`{from: [{source: {principals: [istio, a]}}]}`, `{from: [{source: {principals: [kgw, a]}}]}`, false},
		{`{from: [{source: {notPrincipals: [istio]}}]}`, `{from: [{source: {notPrincipals: [istio, kgw]}}]}`, true},
		{`{when: [{key: source.principal, values: [istio]}]}`, `{when: [{key: source.principal, values: [istio, kgw]}]}`, true},
		// idempotent
		{`{from: [{source: {principals: [istio, kgw]}}]}`, `{from: [{source: {principals: [istio, kgw]}}]}`, true},
		{`{from: [{source: {principals: [istio, kgw]}}]}`, `{from: [{source: {principals: [kgw]}}]}`, false},
	} {
		r := rule(t, tc.rule)
		rewritePrincipals([]map[string]any{r}, istio, kgw, tc.keep)
		got, _ := json.Marshal(r)
		want, _ := json.Marshal(rule(t, tc.want))
		if string(got) != string(want) {
			t.Errorf("%s (keep %v): got %s, want %s", tc.rule, tc.keep, got, want)
		}
	}
}

// The package's two label matchers agree with Kubernetes' own.
func TestLabelSelectors(t *testing.T) {
	pod := map[string]string{"app": "nb", "tier": "web"}
	for _, sel := range []map[string]string{nil, {}, {"app": "nb"}, {"app": "nb", "tier": "web"}, {"app": "x"}, {"other": ""}} {
		if got, want := kit.MatchLabels(sel, pod), labels.SelectorFromSet(sel).Matches(labels.Set(pod)); got != want {
			t.Errorf("subset(%v) = %v, Kubernetes says %v", sel, got, want)
		}
	}
	for _, tc := range []struct {
		sel  string
		want bool
	}{
		{`{}`, true},
		{`{matchLabels: {app: nb}}`, true},
		{`{matchExpressions: [{key: tier, operator: In, values: [web, api]}]}`, true},
		{`{matchExpressions: [{key: missing, operator: NotIn, values: [a]}]}`, true},
		{`{matchExpressions: [{key: app, operator: DoesNotExist}]}`, false},
		{`{matchExpressions: [{key: app, operator: Exists}]}`, true},
		{`{matchExpressions: [{key: app, operator: Sometimes, values: [nb]}]}`, false},
	} {
		var s labelSelector
		if err := yaml.Unmarshal([]byte(tc.sel), &s); err != nil {
			t.Fatal(err)
		}
		if got := s.matches(pod); got != tc.want {
			t.Errorf("%s: matches = %v, want %v", tc.sel, got, tc.want)
		}
	}
	if (*labelSelector)(nil).matches(pod) {
		t.Error("a nil NetworkPolicy selector selects pods")
	}
}
