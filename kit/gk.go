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
	GroupGatewayAPI      = "gateway.networking.k8s.io"
	GroupAPIExtensions   = "apiextensions.k8s.io"
	GroupAdmission       = "admissionregistration.k8s.io"
	GroupAPIRegistration = "apiregistration.k8s.io"
	GroupApps            = "apps"
	GroupAutoscaling     = "autoscaling"
	GroupBatch           = "batch"
	GroupNetworking      = "networking.k8s.io"
	GroupPolicy          = "policy"
	GroupRBAC            = "rbac.authorization.k8s.io"
)

// Kubernetes kinds used by more than one function. Each is named after its
// kind followed by "Kind" (the domain packages, such as kit/istio, follow the
// same convention).
var (
	CustomResourceDefinitionKind       = GroupKind{GroupAPIExtensions, "CustomResourceDefinition"}
	NamespaceKind                      = GroupKind{"", "Namespace"}
	ConfigMapKind                      = GroupKind{"", "ConfigMap"}
	SecretKind                         = GroupKind{"", "Secret"}
	ServiceAccountKind                 = GroupKind{"", "ServiceAccount"}
	ServiceKind                        = GroupKind{"", "Service"}
	DeploymentKind                     = GroupKind{GroupApps, "Deployment"}
	NetworkPolicyKind                  = GroupKind{GroupNetworking, "NetworkPolicy"}
	HorizontalPodAutoscalerKind        = GroupKind{GroupAutoscaling, "HorizontalPodAutoscaler"}
	PodDisruptionBudgetKind            = GroupKind{GroupPolicy, "PodDisruptionBudget"}
	MutatingWebhookConfigurationKind   = GroupKind{GroupAdmission, "MutatingWebhookConfiguration"}
	ValidatingWebhookConfigurationKind = GroupKind{GroupAdmission, "ValidatingWebhookConfiguration"}
	APIServiceKind                     = GroupKind{GroupAPIRegistration, "APIService"}
	RoleKind                           = GroupKind{GroupRBAC, "Role"}
	RoleBindingKind                    = GroupKind{GroupRBAC, "RoleBinding"}
	ClusterRoleKind                    = GroupKind{GroupRBAC, "ClusterRole"}
	ClusterRoleBindingKind             = GroupKind{GroupRBAC, "ClusterRoleBinding"}
	// GatewayKind is Gateway API's Gateway (istio.GatewayKind is Istio's).
	GatewayKind = GroupKind{GroupGatewayAPI, "Gateway"}
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
