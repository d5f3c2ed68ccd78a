package kit

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	admissionv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// AdmissionWebhook is one entry of a Mutating- or ValidatingWebhookConfiguration.
type AdmissionWebhook struct {
	// Config is the configuration object holding the webhook.
	Config *fn.KubeObject
	// Index is the webhook's position in webhooks[].
	Index int
	Name  string
	// FailClosed is failurePolicy Fail, which is also the default: requests
	// the webhook intercepts are rejected while its backend is not serving.
	FailClosed bool
	// Service is clientConfig.service; nil when the webhook calls a URL.
	Service *ServiceRef
	// ServicePort is clientConfig.service.port, 443 when unset.
	ServicePort int32

	rules             []admissionv1.RuleWithOperations
	exactMatch        bool
	namespaceSelector labels.Selector
	objectSelector    labels.Selector
}

// webhookDefaultPort is the Service port the API server calls when a
// webhook's clientConfig.service names none.
const webhookDefaultPort = 443

// FieldPath is the webhook's field path in its configuration object.
func (w *AdmissionWebhook) FieldPath() string { return fmt.Sprintf("webhooks[%d]", w.Index) }

// AdmissionWebhooks reads the webhooks of a Mutating- or
// ValidatingWebhookConfiguration (nil for any other object).
func AdmissionWebhooks(o *fn.KubeObject) ([]*AdmissionWebhook, error) {
	if !MutatingWebhookConfigurationKind.Is(o) && !ValidatingWebhookConfigurationKind.Is(o) {
		return nil, nil
	}
	var cfg struct {
		Webhooks []struct {
			Name              string                           `json:"name"`
			ClientConfig      admissionv1.WebhookClientConfig  `json:"clientConfig"`
			Rules             []admissionv1.RuleWithOperations `json:"rules"`
			FailurePolicy     *admissionv1.FailurePolicyType   `json:"failurePolicy"`
			MatchPolicy       *admissionv1.MatchPolicyType     `json:"matchPolicy"`
			NamespaceSelector *metav1.LabelSelector            `json:"namespaceSelector"`
			ObjectSelector    *metav1.LabelSelector            `json:"objectSelector"`
		} `json:"webhooks"`
	}
	if err := As(&o.SubObject, &cfg); err != nil {
		return nil, Errorf(o, "webhooks", "%v", err)
	}
	out := make([]*AdmissionWebhook, 0, len(cfg.Webhooks))
	for i, w := range cfg.Webhooks {
		nsSel, err := selectorOf(w.NamespaceSelector)
		if err != nil {
			return nil, Errorf(o, fmt.Sprintf("webhooks[%d].namespaceSelector", i), "%v", err)
		}
		objSel, err := selectorOf(w.ObjectSelector)
		if err != nil {
			return nil, Errorf(o, fmt.Sprintf("webhooks[%d].objectSelector", i), "%v", err)
		}
		hook := &AdmissionWebhook{
			Config: o, Index: i, Name: w.Name,
			FailClosed:        w.FailurePolicy == nil || *w.FailurePolicy == admissionv1.Fail,
			rules:             w.Rules,
			exactMatch:        w.MatchPolicy != nil && *w.MatchPolicy == admissionv1.Exact,
			namespaceSelector: nsSel,
			objectSelector:    objSel,
		}
		if s := w.ClientConfig.Service; s != nil {
			hook.Service = &ServiceRef{s.Namespace, s.Name}
			hook.ServicePort = webhookDefaultPort
			if s.Port != nil {
				hook.ServicePort = *s.Port
			}
		}
		out = append(out, hook)
	}
	return out, nil
}

func selectorOf(s *metav1.LabelSelector) (labels.Selector, error) {
	if s == nil {
		return labels.Everything(), nil
	}
	return metav1.LabelSelectorAsSelector(s)
}

// AdmissionRequest describes the create or update of an object the way the
// API server presents it to admission webhooks.
type AdmissionRequest struct {
	Group, Version, Resource string
	ClusterScoped            bool
	// Labels are the object's labels; NamespaceLabels those of the namespace
	// it lives in (for a Namespace: its own labels).
	Labels, NamespaceLabels map[string]string
	// IsNamespace marks a core Namespace, which namespaceSelectors match.
	IsNamespace bool
}

// AdmissionRequests are the requests for a list of objects, indexed by API
// group so that a webhook is checked only against the objects its rules
// name (a bundle has webhooks and objects by the hundred).
type AdmissionRequests struct {
	requests []AdmissionRequest
	byGroup  map[string][]int
}

// Requests builds the requests for objs, in order.
func (x *AdmissionIndex) Requests(objs []*fn.KubeObject) *AdmissionRequests {
	rs := &AdmissionRequests{requests: make([]AdmissionRequest, len(objs)), byGroup: map[string][]int{}}
	for i, o := range objs {
		rs.requests[i] = x.Request(o)
		rs.byGroup[rs.requests[i].Group] = append(rs.byGroup[rs.requests[i].Group], i)
	}
	return rs
}

// Intercepted returns the positions, ascending, of the objects the webhook
// intercepts.
func (rs *AdmissionRequests) Intercepted(w *AdmissionWebhook) []int {
	var candidates []int
	groups := map[string]bool{}
	for _, rule := range w.rules {
		for _, g := range rule.APIGroups {
			if g == "*" {
				all := make([]int, len(rs.requests))
				for i := range all {
					all[i] = i
				}
				return rs.filter(w, all)
			}
			if !groups[g] {
				groups[g] = true
				candidates = append(candidates, rs.byGroup[g]...)
			}
		}
	}
	slices.Sort(candidates)
	return rs.filter(w, candidates)
}

func (rs *AdmissionRequests) filter(w *AdmissionWebhook, candidates []int) []int {
	out := candidates[:0]
	for _, i := range candidates {
		if w.Intercepts(rs.requests[i]) {
			out = append(out, i)
		}
	}
	return out
}

// Intercepts reports whether the webhook is called when the object is
// created or updated: a rule matches its group, version (any version under
// the default matchPolicy Equivalent), resource and scope, and both label
// selectors match. matchConditions are not evaluated, so the answer errs on
// the side of "intercepted".
func (w *AdmissionWebhook) Intercepts(r AdmissionRequest) bool {
	if !w.objectSelector.Matches(labels.Set(r.Labels)) {
		return false
	}
	if (!r.ClusterScoped || r.IsNamespace) && !w.namespaceSelector.Matches(labels.Set(r.NamespaceLabels)) {
		return false
	}
	for _, rule := range w.rules {
		if w.ruleMatches(rule, r) {
			return true
		}
	}
	return false
}

func (w *AdmissionWebhook) ruleMatches(rule admissionv1.RuleWithOperations, r AdmissionRequest) bool {
	writes := false
	for _, op := range rule.Operations {
		writes = writes || op == admissionv1.Create || op == admissionv1.Update || op == admissionv1.OperationAll
	}
	if !writes || !matchesAny(rule.APIGroups, r.Group) {
		return false
	}
	if w.exactMatch && !matchesAny(rule.APIVersions, r.Version) {
		return false
	}
	if scope := rule.Scope; scope != nil {
		switch *scope {
		case admissionv1.ClusterScope:
			if !r.ClusterScoped {
				return false
			}
		case admissionv1.NamespacedScope:
			if r.ClusterScoped {
				return false
			}
		}
	}
	for _, res := range rule.Resources {
		// the API server's matcher: "pods" and "*" match main resources,
		// "pods/*" and "*/*" also subresources.
		name, sub, _ := strings.Cut(res, "/")
		if (name == "*" || name == r.Resource) && (sub == "" || sub == "*") {
			return true
		}
	}
	return false
}

func matchesAny(patterns []string, value string) bool {
	for _, p := range patterns {
		if p == "*" || p == value {
			return true
		}
	}
	return false
}

// AdmissionIndex builds AdmissionRequests for the objects of a bundle:
// resource names from the bundle's CRDs (else the API server's own
// kind-to-resource guess), scope from Scope, namespace labels from the
// bundle's Namespaces plus the kubernetes.io/metadata.name label the API
// server sets on every namespace.
type AdmissionIndex struct {
	scope           *Scope
	resources       map[GroupKind]string
	namespaceLabels map[string]map[string]string
}

// NewAdmissionIndex indexes items.
func NewAdmissionIndex(items fn.KubeObjects, scope *Scope) *AdmissionIndex {
	x := &AdmissionIndex{scope: scope, resources: map[GroupKind]string{}, namespaceLabels: map[string]map[string]string{}}
	for _, o := range items {
		switch {
		case CustomResourceDefinitionKind.Is(o):
			group, _, _ := o.NestedString("spec", "group")
			kind, _, _ := o.NestedString("spec", "names", "kind")
			plural, _, _ := o.NestedString("spec", "names", "plural")
			if kind != "" && plural != "" {
				x.resources[GroupKind{group, kind}] = plural
			}
		case NamespaceKind.Is(o):
			x.namespaceLabels[o.GetName()] = namespaceLabels(o.GetName(), o.GetLabels())
		}
	}
	return x
}

func namespaceLabels(name string, l map[string]string) map[string]string {
	out := make(map[string]string, len(l)+1)
	for k, v := range l {
		out[k] = v
	}
	out["kubernetes.io/metadata.name"] = name
	return out
}

// Request describes the object as an admission request.
func (x *AdmissionIndex) Request(o *fn.KubeObject) AdmissionRequest {
	gv, _ := schema.ParseGroupVersion(o.GetAPIVersion())
	gk := GroupKind{gv.Group, o.GetKind()}
	r := AdmissionRequest{Group: gv.Group, Version: gv.Version, Labels: o.GetLabels(), ClusterScoped: x.scope.IsClusterScoped(o)}
	if plural, ok := x.resources[gk]; ok {
		r.Resource = plural
	} else {
		plural, _ := meta.UnsafeGuessKindToResource(gv.WithKind(gk.Kind))
		r.Resource = plural.Resource
	}
	switch {
	case gk == NamespaceKind:
		r.IsNamespace = true
		r.NamespaceLabels = namespaceLabels(o.GetName(), o.GetLabels())
	case !r.ClusterScoped:
		ns := x.scope.Namespace(o)
		if l, ok := x.namespaceLabels[ns]; ok {
			r.NamespaceLabels = l
		} else {
			r.NamespaceLabels = namespaceLabels(ns, nil)
		}
	}
	return r
}
