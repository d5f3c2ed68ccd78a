package objects_test

import (
	"testing"

	"github.com/kfgitops/kfgitops/controllers/runtime-sync/objects"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

func owner() *unstructured.Unstructured {
	u := &unstructured.Unstructured{}
	u.SetAPIVersion("networking.istio.io/v1")
	u.SetKind("VirtualService")
	u.SetNamespace("alice")
	u.SetName("nb")
	u.SetUID(types.UID("u-1"))
	return u
}

// What a converter emits becomes what runtime-sync writes: its labels and
// spec kept, kpt's path annotations dropped, the managed-by label and the
// owner as controller added.
func TestFromKubeObject(t *testing.T) {
	o, err := fn.ParseKubeObject([]byte(`apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: nb
  namespace: alice
  labels: {app.kubernetes.io/managed-by: kgateway-route, app: x}
  annotations:
    config.kubernetes.io/path: kgateway-route/httproute_alice_nb.yaml
    internal.config.kubernetes.io/path: kgateway-route/httproute_alice_nb.yaml
    kgateway-route.kfgitops.dev/source: VirtualService alice/nb
spec: {parentRefs: [{name: kubeflow-gateway, namespace: kubeflow-system}]}
`))
	if err != nil {
		t.Fatal(err)
	}
	u, err := objects.FromKubeObject(o, owner())
	if err != nil {
		t.Fatal(err)
	}
	if got := u.GetLabels(); len(got) != 2 || got[objects.ManagedByLabel] != objects.ManagedBy || got["app"] != "x" {
		t.Errorf("labels %v", got)
	}
	if got := u.GetAnnotations(); len(got) != 1 || got["kgateway-route.kfgitops.dev/source"] == "" {
		t.Errorf("annotations %v", got)
	}
	ref := metav1.GetControllerOf(u)
	if ref == nil || ref.UID != "u-1" || ref.Kind != "VirtualService" || ref.BlockOwnerDeletion != nil || len(u.GetOwnerReferences()) != 1 {
		t.Errorf("ownerReferences %+v", u.GetOwnerReferences())
	}
	if !objects.ControlledBy(u, objects.Source{GroupKind: schema.GroupKind{Group: "networking.istio.io", Kind: "VirtualService"}, Namespace: "alice", Name: "nb"}) {
		t.Error("not ControlledBy its VirtualService")
	}
	if o.GetLabel(objects.ManagedByLabel) != "kgateway-route" {
		t.Error("the converter's object was edited")
	}
}

func TestControlledBy(t *testing.T) {
	vs := schema.GroupKind{Group: "networking.istio.io", Kind: "VirtualService"}
	controller, notController := true, false
	for _, tc := range []struct {
		name string
		refs []metav1.OwnerReference
		ns   string
		want bool
	}{
		{"controller, any version", []metav1.OwnerReference{{APIVersion: "networking.istio.io/v1alpha3", Kind: "VirtualService", Name: "nb", Controller: &controller}}, "alice", true},
		{"another namespace", []metav1.OwnerReference{{APIVersion: "networking.istio.io/v1", Kind: "VirtualService", Name: "nb", Controller: &controller}}, "bob", false},
		{"owner, not controller", []metav1.OwnerReference{{APIVersion: "networking.istio.io/v1", Kind: "VirtualService", Name: "nb", Controller: &notController}}, "alice", false},
		{"another group", []metav1.OwnerReference{{APIVersion: "example.com/v1", Kind: "VirtualService", Name: "nb", Controller: &controller}}, "alice", false},
		{"another name", []metav1.OwnerReference{{APIVersion: "networking.istio.io/v1", Kind: "VirtualService", Name: "nb2", Controller: &controller}}, "alice", false},
		{"no owner", nil, "alice", false},
	} {
		u := &unstructured.Unstructured{}
		u.SetNamespace(tc.ns)
		u.SetOwnerReferences(tc.refs)
		if got := objects.ControlledBy(u, objects.Source{GroupKind: vs, Namespace: "alice", Name: "nb"}); got != tc.want {
			t.Errorf("%s: ControlledBy = %v, want %v", tc.name, got, tc.want)
		}
	}
}
