// Package istio holds what this project knows of Istio: its API groups and
// the kinds the functions match (by group and kind, never by version), the
// split of AuthorizationPolicy attributes between ztunnel and waypoints, and
// the label and annotation keys only the sidecar injector reads.
package istio

import (
	"strings"

	"github.com/kfgitops/kfgitops/kit"
)

// Istio's API groups.
const (
	GroupNetworking = "networking.istio.io"
	GroupSecurity   = "security.istio.io"
)

// The Istio kinds the functions match.
var (
	VirtualServiceKind        = kit.GroupKind{Group: GroupNetworking, Kind: "VirtualService"}
	GatewayKind               = kit.GroupKind{Group: GroupNetworking, Kind: "Gateway"}
	SidecarKind               = kit.GroupKind{Group: GroupNetworking, Kind: "Sidecar"}
	EnvoyFilterKind           = kit.GroupKind{Group: GroupNetworking, Kind: "EnvoyFilter"}
	DestinationRuleKind       = kit.GroupKind{Group: GroupNetworking, Kind: "DestinationRule"}
	AuthorizationPolicyKind   = kit.GroupKind{Group: GroupSecurity, Kind: "AuthorizationPolicy"}
	PeerAuthenticationKind    = kit.GroupKind{Group: GroupSecurity, Kind: "PeerAuthentication"}
	RequestAuthenticationKind = kit.GroupKind{Group: GroupSecurity, Kind: "RequestAuthentication"}
)

// IngressGatewayPrincipal is the mesh identity of Istio's own ingress
// gateway (its default install's ServiceAccount), which Kubeflow's
// AuthorizationPolicies name.
const IngressGatewayPrincipal = "cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account"

// GatewayRef resolves a VirtualService spec.gateways entry to namespace/name
// as Istio does: a bare "name" is relative to the VirtualService's
// namespace; "mesh" (the sidecars and waypoints) is kept as it is.
func GatewayRef(ref, vsNamespace string) string {
	if ref == "mesh" || strings.Contains(ref, "/") {
		return ref
	}
	return vsNamespace + "/" + ref
}
