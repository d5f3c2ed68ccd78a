package preset

import (
	"testing"

	"github.com/kptdev/krm-functions-sdk/go/fn"
)

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		want       Preset
	}{
		{"bookinfo", "apiVersion: v1\nkind: Service\nmetadata: {name: reviews, namespace: bookinfo}\n", Generic},
		{"kubeflow namespace", "apiVersion: v1\nkind: Namespace\nmetadata: {name: kubeflow}\n", Kubeflow},
		{"object in kubeflow", "apiVersion: v1\nkind: Service\nmetadata: {name: ml-pipeline, namespace: kubeflow}\n", Kubeflow},
		{"kubeflow kind", "apiVersion: kubeflow.org/v1\nkind: Profile\nmetadata: {name: alice}\n", Kubeflow},
		{"kubeflow subgroup", "apiVersion: trainer.kubeflow.org/v1alpha1\nkind: ClusterTrainingRuntime\nmetadata: {name: t}\n", Kubeflow},
		{"kubeflow crd", "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: notebooks.kubeflow.org}\nspec: {group: kubeflow.org}\n", Kubeflow},
		{"lookalike group", "apiVersion: notkubeflow.org/v1\nkind: X\nmetadata: {name: x}\n", Generic},
		{"bound to kubeflow gateway", "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: dex, namespace: auth}\nspec: {gateways: [kubeflow/kubeflow-gateway]}\n", Kubeflow},
		{"bare name elsewhere", "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: a, namespace: shop}\nspec: {gateways: [kubeflow-gateway]}\n", Generic},
		{"local config", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: kubeflow, annotations: {config.kubernetes.io/local-config: \"true\"}}\n", Generic},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, err := fn.ParseKubeObject([]byte(tc.yaml))
			if err != nil {
				t.Fatal(err)
			}
			got := Detect(fn.KubeObjects{o})
			if got.Preset != tc.want {
				t.Errorf("Detect = %q (%s), want %q", got.Preset, got.Reason, tc.want)
			}
		})
	}
}

func TestResolve(t *testing.T) {
	ns, _ := fn.ParseKubeObject([]byte("apiVersion: v1\nkind: Namespace\nmetadata: {name: kubeflow}\n"))
	if got := Resolve(Generic, fn.KubeObjects{ns}); got.Preset != Generic {
		t.Errorf("a given preset must win over detection, got %q", got.Preset)
	}
	if got := Resolve(Auto, fn.KubeObjects{ns}); got.Preset != Kubeflow || got.Reason != "detected: Namespace kubeflow" {
		t.Errorf("Resolve(Auto) = %+v", got)
	}
	if err := Preset("istio").Validate(); err == nil {
		t.Error("an unknown preset must be refused")
	}
}
