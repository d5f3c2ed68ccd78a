package kit

import (
	"strings"

	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// GroupKind names a kind independently of its version. Istio objects in the
// wild mix v1alpha3, v1beta1 and v1 of the same kind, so every match in this
// project goes through GroupKind and never through a full apiVersion.
type GroupKind struct {
	Group string `json:"group,omitempty"`
	Kind  string `json:"kind"`
}

// API groups the functions match on.
const (
	GroupIstioNetworking = "networking.istio.io"
	GroupIstioSecurity   = "security.istio.io"
	GroupGatewayAPI      = "gateway.networking.k8s.io"
	GroupAPIExtensions   = "apiextensions.k8s.io"
	GroupAdmission       = "admissionregistration.k8s.io"
	GroupApps            = "apps"
	GroupBatch           = "batch"
	GroupNetworking      = "networking.k8s.io"
)

// Well-known group/kinds used by more than one function.
var (
	CRDKind            = GroupKind{GroupAPIExtensions, "CustomResourceDefinition"}
	NamespaceKind      = GroupKind{"", "Namespace"}
	ConfigMapKind      = GroupKind{"", "ConfigMap"}
	ServiceKind        = GroupKind{"", "Service"}
	DeploymentKind     = GroupKind{GroupApps, "Deployment"}
	NetworkPolicyKind  = GroupKind{GroupNetworking, "NetworkPolicy"}
	MutatingWebhook    = GroupKind{GroupAdmission, "MutatingWebhookConfiguration"}
	ValidatingWebhook  = GroupKind{GroupAdmission, "ValidatingWebhookConfiguration"}
	VirtualService     = GroupKind{GroupIstioNetworking, "VirtualService"}
	IstioGateway       = GroupKind{GroupIstioNetworking, "Gateway"}
	Sidecar            = GroupKind{GroupIstioNetworking, "Sidecar"}
	EnvoyFilter        = GroupKind{GroupIstioNetworking, "EnvoyFilter"}
	DestinationRule    = GroupKind{GroupIstioNetworking, "DestinationRule"}
	AuthorizationPol   = GroupKind{GroupIstioSecurity, "AuthorizationPolicy"}
	PeerAuthentication = GroupKind{GroupIstioSecurity, "PeerAuthentication"}
	RequestAuth        = GroupKind{GroupIstioSecurity, "RequestAuthentication"}
)

// GroupOf returns the API group of an apiVersion ("" for the core group).
func GroupOf(apiVersion string) string {
	if i := strings.LastIndexByte(apiVersion, '/'); i >= 0 {
		return apiVersion[:i]
	}
	return ""
}

// GroupKindOf returns the object's group and kind.
func GroupKindOf(o *fn.KubeObject) GroupKind {
	return GroupKind{Group: GroupOf(o.GetAPIVersion()), Kind: o.GetKind()}
}

// Is reports whether the object is of this group and kind, at any version.
func (gk GroupKind) Is(o *fn.KubeObject) bool {
	return o.GetKind() == gk.Kind && GroupOf(o.GetAPIVersion()) == gk.Group
}

// String renders the group/kind the way kubectl does: Kind.group.
func (gk GroupKind) String() string {
	if gk.Group == "" {
		return gk.Kind
	}
	return gk.Kind + "." + gk.Group
}

// IngressGateway is the kgateway Gateway that replaces Istio's ingress
// gateway. kgateway runs its proxy under a ServiceAccount named after the
// Gateway, so the mesh identity of ingress traffic is derived from it; the
// functions that emit the Gateway (kgateway-route) and that admit its traffic
// (ambient-mesh) share this default so that they agree.
type IngressGateway struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

// DefaultIngressGateway is the kgateway Gateway for Kubeflow.
var DefaultIngressGateway = IngressGateway{Namespace: "kubeflow-system", Name: "kubeflow-gateway"}

// Principal is the Istio mesh identity of the gateway's proxy pods.
func (g IngressGateway) Principal() string {
	return "cluster.local/ns/" + g.Namespace + "/sa/" + g.Name
}

// RoutesLabel is the label, valued RoutesLabelValue, of the namespaces from
// which the gateway's listeners admit routes.
func (g IngressGateway) RoutesLabel() string {
	return "gateway.kfgitops.dev/" + g.Namespace + "." + g.Name
}

// RoutesLabelValue is the value of IngressGateway.RoutesLabel.
const RoutesLabelValue = "routes"

// IstioIngressPrincipal is the identity of Istio's own ingress gateway, which
// Kubeflow's AuthorizationPolicies name.
const IstioIngressPrincipal = "cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account"
