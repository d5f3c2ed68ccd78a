package routes

import (
	"github.com/kfgitops/kfgitops/controllers/runtime-sync/config"
	"github.com/kfgitops/kfgitops/controllers/runtime-sync/events"
	"github.com/kfgitops/kfgitops/controllers/runtime-sync/objects"
	"github.com/kfgitops/kfgitops/controllers/runtime-sync/tenancy"
	"github.com/kfgitops/kfgitops/functions/kgateway-route/kgatewayroute"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Derive returns the objects vs derives, or why it derives none (nil and no
// refusal: vs is not bound to the gateway, so anything derived before goes).
// It reads nothing but its arguments.
func Derive(rc *kgatewayroute.RouteConverter, s *config.Settings, vs *unstructured.Unstructured) ([]*unstructured.Unstructured, []events.Refusal, error) {
	if why := notHandledReason(vs); why != "" {
		return nil, []events.Refusal{{Reason: events.NotHandled, Message: why}}, nil
	}
	obj, err := objects.ToKubeObject(vs)
	if err != nil {
		return nil, []events.Refusal{{Reason: events.Malformed, Message: err.Error()}}, nil
	}
	// Ports are not checked (nil): a Service is created by the same
	// controller as its VirtualService, in either order.
	conv, err := rc.Convert(obj, nil)
	if err != nil {
		return nil, []events.Refusal{{Reason: events.Malformed, Message: "cannot be converted: " + err.Error()}}, nil
	}
	if !conv.Bound {
		return nil, nil, nil
	}
	var refusals []events.Refusal
	for _, f := range conv.Findings {
		// A warning is a field not converted exactly; an error a
		// VirtualService that is not converted at all (a destination
		// subset no Service stands for): neither is routed.
		if f.Severity != fn.Info {
			refusals = append(refusals, events.Refusal{Reason: events.Unconvertible, Message: events.FieldText(f.Field, f.Message) + "; not routed exactly, so no route is written"})
		}
	}
	if len(conv.Grants) > 0 {
		refusals = append(refusals, events.Refusal{Reason: events.TenancyRefused, Message: "routes to Services of other namespaces (they would need ReferenceGrants); no route is written"})
	}
	violations, err := tenancy.Check(vs.GetNamespace(), conv.Routes, conv.Objects, tenantPolicy(s, vs.GetNamespace()))
	if err != nil {
		return nil, []events.Refusal{{Reason: events.Malformed, Message: "converted routes cannot be read: " + err.Error()}}, nil
	}
	for _, v := range violations {
		refusals = append(refusals, events.Refusal{Reason: events.TenancyRefused, Message: v.String() + "; no route is written"})
	}
	if len(refusals) > 0 {
		return nil, refusals, nil
	}
	var out []*unstructured.Unstructured
	for _, o := range append(append([]*fn.KubeObject(nil), conv.Routes...), conv.Objects...) {
		u, err := objects.FromKubeObject(o, vs)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, u)
	}
	return out, nil, nil
}

func tenantPolicy(s *config.Settings, ns string) tenancy.Policy {
	return tenancy.Policy{
		Prefixes:        config.TenantPrefixes(s.Prefixes, ns),
		Hostnames:       s.Route.Hostnames,
		Gateway:         s.Route.Gateway,
		IdentityHeaders: s.Route.StripRequestHeaders,
	}
}
