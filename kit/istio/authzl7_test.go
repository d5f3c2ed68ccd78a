package istio_test

import (
	"reflect"
	"testing"

	"github.com/kfgitops/kfgitops/kit/istio"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

func TestAuthorizationPolicyL7Fields(t *testing.T) {
	cases := []struct {
		name, spec string
		want       []string
	}{
		{"L4 only", `
  rules:
  - from: [{source: {principals: [a], namespaces: [b], ipBlocks: [1.2.3.4]}}]
    to: [{operation: {ports: ["80"]}}]
    when: [{key: destination.port, values: ["80"]}, {key: source.namespace, values: [x]}]`, nil},
		{"L7 operation, source and when", `
  rules:
  - from: [{source: {requestPrincipals: ["*"]}}, {source: {notRemoteIpBlocks: [1.2.3.4]}}]
    to: [{operation: {paths: [/a], notMethods: [POST]}}]
    when: [{key: "request.headers[x]", values: [y]}]`,
			[]string{"spec.rules[0].from[0].source.requestPrincipals", "spec.rules[0].from[1].source.notRemoteIpBlocks",
				"spec.rules[0].to[0].operation.notMethods", "spec.rules[0].to[0].operation.paths", "spec.rules[0].when[0].key"}},
		{"CUSTOM action", `
  action: CUSTOM
  provider: {name: oauth2}
  rules: [{}]`, []string{"spec.action"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o, err := fn.ParseKubeObject([]byte("apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: p, namespace: ns}\nspec:" + c.spec + "\n"))
			if err != nil {
				t.Fatal(err)
			}
			if got := istio.AuthorizationPolicyL7Fields(o); !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestIsSidecarKey(t *testing.T) {
	for key, want := range map[string]bool{
		"sidecar.istio.io/inject": true, "traffic.sidecar.istio.io/excludeInboundPorts": true,
		"proxy.istio.io/config": true, "security.istio.io/tlsMode": true,
		"istio.io/dataplane-mode": false, "example.com/sidecar.istio.io-note": false,
	} {
		if got := istio.IsSidecarKey(key); got != want {
			t.Errorf("IsSidecarKey(%q) = %v", key, got)
		}
	}
}
