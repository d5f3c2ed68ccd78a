package kservegateway

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/istio"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// reportReferences reports, with an info result each, what stays and still
// names Knative Serving but does not run on it: nothing of it is changed.
// RBAC may grant on resources the cluster does not serve, a label no
// aggregation selects and a NetworkPolicy peer no namespace matches are
// inert, KServe reads its local-gateway settings only in Serverless mode,
// and Istio's cluster-local-gateway belongs to Istio's install.
func (r *knativeRemoval) reportReferences() {
	for _, o := range r.others {
		gk := kit.GroupKindOf(o)
		switch gk {
		case kit.ClusterRoleKind, kit.RoleKind:
			r.reportRules(o)
		case kit.NetworkPolicyKind:
			r.reportPeers(o)
		case kit.ConfigMapKind:
			r.reportKServeConfig(o)
		case kit.DeploymentKind:
			r.reportLocalGatewayPods(o)
		}
		for _, l := range knativeAggregationLabels {
			if _, ok := o.GetLabels()[l]; ok {
				kit.Info(r.results, o, "metadata.labels", "label %s kept: the Knative ClusterRole aggregating by it is removed, so it selects nothing", l)
			}
		}
	}
}

// reportRules notes a role's rules on Knative Serving's groups.
func (r *knativeRemoval) reportRules(o *fn.KubeObject) {
	rules, _, _ := o.NestedSlice("rules")
	var groups []string
	for _, rule := range rules {
		gs, _, _ := rule.NestedStringSlice("apiGroups")
		for _, g := range gs {
			if slices.Contains(knativeServingGroups, g) && !slices.Contains(groups, g) {
				groups = append(groups, g)
			}
		}
	}
	if len(groups) > 0 {
		kit.Info(r.results, o, "rules", "rules on %s kept: they grant nothing once Knative Serving's CRDs are removed (KServe checks for them at start-up and watches no Knative Services without them)", strings.Join(groups, ", "))
	}
}

// reportPeers notes NetworkPolicy peers that select the removed namespace.
func (r *knativeRemoval) reportPeers(o *fn.KubeObject) {
	for _, dir := range []struct{ rules, peers string }{{"ingress", "from"}, {"egress", "to"}} {
		rules, _, _ := o.NestedSlice("spec", dir.rules)
		for i, rule := range rules {
			peers, _, _ := rule.NestedSlice(dir.peers)
			for j, p := range peers {
				if ns, _, _ := p.NestedString("namespaceSelector", "matchLabels", "kubernetes.io/metadata.name"); ns == KnativeServingNamespace {
					kit.Info(r.results, o, fmt.Sprintf("spec.%s[%d].%s[%d]", dir.rules, i, dir.peers, j),
						"peer namespace %s kept: the namespace is removed, so the peer matches no pod", KnativeServingNamespace)
				}
			}
		}
	}
}

// reportKServeConfig notes KServe's ingress fields that name Knative's
// local gateway.
func (r *knativeRemoval) reportKServeConfig(o *fn.KubeObject) {
	if o.GetName() != ConfigMapName {
		return
	}
	doc, _, _ := o.NestedString("data", IngressKey)
	var ingress map[string]any
	if json.Unmarshal([]byte(doc), &ingress) != nil {
		return // the edit reports malformed JSON
	}
	var named []string
	for _, f := range knativeConfigFields {
		if v, ok := ingress[f].(string); ok && strings.Contains(v, "knative-local-gateway") {
			named = append(named, f)
		}
	}
	if len(named) > 0 {
		kit.Info(r.results, o, "data."+IngressKey, "%s kept: KServe reads them only for Serverless InferenceServices", strings.Join(named, ", "))
	}
}

// reportLocalGatewayPods notes the Istio gateway whose pods served Knative's
// local gateway (Kubeflow's common/istio/cluster-local-gateway): it is
// Istio's, and other routes may use it, so it stays.
func (r *knativeRemoval) reportLocalGatewayPods(d *fn.KubeObject) {
	labels, _, _ := d.NestedStringMap("spec", "template", "metadata", "labels")
	for _, o := range r.removed {
		var sel map[string]string
		switch {
		case kit.ServiceKind.Is(o) && o.GetNamespace() == d.GetNamespace():
			sel, _, _ = o.NestedStringMap("spec", "selector")
		case istio.GatewayKind.Is(o):
			sel, _, _ = o.NestedStringMap("spec", "selector")
		}
		if len(sel) > 0 && kit.MatchLabels(sel, labels) {
			kit.Info(r.results, d, "", "kept: this Istio gateway served Knative's %s %s/%s, which is removed; if nothing else routes through it, leave Kubeflow's common/istio/cluster-local-gateway out of the kustomization",
				o.GetKind(), o.GetNamespace(), o.GetName())
			return
		}
	}
}
