package kgateway

import (
	"context"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/kgateway-dev/kgateway/v2/pkg/kgateway/translator/listener"
	"github.com/kgateway-dev/kgateway/v2/pkg/kgateway/wellknown"
	"github.com/kgateway-dev/kgateway/v2/pkg/pluginsdk/reporter"
)

// RouteProblem is why kgateway's report does not accept HTTPRoute ns/name
// on every parent with all references resolved ("" when it does).
func (r *Result) RouteProblem(ns, name string) string {
	route := &gwv1.HTTPRoute{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	status := r.Reports.BuildRouteStatus(context.Background(), route, wellknown.DefaultGatewayControllerName)
	if status == nil || len(status.Parents) == 0 {
		return "no parent accepted it (kgateway reports nothing for it)"
	}
	for _, p := range status.Parents {
		found := map[string]bool{}
		for _, c := range p.Conditions {
			found[c.Type] = true
			ok := c.Status == metav1.ConditionTrue
			if c.Type == string(gwv1.RouteConditionPartiallyInvalid) {
				ok = c.Status == metav1.ConditionFalse
			}
			if !ok {
				return fmt.Sprintf("parent %v: %s=%s (%s: %s)", p.ParentRef.Name, c.Type, c.Status, c.Reason, c.Message)
			}
		}
		for _, want := range []gwv1.RouteConditionType{gwv1.RouteConditionAccepted, gwv1.RouteConditionResolvedRefs} {
			if !found[string(want)] {
				return fmt.Sprintf("parent %v: no %s condition", p.ParentRef.Name, want)
			}
		}
	}
	return ""
}

// PolicyProblem is why kgateway's report does not attach policy
// group/kind ns/name to every ancestor without error ("" when it does).
func (r *Result) PolicyProblem(group, kind, ns, name string) string {
	key := reporter.PolicyKey{Group: group, Kind: kind, Namespace: ns, Name: name}
	var status *gwv1.PolicyStatus
	// The plugin's own status builder where it has one, as kgateway's
	// status syncer does.
	if p, ok := r.PolicyPlugins[schema.GroupKind{Group: group, Kind: kind}]; ok && p.BuildPolicyStatus != nil {
		status = p.BuildPolicyStatus(context.Background(), r.Reports, key, wellknown.DefaultGatewayControllerName, gwv1.PolicyStatus{})
	} else {
		status = r.Reports.BuildPolicyStatus(context.Background(), key, wellknown.DefaultGatewayControllerName, gwv1.PolicyStatus{})
	}
	if status == nil || len(status.Ancestors) == 0 {
		return "attached to nothing (kgateway reports no ancestor)"
	}
	for _, a := range status.Ancestors {
		if len(a.Conditions) == 0 {
			return fmt.Sprintf("ancestor %v: no conditions", a.AncestorRef.Name)
		}
		for _, c := range a.Conditions {
			if c.Status != metav1.ConditionTrue {
				return fmt.Sprintf("ancestor %v: %s=%s (%s: %s)", a.AncestorRef.Name, c.Type, c.Status, c.Reason, c.Message)
			}
		}
	}
	return ""
}

// GatewayProblem is why kgateway's report does not accept and program
// Gateway ns/name ("" when it does).
func (r *Result) GatewayProblem(ns, name string) string {
	gw := r.Gateways[types.NamespacedName{Namespace: ns, Name: name}]
	if gw == nil {
		return fmt.Sprintf("kgateway did not translate Gateway %s/%s", ns, name)
	}
	status := r.Reports.BuildGWStatus(context.Background(), *gw, nil)
	if status == nil {
		return fmt.Sprintf("kgateway reports nothing for Gateway %s/%s", ns, name)
	}
	for _, c := range status.Conditions {
		if c.Type != listener.GatewayConditionAttachedListenerSets && c.Status != metav1.ConditionTrue {
			return fmt.Sprintf("Gateway %s/%s: %s=%s (%s: %s)", ns, name, c.Type, c.Status, c.Reason, c.Message)
		}
	}
	return ""
}
