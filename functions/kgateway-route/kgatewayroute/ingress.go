package kgatewayroute

import (
	"maps"
	"slices"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/istio"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// ingressWorkloadKinds are the kinds the removal of the Istio ingress
// gateway takes away (kit.Definition.Removes).
var ingressWorkloadKinds = []kit.GroupKind{
	kit.DeploymentKind, kit.ServiceKind, kit.ServiceAccountKind,
	kit.RoleKind, kit.RoleBindingKind, kit.ClusterRoleKind, kit.ClusterRoleBindingKind,
	kit.HorizontalPodAutoscalerKind, kit.PodDisruptionBudgetKind,
	istio.PeerAuthenticationKind, istio.EnvoyFilterKind, istio.SidecarKind,
	{Group: istio.GroupSecurity, Kind: "Telemetry"}, {Group: "telemetry.istio.io", Kind: "Telemetry"},
	{Group: "extensions.istio.io", Kind: "WasmPlugin"},
}

// workloadSelectorPaths says where Istio objects that apply to pods by
// label keep their selector; they apply to the Istio ingress gateway's
// pods when it matches them.
var workloadSelectorPaths = map[kit.GroupKind][]string{
	istio.AuthorizationPolicyKind:                      {"spec", "selector", "matchLabels"},
	istio.RequestAuthenticationKind:                    {"spec", "selector", "matchLabels"},
	istio.PeerAuthenticationKind:                       {"spec", "selector", "matchLabels"},
	{Group: "telemetry.istio.io", Kind: "Telemetry"}:   {"spec", "selector", "matchLabels"},
	{Group: "extensions.istio.io", Kind: "WasmPlugin"}: {"spec", "selector", "matchLabels"},
	istio.EnvoyFilterKind:                              {"spec", "workloadSelector", "labels"},
	istio.SidecarKind:                                  {"spec", "workloadSelector", "labels"},
}

// ingressRemoval is the Istio ingress gateway workload being removed.
type ingressRemoval struct {
	c       *converter
	items   fn.KubeObjects
	drop    map[*fn.KubeObject]bool
	pods    []podSet // the removed workloads' pods
	removed map[string]bool
}

// podSet is the pods of one workload: their namespace and labels.
type podSet struct {
	namespace string
	labels    map[string]string
}

// removeIstioIngressGateway removes, once the Istio Gateway is gone, the
// Istio ingress gateway it selected (its Deployments) and what only they
// use: their Services, ServiceAccounts, RBAC, autoscalers, disruption
// budgets, the other Istio Gateways on them and the Istio policies on their
// pods. kgateway and runtime-sync replace them in controller mode.
func (c *converter) removeIstioIngressGateway(items fn.KubeObjects, vss []*fn.KubeObject, drop map[*fn.KubeObject]bool) error {
	ns, name, _ := strings.Cut(c.istioGateway, "/")
	var selector map[string]string
	for _, o := range items {
		if istio.GatewayKind.Is(o) && o.GetNamespace() == ns && o.GetName() == name {
			if !drop[o] {
				return nil // kept: something still binds to it
			}
			selector, _, _ = o.NestedStringMap("spec", "selector")
		}
	}
	r := &ingressRemoval{c: c, items: items, drop: drop, removed: map[string]bool{}}
	var workloads []*fn.KubeObject
	for _, o := range items {
		if labels := workloadPodLabels(o); kit.DeploymentKind.Is(o) && len(selector) > 0 && kit.MatchLabels(selector, labels) {
			workloads = append(workloads, o)
			r.pods = append(r.pods, podSet{o.GetNamespace(), labels})
		}
	}
	if len(workloads) == 0 {
		return nil
	}
	if kept := r.gatewaysStillBound(vss); len(kept) > 0 {
		for _, w := range workloads {
			c.info(w, "", "kept: Istio Gateway %s, which VirtualServices still bind to, runs on it", strings.Join(kept, ", "))
		}
		return nil
	}
	accounts := map[string]bool{}
	for _, w := range workloads {
		sa, _, _ := w.NestedString("spec", "template", "spec", "serviceAccountName")
		if sa != "" && sa != "default" {
			accounts[w.GetNamespace()+"/"+sa] = true
		}
		r.remove(w, "the Istio ingress gateway")
	}
	r.removeUsers(accounts)
	return nil
}

// gatewaysStillBound removes the other Istio Gateways on the removed pods
// and returns those that VirtualServices still bind to.
func (r *ingressRemoval) gatewaysStillBound(vss []*fn.KubeObject) []string {
	var kept []string
	for _, o := range r.items {
		if !istio.GatewayKind.Is(o) || r.drop[o] {
			continue
		}
		sel, _, _ := o.NestedStringMap("spec", "selector")
		if !r.selectsPods(o.GetNamespace(), sel, true) {
			continue
		}
		ref := o.GetNamespace() + "/" + o.GetName()
		bound := false
		for _, vs := range vss {
			gws, _, _ := vs.NestedStringSlice("spec", "gateways")
			for _, g := range gws {
				bound = bound || !r.drop[vs] && istio.GatewayRef(g, vs.GetNamespace()) == ref
			}
		}
		if bound {
			kept = append(kept, ref)
			continue
		}
		r.remove(o, "an Istio Gateway on the Istio ingress gateway, bound by no VirtualService")
	}
	return kept
}

// removeUsers removes what only the removed workloads use.
func (r *ingressRemoval) removeUsers(accounts map[string]bool) {
	var bindings []*fn.KubeObject
	for _, o := range r.items {
		if r.drop[o] {
			continue
		}
		gk := kit.GroupKindOf(o)
		switch {
		case gk == kit.ServiceKind:
			sel, _, _ := o.NestedStringMap("spec", "selector")
			if r.selectsPods(o.GetNamespace(), sel, false) && !r.selectsOtherPods(o.GetNamespace(), sel, false) {
				r.remove(o, "the Istio ingress gateway's Service")
				r.reportDangling(o)
			}
		case gk == kit.HorizontalPodAutoscalerKind:
			kind, _, _ := o.NestedString("spec", "scaleTargetRef", "kind")
			target, _, _ := o.NestedString("spec", "scaleTargetRef", "name")
			if kind == "Deployment" && r.removed[kit.DeploymentKind.String()+" "+o.GetNamespace()+"/"+target] {
				r.remove(o, "the Istio ingress gateway's autoscaler")
			}
		case gk == kit.PodDisruptionBudgetKind:
			sel, _, _ := o.NestedStringMap("spec", "selector", "matchLabels")
			if r.selectsPods(o.GetNamespace(), sel, false) && !r.selectsOtherPods(o.GetNamespace(), sel, false) {
				r.remove(o, "the Istio ingress gateway's disruption budget")
			}
		case gk == kit.ServiceAccountKind && accounts[o.GetNamespace()+"/"+o.GetName()]:
			if !r.accountInUse(o.GetNamespace(), o.GetName()) {
				r.remove(o, "the Istio ingress gateway's ServiceAccount")
			}
		case gk == kit.RoleBindingKind || gk == kit.ClusterRoleBindingKind:
			bindings = append(bindings, o)
		case workloadSelectorPaths[gk] != nil:
			sel, _, _ := o.NestedStringMap(workloadSelectorPaths[gk]...)
			// Istio's root namespace, where the mesh config lives, holds
			// policies for every namespace.
			root := o.GetNamespace() == r.c.cfg.MeshConfig.Namespace
			if r.selectsPods(o.GetNamespace(), sel, root) && !r.selectsOtherPods(o.GetNamespace(), sel, root) {
				r.remove(o, "an Istio policy on the Istio ingress gateway's pods")
			}
		}
	}
	r.removeRBAC(bindings)
}

// removeRBAC removes the bindings whose every subject is a removed
// ServiceAccount, then the roles no remaining binding refers to.
func (r *ingressRemoval) removeRBAC(bindings []*fn.KubeObject) {
	referenced := map[string]bool{}
	var roles []string
	for _, b := range bindings {
		kind, _, _ := b.NestedString("roleRef", "kind")
		role, _, _ := b.NestedString("roleRef", "name")
		ref := kind + " " + role
		if kind == "Role" {
			ref = kind + " " + b.GetNamespace() + "/" + role
		}
		if r.onlyRemovedAccounts(b) {
			r.remove(b, "a binding of the Istio ingress gateway's ServiceAccount")
			roles = append(roles, ref)
			continue
		}
		referenced[ref] = true
	}
	for _, o := range r.items {
		gk := kit.GroupKindOf(o)
		if r.drop[o] || gk != kit.RoleKind && gk != kit.ClusterRoleKind {
			continue
		}
		ref := o.GetKind() + " " + o.GetName()
		if gk == kit.RoleKind {
			ref = o.GetKind() + " " + o.GetNamespace() + "/" + o.GetName()
		}
		_, aggregated, _ := o.NestedSubObject("aggregationRule")
		if slices.Contains(roles, ref) && !referenced[ref] && !aggregated {
			r.remove(o, "a role only the Istio ingress gateway's ServiceAccount was bound to")
		}
	}
}

func (r *ingressRemoval) onlyRemovedAccounts(b *fn.KubeObject) bool {
	subjects, _, _ := b.NestedSlice("subjects")
	for _, s := range subjects {
		ref := kit.RefAt(s, kit.ObjectID{Namespace: b.GetNamespace()})
		if ref.Kind != "ServiceAccount" || !r.removed[kit.ServiceAccountKind.String()+" "+ref.Namespace+"/"+ref.Name] {
			return false
		}
	}
	return len(subjects) > 0
}

// selectsPods reports whether a label selector in namespace ns selects the
// removed pods (anywhere when anyNamespace).
func (r *ingressRemoval) selectsPods(ns string, selector map[string]string, anyNamespace bool) bool {
	for _, p := range r.pods {
		if (anyNamespace || p.namespace == ns) && len(selector) > 0 && kit.MatchLabels(selector, p.labels) {
			return true
		}
	}
	return false
}

// selectsOtherPods reports whether a selector also selects pods of a
// workload that stays.
func (r *ingressRemoval) selectsOtherPods(ns string, selector map[string]string, anyNamespace bool) bool {
	for _, o := range r.items {
		if labels := workloadPodLabels(o); !r.drop[o] && (anyNamespace || o.GetNamespace() == ns) && labels != nil && len(selector) > 0 && kit.MatchLabels(selector, labels) {
			return true
		}
	}
	return false
}

// accountInUse reports whether a workload that stays runs as the account.
func (r *ingressRemoval) accountInUse(ns, name string) bool {
	for _, o := range r.items {
		if r.drop[o] || o.GetNamespace() != ns {
			continue
		}
		used := false
		_ = kit.EditRNode(o, func(rn *yaml.RNode) error {
			for _, t := range kit.PodTemplates(rn, kit.GroupKindOf(o), kit.BuiltinPodTemplatePaths) {
				if v, err := t.Template.Pipe(yaml.Lookup("spec", "serviceAccountName")); err == nil && v != nil {
					used = used || v.YNode().Value == name
				}
			}
			return nil
		})
		if used {
			return true
		}
	}
	return false
}

// reportDangling warns about ConfigMaps that still send traffic to the
// removed Service (Knative's config-istio for KServe Serverless): what they
// configure is not routed through kgateway.
func (r *ingressRemoval) reportDangling(svc *fn.KubeObject) {
	host := svc.GetName() + "." + svc.GetNamespace() + ".svc"
	for _, o := range r.items {
		if !kit.ConfigMapKind.Is(o) || r.drop[o] {
			continue
		}
		data, _, _ := o.NestedStringMap("data")
		for _, k := range slices.Sorted(maps.Keys(data)) {
			if strings.HasPrefix(k, "_") || !strings.Contains(data[k], host) {
				continue
			}
			r.c.warn(o, "data."+k, "names the removed Istio ingress gateway Service %s/%s: what it routes (Knative Serverless ingress, KServe Serverless inference endpoints) is not handled by kgateway or runtime-sync; "+
				"run KServe in Standard mode with Gateway API, or keep the Istio ingress gateway with runtimeRoutes.mode: bridge", svc.GetNamespace(), svc.GetName())
		}
	}
}

func (r *ingressRemoval) remove(o *fn.KubeObject, what string) {
	r.drop[o] = true
	r.removed[kit.GroupKindOf(o).String()+" "+o.GetNamespace()+"/"+o.GetName()] = true
	r.c.info(o, "", "removed: %s; kgateway Gateway %s/%s and runtime-sync replace it (runtimeRoutes.mode: controller)", what, r.c.cfg.Gateway.Namespace, r.c.cfg.Gateway.Name)
}

// workloadPodLabels returns the pod template labels of a Deployment, StatefulSet
// or DaemonSet (nil for other kinds).
func workloadPodLabels(o *fn.KubeObject) map[string]string {
	gk := kit.GroupKindOf(o)
	if gk.Group != kit.GroupApps || gk.Kind != "Deployment" && gk.Kind != "StatefulSet" && gk.Kind != "DaemonSet" {
		return nil
	}
	labels, _, _ := o.NestedStringMap("spec", "template", "metadata", "labels")
	if labels == nil {
		labels = map[string]string{}
	}
	return labels
}
