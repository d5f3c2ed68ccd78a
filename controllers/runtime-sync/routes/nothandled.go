package routes

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// notHandled are the controllers whose VirtualServices runtime-sync leaves
// alone, by the kind of the VirtualService's controller owner, with why.
var notHandled = []struct {
	owner schema.GroupKind
	why   string
}{
	{schema.GroupKind{Group: "serving.kserve.io", Kind: "InferenceService"},
		"KServe Serverless endpoints are not converted by runtime-sync: their data path runs through Knative's Istio gateways " +
			"(host rewrite to knative-local-gateway), which an HTTPRoute on the kgateway Gateway cannot replace; " +
			"run KServe in Standard mode with enableGatewayApi and kserveIngressGateway set to the kgateway Gateway"},
	{schema.GroupKind{Group: "networking.internal.knative.dev", Kind: "Ingress"},
		"Knative's own VirtualServices are not converted by runtime-sync: change Knative's ingress class (net-gateway-api) instead"},
}

// notHandledReason says why vs is not runtime-sync's to convert, or "".
func notHandledReason(vs *unstructured.Unstructured) string {
	for _, ref := range vs.GetOwnerReferences() {
		if ref.Controller == nil || !*ref.Controller {
			continue
		}
		gv, err := schema.ParseGroupVersion(ref.APIVersion)
		if err != nil {
			continue
		}
		for _, n := range notHandled {
			if n.owner == (schema.GroupKind{Group: gv.Group, Kind: ref.Kind}) {
				return n.why
			}
		}
	}
	return ""
}
