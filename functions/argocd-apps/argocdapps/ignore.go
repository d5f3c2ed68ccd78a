package argocdapps

import (
	"sort"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// runtimeField is a field that a controller changes on the live object after
// Argo CD applied it; without an ignoreDifferences entry the Application is
// OutOfSync forever, and with selfHeal it fights the controller.
type runtimeField struct {
	gk kit.GroupKind
	// applies narrows the entry to objects that have the field; nil: every
	// object of the kind.
	applies func(o *fn.KubeObject) bool
	// perObject names each object in its own entry instead of matching the
	// whole kind.
	perObject    bool
	jq           []string
	jsonPointers []string
}

var ()

// runtimeFields is the table of fields changed at runtime in a Kubeflow
// platform. An entry is emitted only for a group that holds such an object.
var runtimeFields = []runtimeField{
	// cert-manager's cainjector and istiod write the CA bundle of webhooks
	// (cert-manager.io/inject-ca-from; some manifests ship caBundle: "").
	{gk: kit.MutatingWebhookConfigurationKind, jq: []string{".webhooks[]?.clientConfig.caBundle"}},
	{gk: kit.ValidatingWebhookConfigurationKind, jq: []string{".webhooks[]?.clientConfig.caBundle"}},
	// ... of CRD conversion webhooks,
	{gk: kit.CustomResourceDefinitionKind, applies: hasConversionWebhook, jq: []string{".spec.conversion.webhook.clientConfig.caBundle"}},
	// ... and of aggregated APIs.
	{gk: kit.APIServiceKind, jsonPointers: []string{"/spec/caBundle"}},
	// istiod switches its validating webhooks from Ignore to Fail once
	// validation works (istio/istio#52785).
	{gk: kit.ValidatingWebhookConfigurationKind, applies: isIstioValidator, perObject: true, jq: []string{".webhooks[]?.failurePolicy"}},
	// Knative's webhook rewrites the rules of its own webhooks to the
	// resources it serves (argoflow-aws#227).
	{gk: kit.MutatingWebhookConfigurationKind, applies: isKnativeWebhookWithRules, perObject: true, jq: []string{".webhooks[]?.rules"}},
	{gk: kit.ValidatingWebhookConfigurationKind, applies: isKnativeWebhookWithRules, perObject: true, jq: []string{".webhooks[]?.rules"}},
	// The aggregation controller fills the rules of aggregated ClusterRoles
	// (kubeflow-admin, -edit, -view).
	{gk: kit.ClusterRoleKind, applies: isAggregated, perObject: true, jsonPointers: []string{"/rules"}},
}

func hasConversionWebhook(o *fn.KubeObject) bool {
	strategy, _, _ := o.NestedString("spec", "conversion", "strategy")
	return strategy == "Webhook"
}

// istioValidators are istiod's validating webhook configurations, by label
// (Helm and istioctl installs) or by name.
var istioValidators = []kit.Selector{
	{Labels: map[string]string{"app": "istiod"}},
	{Name: "istio-validator*"},
	{Name: "istiod-default-validator"},
}

func isIstioValidator(o *fn.KubeObject) bool { return matchesAny(o, istioValidators) }

// knativeWebhooks are Knative's webhook configurations.
var knativeWebhooks = []kit.Selector{
	{Labels: map[string]string{"app.kubernetes.io/name": "knative-*"}},
	{Name: "*.knative.dev"},
}

func isKnativeWebhookWithRules(o *fn.KubeObject) bool {
	if !matchesAny(o, knativeWebhooks) {
		return false
	}
	webhooks, _, _ := o.NestedSlice("webhooks")
	for _, w := range webhooks {
		if rules, found, _ := w.NestedSlice("rules"); found && len(rules) > 0 {
			return true
		}
	}
	return false
}

func matchesAny(o *fn.KubeObject, selectors []kit.Selector) bool {
	for _, s := range selectors {
		if s.Matches(o, nil) {
			return true
		}
	}
	return false
}

func isAggregated(o *fn.KubeObject) bool {
	selectors, found, _ := o.NestedSlice("aggregationRule", "clusterRoleSelectors")
	return found && len(selectors) > 0
}

// ignoreDifferences lists the entries for a group's objects, in table order;
// per-object entries are sorted by name.
func ignoreDifferences(objs fn.KubeObjects) []IgnoreDifference {
	var out []IgnoreDifference
	for _, f := range runtimeFields {
		var names []string
		found := false
		for _, o := range objs {
			if !f.gk.Is(o) || (f.applies != nil && !f.applies(o)) {
				continue
			}
			found = true
			if f.perObject {
				names = append(names, o.GetName())
			}
		}
		if !found {
			continue
		}
		if !f.perObject {
			out = append(out, f.entry(""))
			continue
		}
		sort.Strings(names)
		for _, n := range names {
			out = append(out, f.entry(n))
		}
	}
	return out
}

func (f runtimeField) entry(name string) IgnoreDifference {
	return IgnoreDifference{Group: f.gk.Group, Kind: f.gk.Kind, Name: name, JQPathExpressions: f.jq, JSONPointers: f.jsonPointers}
}
