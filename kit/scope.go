package kit

import "github.com/kptdev/krm-functions-sdk/go/fn"

// Scope tells cluster-scoped kinds from namespaced ones. It is built from the
// CRDs in the bundle plus tables of built-in and well-known kinds, never from
// metadata.namespace alone: rendered bundles carry cluster-scoped objects with
// a namespace (kustomize's namespace transformer does not know every CRD).
type Scope struct {
	clusterScoped map[GroupKind]bool
}

// builtinGroups are API groups served by kube-apiserver itself; a kind of
// these groups that is not listed in clusterScopedBuiltins is namespaced.
var builtinGroups = map[string]bool{
	"": true, "apps": true, "batch": true, "autoscaling": true, "policy": true,
	"networking.k8s.io": true, "rbac.authorization.k8s.io": true,
	"coordination.k8s.io": true, "discovery.k8s.io": true, "events.k8s.io": true,
	"storage.k8s.io": true, "scheduling.k8s.io": true, "node.k8s.io": true,
	"admissionregistration.k8s.io": true, "apiextensions.k8s.io": true,
	"apiregistration.k8s.io": true, "certificates.k8s.io": true,
	"flowcontrol.apiserver.k8s.io": true, "resource.k8s.io": true,
	"storagemigration.k8s.io": true, "authentication.k8s.io": true,
	"authorization.k8s.io": true,
}

// wellKnownScopes covers the kinds our functions emit or reference whose CRDs
// are usually installed outside the bundle (Gateway API, kgateway, Istio,
// Argo CD, cert-manager). A CRD in the bundle always wins over this table.
var wellKnownScopes = map[GroupKind]bool{
	{"", "Namespace"}: true, {"", "Node"}: true, {"", "PersistentVolume"}: true,
	{"", "ComponentStatus"}:                                              true,
	{"rbac.authorization.k8s.io", "ClusterRole"}:                         true,
	{"rbac.authorization.k8s.io", "ClusterRoleBinding"}:                  true,
	{"apiextensions.k8s.io", "CustomResourceDefinition"}:                 true,
	{"admissionregistration.k8s.io", "MutatingWebhookConfiguration"}:     true,
	{"admissionregistration.k8s.io", "ValidatingWebhookConfiguration"}:   true,
	{"admissionregistration.k8s.io", "ValidatingAdmissionPolicy"}:        true,
	{"admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"}: true,
	{"admissionregistration.k8s.io", "MutatingAdmissionPolicy"}:          true,
	{"admissionregistration.k8s.io", "MutatingAdmissionPolicyBinding"}:   true,
	{"apiregistration.k8s.io", "APIService"}:                             true,
	{"scheduling.k8s.io", "PriorityClass"}:                               true,
	{"storage.k8s.io", "StorageClass"}:                                   true,
	{"storage.k8s.io", "CSIDriver"}:                                      true,
	{"storage.k8s.io", "CSINode"}:                                        true,
	{"storage.k8s.io", "VolumeAttachment"}:                               true,
	{"storage.k8s.io", "VolumeAttributesClass"}:                          true,
	{"networking.k8s.io", "IngressClass"}:                                true,
	{"networking.k8s.io", "IPAddress"}:                                   true,
	{"networking.k8s.io", "ServiceCIDR"}:                                 true,
	{"node.k8s.io", "RuntimeClass"}:                                      true,
	{"policy", "PodSecurityPolicy"}:                                      true,
	{"certificates.k8s.io", "CertificateSigningRequest"}:                 true,
	{"certificates.k8s.io", "ClusterTrustBundle"}:                        true,
	{"flowcontrol.apiserver.k8s.io", "FlowSchema"}:                       true,
	{"flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"}:       true,
	{"resource.k8s.io", "DeviceClass"}:                                   true,
	{"resource.k8s.io", "ResourceSlice"}:                                 true,
	{"storagemigration.k8s.io", "StorageVersionMigration"}:               true,
	{GroupGatewayAPI, "GatewayClass"}:                                    true,
	{GroupGatewayAPI, "Gateway"}:                                         false,
	{GroupGatewayAPI, "HTTPRoute"}:                                       false,
	{GroupGatewayAPI, "GRPCRoute"}:                                       false,
	{GroupGatewayAPI, "ReferenceGrant"}:                                  false,
	{GroupGatewayAPI, "BackendTLSPolicy"}:                                false,
	{GroupGatewayAPI, "ListenerSet"}:                                     false,
	{"gateway.kgateway.dev", "TrafficPolicy"}:                            false,
	{"gateway.kgateway.dev", "GatewayExtension"}:                         false,
	{"gateway.kgateway.dev", "GatewayParameters"}:                        false,
	{"gateway.kgateway.dev", "Backend"}:                                  false,
	{"gateway.kgateway.dev", "ListenerPolicy"}:                           false,
	{"gateway.kgateway.dev", "HTTPListenerPolicy"}:                       false,
	{"gateway.kgateway.dev", "BackendConfigPolicy"}:                      false,
	{"gateway.kgateway.dev", "DirectResponse"}:                           false,
	{"argoproj.io", "Application"}:                                       false,
	{"argoproj.io", "AppProject"}:                                        false,
	{"argoproj.io", "ApplicationSet"}:                                    false,
	{"cert-manager.io", "ClusterIssuer"}:                                 true,
	{"cert-manager.io", "Issuer"}:                                        false,
	{"cert-manager.io", "Certificate"}:                                   false,
}

// NewScope builds the scope table for a bundle: the built-in and well-known
// tables overlaid with every CRD found in items.
func NewScope(items fn.KubeObjects) *Scope {
	s := &Scope{clusterScoped: make(map[GroupKind]bool, len(wellKnownScopes)+len(items)/8)}
	for gk, cluster := range wellKnownScopes {
		s.clusterScoped[gk] = cluster
	}
	for _, o := range items {
		if !CustomResourceDefinitionKind.Is(o) {
			continue
		}
		group, _, _ := o.NestedString("spec", "group")
		kind, _, _ := o.NestedString("spec", "names", "kind")
		scope, _, _ := o.NestedString("spec", "scope")
		if kind != "" {
			s.clusterScoped[GroupKind{group, kind}] = scope == "Cluster"
		}
	}
	return s
}

// ClusterScoped reports whether objects of the kind are cluster-scoped, and
// whether the kind is known at all (built in, well known or defined by a CRD
// in the bundle).
func (s *Scope) ClusterScoped(gk GroupKind) (cluster, known bool) {
	if c, ok := s.clusterScoped[gk]; ok {
		return c, true
	}
	if builtinGroups[gk.Group] {
		return false, true
	}
	return false, false
}

// Namespace returns the namespace the object really lives in: "" for a
// cluster-scoped object even if it carries metadata.namespace. For a kind of
// unknown scope, metadata.namespace is all there is to go by.
func (s *Scope) Namespace(o *fn.KubeObject) string {
	if cluster, _ := s.ClusterScoped(GroupKindOf(o)); cluster {
		return ""
	}
	return o.GetNamespace()
}

// IsClusterScoped is ClusterScoped for an object, falling back to "has no
// metadata.namespace" when the kind is unknown.
func (s *Scope) IsClusterScoped(o *fn.KubeObject) bool {
	cluster, known := s.ClusterScoped(GroupKindOf(o))
	if known {
		return cluster
	}
	return o.GetNamespace() == ""
}
