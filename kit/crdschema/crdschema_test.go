package crdschema_test

import (
	"strings"
	"testing"

	"github.com/kfgitops/kfgitops/kit/crdschema"
)

func gatewayAPI(t *testing.T) *crdschema.Validator {
	t.Helper()
	files, err := crdschema.GatewayAPIStandardFiles()
	if err != nil {
		t.Fatal(err)
	}
	v := crdschema.New()
	if err := v.AddFiles(files...); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestGatewayAPI(t *testing.T) {
	v := gatewayAPI(t)
	cases := []struct {
		name, doc, wantErr string
	}{
		{"valid route", `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: ns}
spec:
  parentRefs: [{name: gw, namespace: gw-ns}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /jupyter/}}]
    filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /}}}]
    backendRefs: [{name: svc, port: 80}]
`, ""},
		{"CEL: ReplacePrefixMatch needs a PathPrefix match", `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: ns}
spec:
  rules:
  - matches: [{path: {type: Exact, value: /a}}]
    filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /}}}]
`, "exactly one PathPrefix match"},
		{"schema: bad enum", `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: ns}
spec:
  rules:
  - matches: [{path: {type: Prefix, value: /a}}]
`, "spec.rules[0].matches[0].path.type"},
		{"unknown field", `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: ns}
spec:
  rules:
  - timeout: 5s
`, "unknown field"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			errs, known, err := v.ValidateYAML([]byte(c.doc))
			if err != nil || !known {
				t.Fatalf("known=%v err=%v", known, err)
			}
			var all []string
			for _, e := range errs {
				all = append(all, e.String())
			}
			got := strings.Join(all, "\n")
			if c.wantErr == "" && got != "" {
				t.Fatalf("unexpected errors:\n%s", got)
			}
			if c.wantErr != "" && !strings.Contains(got, c.wantErr) {
				t.Fatalf("want an error containing %q, got:\n%s", c.wantErr, got)
			}
		})
	}
}

func TestKgatewayCRDsLoad(t *testing.T) {
	files, err := crdschema.KgatewayFiles()
	if err != nil {
		t.Fatal(err)
	}
	v := crdschema.New()
	if err := v.AddFiles(files...); err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"TrafficPolicy", "GatewayExtension", "ListenerPolicy", "GatewayParameters"} {
		if !v.Knows("gateway.kgateway.dev/v1alpha1", kind) {
			t.Errorf("kgateway CRD %s not loaded", kind)
		}
	}
}
