package krm

import (
	"testing"

	"github.com/kfgitops/kfgitops/kit/corpus"
	"github.com/kfgitops/kfgitops/kit/krmio"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

const fuzzSeedItems = `apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- apiVersion: v1
  kind: Namespace
  metadata:
    name: kubeflow
    labels:
      istio-injection: enabled
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: web
    namespace: kubeflow
  spec:
    template:
      metadata:
        annotations:
          sidecar.istio.io/inject: "false"
- apiVersion: security.istio.io/v1beta1
  kind: AuthorizationPolicy
  metadata:
    name: p
    namespace: kubeflow
  spec:
    selector:
      matchLabels: {app: web}
    rules:
    - to:
      - operation:
          paths: ["/a"]
- apiVersion: networking.istio.io/v1alpha3
  kind: VirtualService
  metadata:
    name: vs
    namespace: kubeflow
  spec:
    gateways: [kubeflow-gateway]
    hosts: ["*"]
    http:
    - match:
      - uri: {prefix: /web/}
      rewrite: {uri: /}
      route:
      - destination: {host: web.kubeflow.svc.cluster.local, port: {number: 80}}
`

// FuzzFunctions feeds arbitrary input to every registered function (the
// first byte picks it): no input may panic, and a success must write a
// ResourceList.
func FuzzFunctions(f *testing.F) {
	for i := range allFunctions() {
		f.Add(uint8(i), []byte(fuzzSeedItems))
	}
	f.Add(uint8(0), []byte("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: [{}]\n"))
	f.Add(uint8(0), []byte(`{"apiVersion":"config.kubernetes.io/v1","kind":"ResourceList","items":[{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":7}]}`))
	fns := allFunctions()
	f.Fuzz(func(t *testing.T, which uint8, in []byte) {
		fun := fns[int(which)%len(fns)]
		out, _, code := krmio.Process(fun, in)
		if code == 0 {
			if _, err := fn.ParseResourceList(out); err != nil {
				t.Fatalf("%s: exit 0 but the output is not a ResourceList: %v", fun.Name(), err)
			}
		}
	})
}

// FuzzFunctionConfig feeds arbitrary functionConfigs to every function.
func FuzzFunctionConfig(f *testing.F) {
	for i, fun := range allFunctions() {
		f.Add(uint8(i), "apiVersion: fn.kfgitops.dev/v1alpha1\nkind: "+fun.ConfigKind()+"\nmetadata: {name: c}\n")
		f.Add(uint8(i), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n")
	}
	fns := allFunctions()
	f.Fuzz(func(t *testing.T, which uint8, config string) {
		fun := fns[int(which)%len(fns)]
		in := corpus.WithFunctionConfig([]byte(fuzzSeedItems), config)
		out, _, code := krmio.Process(fun, in)
		if code == 0 {
			if _, err := fn.ParseResourceList(out); err != nil {
				t.Fatalf("%s: exit 0 but the output is not a ResourceList: %v", fun.Name(), err)
			}
		}
	})
}
