package kit_test

import (
	"testing"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

func parse(t *testing.T, docs ...string) fn.KubeObjects {
	t.Helper()
	var out fn.KubeObjects
	for _, d := range docs {
		o, err := fn.ParseKubeObject([]byte(d))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, o)
	}
	return out
}

const webhookBundle = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: hooks
webhooks:
- name: default-fail.example.com
  clientConfig: {service: {namespace: sys, name: hooks}}
  namespaceSelector: {matchExpressions: [{key: skip, operator: NotIn, values: ["true"]}]}
  rules:
  - {apiGroups: [example.com], apiVersions: [v1], operations: [CREATE], resources: [widgets]}
- name: ignore.example.com
  failurePolicy: Ignore
  clientConfig: {url: "https://x"}
  rules:
  - {apiGroups: ["*"], apiVersions: ["*"], operations: [DELETE], resources: ["*/*"]}
- name: exact.example.com
  failurePolicy: Fail
  matchPolicy: Exact
  objectSelector: {matchLabels: {checked: "yes"}}
  clientConfig: {service: {namespace: sys, name: hooks}}
  rules:
  - {apiGroups: [""], apiVersions: [v1], operations: ["*"], resources: ["configmaps/*", "deployments/status"], scope: Namespaced}
  - {apiGroups: [""], apiVersions: [v1], operations: [UPDATE], resources: [namespaces], scope: Cluster}
`

func TestAdmissionWebhooks(t *testing.T) {
	items := parse(t, webhookBundle,
		"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: quiet\n  labels: {skip: \"true\"}\n",
		"apiVersion: v1\nkind: Service\nmetadata:\n  name: hooks\n  namespace: sys\nspec:\n  selector: {app: hooks}\n",
		"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: hooks\n  namespace: sys\nspec:\n  template:\n    metadata:\n      labels: {app: hooks, extra: x}\n",
		"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: other\n  namespace: sys\nspec:\n  template:\n    metadata:\n      labels: {app: other}\n",
		"apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\nspec:\n  group: example.com\n  scope: Namespaced\n  names: {kind: Widget, plural: widgets}\n",
	)
	hooks, err := kit.AdmissionWebhooks(items[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(hooks) != 3 {
		t.Fatalf("%d webhooks", len(hooks))
	}
	if !hooks[0].FailClosed || hooks[1].FailClosed || !hooks[2].FailClosed {
		t.Errorf("failure policies: %v %v %v (unset means Fail)", hooks[0].FailClosed, hooks[1].FailClosed, hooks[2].FailClosed)
	}
	if hooks[1].Service != nil || hooks[0].Service.String() != "sys/hooks" || hooks[2].FieldPath() != "webhooks[2]" {
		t.Errorf("services: %v %v", hooks[0].Service, hooks[1].Service)
	}
	backends := kit.NewBackends(items).Workloads(*hooks[0].Service)
	if len(backends) != 1 || backends[0].GetName() != "hooks" {
		t.Errorf("backends of sys/hooks: %v", backends)
	}
	index := kit.NewAdmissionIndex(items, kit.NewScope(items))
	for _, c := range []struct {
		doc  string
		hook int
		want bool
	}{
		{"apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: apps}\n", 0, true},
		{"apiVersion: example.com/v2\nkind: Widget\nmetadata: {name: w, namespace: apps}\n", 0, true},   // Equivalent: any version
		{"apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: quiet}\n", 0, false}, // namespace opted out
		{"apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g, namespace: apps}\n", 0, false},
		{"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: apps}\n", 1, false},                             // DELETE only
		{"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: apps, labels: {checked: \"yes\"}}\n", 2, true},  // "configmaps/*" covers the main resource
		{"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: apps}\n", 2, false},                             // objectSelector
		{"apiVersion: v2\nkind: ConfigMap\nmetadata: {name: c, namespace: apps, labels: {checked: \"yes\"}}\n", 2, false}, // Exact: version must match
		{"apiVersion: v1\nkind: Namespace\nmetadata: {name: n, labels: {checked: \"yes\"}}\n", 2, true},                   // cluster scope, plural guessed
		{"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: apps, labels: {checked: \"yes\"}}\n", 2, false},
	} {
		o := parse(t, c.doc)[0]
		if got := hooks[c.hook].Intercepts(index.Request(o)); got != c.want {
			t.Errorf("webhook %s on %q: %v, want %v", hooks[c.hook].Name, c.doc, got, c.want)
		}
		// the group index finds the same objects
		objs := append(fn.KubeObjects{}, items...)
		objs = append(objs, o)
		got := index.Requests(objs).Intercepted(hooks[c.hook])
		if found := len(got) > 0 && got[len(got)-1] == len(objs)-1; found != c.want {
			t.Errorf("Intercepted: webhook %s on %q: %v, want %v", hooks[c.hook].Name, c.doc, found, c.want)
		}
	}
}
