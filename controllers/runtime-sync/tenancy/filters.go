package tenancy

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// kgatewayGroup is the API group of the objects that travel with routes.
const kgatewayGroup = "gateway.kgateway.dev"

func (c *checker) filter(field string, f gwv1.HTTPRouteFilter) {
	switch f.Type {
	case gwv1.HTTPRouteFilterRequestHeaderModifier:
		c.headers(field+".requestHeaderModifier", f.RequestHeaderModifier)
	case gwv1.HTTPRouteFilterResponseHeaderModifier, gwv1.HTTPRouteFilterCORS:
		// Only what the tenant's own responses carry.
	case gwv1.HTTPRouteFilterURLRewrite:
		// A rewrite changes only what the route's own backends (checked to be
		// Services of the namespace) receive; "/" for a TensorBoard is fine.
	case gwv1.HTTPRouteFilterRequestRedirect:
		c.redirect(field+".requestRedirect", f.RequestRedirect)
	case gwv1.HTTPRouteFilterRequestMirror:
		if f.RequestMirror != nil {
			c.backend(field+".requestMirror.backendRef", f.RequestMirror.BackendRef)
		}
	case gwv1.HTTPRouteFilterExtensionRef:
		ref := f.ExtensionRef
		if ref == nil || string(ref.Group) != kgatewayGroup || ref.Kind != "DirectResponse" ||
			!c.objects[string(ref.Kind)+"."+string(ref.Group)+"/"+string(ref.Name)] {
			c.refuse(field+".extensionRef", "only the DirectResponse converted with the route may be referenced")
		}
	default:
		c.refuse(field+".type", "filter %s is not allowed on tenant routes", f.Type)
	}
}

func (c *checker) headers(field string, m *gwv1.HTTPHeaderFilter) {
	if m == nil {
		return
	}
	for _, op := range []struct {
		name string
		list []gwv1.HTTPHeader
	}{{"set", m.Set}, {"add", m.Add}} {
		for k, h := range op.list {
			if slices.ContainsFunc(c.p.IdentityHeaders, func(id string) bool { return strings.EqualFold(string(h.Name), id) }) {
				c.refuse(fmt.Sprintf("%s.%s[%d]", field, op.name, k), "header %s carries the authenticated user: only the Gateway sets it", h.Name)
			}
		}
	}
}

func (c *checker) redirect(field string, r *gwv1.HTTPRequestRedirectFilter) {
	if r == nil {
		return
	}
	if r.Hostname != nil && !c.gatewayHost(string(*r.Hostname)) {
		c.refuse(field+".hostname", "redirect to host %q, which the Gateway does not serve (%s)", *r.Hostname, c.hostsText())
	}
	if r.Path == nil {
		return
	}
	var to *string
	switch r.Path.Type {
	case gwv1.FullPathHTTPPathModifier:
		to = r.Path.ReplaceFullPath
	case gwv1.PrefixMatchHTTPPathModifier:
		to = r.Path.ReplacePrefixMatch
	}
	if to == nil {
		c.refuse(field+".path", "redirect path modifier %s without a path", r.Path.Type)
	} else if msg := c.ownPath(*to); msg != "" {
		c.refuse(field+".path", "redirect to %s, which %s", *to, msg)
	}
}

func (c *checker) backend(field string, b gwv1.BackendObjectReference) {
	group, kind, ns := "", "Service", c.ns
	if b.Group != nil {
		group = string(*b.Group)
	}
	if b.Kind != nil {
		kind = string(*b.Kind)
	}
	if b.Namespace != nil {
		ns = string(*b.Namespace)
	}
	if group != "" || kind != "Service" || ns != c.ns {
		c.refuse(field, "backend %s %s/%s: only Services of namespace %s", kind, ns, b.Name, c.ns)
	}
}

// object checks an object converted with the routes: a kgateway policy must
// target only those routes, and it must live beside them.
func (c *checker) object(o *fn.KubeObject) {
	gk := kit.GroupKindOf(o)
	c.cur = gk.Kind + "/" + o.GetName()
	if o.GetNamespace() != c.ns {
		c.refuse("metadata.namespace", "in namespace %q, not the VirtualService's %q", o.GetNamespace(), c.ns)
	}
	switch gk {
	case kit.GroupKind{Group: kgatewayGroup, Kind: "DirectResponse"}:
	case kit.GroupKind{Group: kgatewayGroup, Kind: "TrafficPolicy"}:
		refs, _, _ := o.NestedSlice("spec", "targetRefs")
		if len(refs) == 0 {
			c.refuse("spec.targetRefs", "a TrafficPolicy without targetRefs")
		}
		for i, ref := range refs {
			group, _, _ := ref.NestedString("group")
			kind, _, _ := ref.NestedString("kind")
			name, _, _ := ref.NestedString("name")
			if group != kit.GroupGatewayAPI || kind != "HTTPRoute" || !c.routeNames[name] {
				c.refuse(fmt.Sprintf("spec.targetRefs[%d]", i), "targets %s %s: only the routes converted with it", kind, name)
			}
		}
		if sel, found, _ := o.NestedSlice("spec", "targetSelectors"); found && len(sel) > 0 {
			c.refuse("spec.targetSelectors", "a TrafficPolicy may not select routes by label")
		}
	default:
		c.refuse("kind", "%s is not a kind that travels with tenant routes", gk)
	}
}
