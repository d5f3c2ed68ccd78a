package kservegateway

import (
	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/istio"
)

// What knativeServing: remove takes out, and what outside it refers to it,
// as upstream Kubeflow renders Knative Serving 1.21.1 with net-istio
// (common/knative/knative-serving: serving-crds, serving-core and net-istio,
// 81 objects in both corpus renders, the same 81 as the component render
// components/knative-serving.yaml).

// KnativeServingNamespace is the namespace Knative Serving and net-istio run
// in (and the Namespace object itself).
const KnativeServingNamespace = "knative-serving"

// knativeServingGroups are the API groups Knative Serving's CRDs serve.
// Knative Eventing's groups (eventing., messaging., sources., flows.,
// sinks.knative.dev) are not among them: Eventing needs no Serving.
var knativeServingGroups = []string{
	"serving.knative.dev",
	"networking.internal.knative.dev",
	"autoscaling.internal.knative.dev",
	"caching.internal.knative.dev",
}

var coreGroup, apiextensionsGroup = "", kit.GroupAPIExtensions

// knativeServingParts select the objects of Knative Serving and net-istio.
// In the corpus: 49 objects in the namespace (Deployments, Services,
// ConfigMaps, Secrets, RBAC, autoscalers, disruption budgets, NetworkPolicies,
// Istio AuthorizationPolicies, PeerAuthentications, the DestinationRule
// knative and the Istio Gateway knative-local-gateway, the Image queue-proxy
// and the Certificate routing-serving-certs), the Namespace, 12 CRDs, 10
// ClusterRoles, 3 ClusterRoleBindings, 2 mutating and 3 validating webhook
// configurations, and the Service istio-system/knative-local-gateway, all
// labelled app.kubernetes.io/name: knative-serving.
var knativeServingParts = append([]kit.Selector{
	{Namespace: KnativeServingNamespace},
	{Group: &coreGroup, Kind: kit.NamespaceKind.Kind, Name: KnativeServingNamespace},
	{Labels: map[string]string{"app.kubernetes.io/name": "knative-serving"}},
}, knativeCRDSelectors()...)

// knativeCRDSelectors select the CRDs of knativeServingGroups by name
// (<plural>.<group>), also those an install leaves unlabelled.
func knativeCRDSelectors() []kit.Selector {
	var ss []kit.Selector
	for _, g := range knativeServingGroups {
		ss = append(ss, kit.Selector{Group: &apiextensionsGroup, Kind: kit.CustomResourceDefinitionKind.Kind, Name: "*." + g})
	}
	return ss
}

// knativeServingKinds are the kinds the removal may take away
// (kit.Definition.Removes): those of the corpus's Knative objects and the
// custom resources of Knative's own groups.
var knativeServingKinds = []kit.GroupKind{
	kit.NamespaceKind, kit.ConfigMapKind, {Kind: "Secret"}, kit.ServiceKind, {Kind: "ServiceAccount"},
	kit.DeploymentKind, {Group: "autoscaling", Kind: "HorizontalPodAutoscaler"},
	{Group: "policy", Kind: "PodDisruptionBudget"}, kit.NetworkPolicyKind,
	kit.RoleKind, kit.RoleBindingKind, kit.ClusterRoleKind, kit.ClusterRoleBindingKind,
	kit.CustomResourceDefinitionKind, kit.MutatingWebhookConfigurationKind, kit.ValidatingWebhookConfigurationKind,
	istio.GatewayKind, istio.DestinationRuleKind, istio.AuthorizationPolicyKind, istio.PeerAuthenticationKind,
	{Group: "caching.internal.knative.dev", Kind: "Image"},
	{Group: "networking.internal.knative.dev", Kind: "Certificate"},
}

// DeploymentModeAnnotation is the per-object deployment mode KServe reads
// on InferenceServices and InferenceGraphs.
const DeploymentModeAnnotation = "serving.kserve.io/deploymentMode"

// serverlessModes are the annotation's values that run on Knative:
// Serverless, and Knative, its internal name since v0.15.
var serverlessModes = []string{"Serverless", "Knative"}

// deploymentModeKinds are KServe's kinds that take the annotation.
var deploymentModeKinds = []kit.GroupKind{
	{Group: "serving.kserve.io", Kind: "InferenceService"},
	{Group: "serving.kserve.io", Kind: "InferenceGraph"},
}

// Knative's local gateway, which Serverless routes go through: net-istio's
// Istio Gateway and the Service in front of Istio's cluster-local-gateway.
const (
	knativeLocalGateway     = KnativeServingNamespace + "/knative-local-gateway"
	knativeLocalGatewayHost = "knative-local-gateway.istio-system.svc"
)

// knativeAggregationLabels are the labels by which Knative's aggregated
// ClusterRoles (knative-serving-admin, -aggregated-addressable-resolver)
// collect rules; on a ClusterRole that stays, they select nothing any more.
var knativeAggregationLabels = []string{
	"serving.knative.dev/controller",
	"duck.knative.dev/addressable",
	"duck.knative.dev/podspecable",
}

// knativeConfigFields are the fields of KServe's ingress config that name
// Knative's local gateway; KServe reads them only for Serverless
// InferenceServices, so they are kept as they are.
var knativeConfigFields = []string{"localGateway", "localGatewayService", "knativeLocalGatewayService"}
