// Package tenancy decides whether a namespace may program a converted route
// on the shared Gateway. A namespace may route only paths under its own
// prefixes, on the hosts the Gateway serves, to Services of its own: under
// Istio any namespace could bind a VirtualService to the ingress gateway and
// capture "/", the login page or another tenant's notebooks; here it cannot.
//
// The check runs on the converted objects (what will be programmed), not on
// the VirtualService, so that nothing the converter adds or widens escapes it,
// and it fails closed: a match, filter or reference it does not know is
// refused.
package tenancy

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/ingress"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// Policy is what a tenant is allowed.
type Policy struct {
	// Prefixes are the namespace's own path prefixes (templates expanded),
	// each ending in "/".
	Prefixes []string
	// Hostnames the Gateway serves; ["*"] serves any host, and then a route
	// must not name one (it inherits the listener's).
	Hostnames []string
	// Gateway is the only parent a route may attach to.
	Gateway ingress.Gateway
	// IdentityHeaders are set by the Gateway from the authenticated user
	// (kubeflow-userid, kubeflow-groups): a tenant's route may not set them.
	IdentityHeaders []string
}

// Violation is one thing a route asks for that its namespace may not have.
type Violation struct {
	// Object is "Kind/name" of the converted object.
	Object string
	// Field is the path in that object, e.g. spec.rules[0].matches[1].path.
	Field   string
	Message string
}

func (v Violation) String() string { return v.Object + " " + v.Field + ": " + v.Message }

// Check returns every violation of the converted routes and the objects that
// travel with them, for routes in namespace ns; none means the namespace may
// have them all.
func Check(ns string, routes, objects []*fn.KubeObject, p Policy) ([]Violation, error) {
	c := &checker{ns: ns, p: p, routeNames: map[string]bool{}, objects: map[string]bool{}}
	for _, o := range routes {
		c.routeNames[o.GetName()] = true
	}
	for _, o := range objects {
		c.objects[kit.GroupKindOf(o).String()+"/"+o.GetName()] = true
		c.object(o)
	}
	for _, o := range routes {
		var r gwv1.HTTPRoute
		if err := kit.As(&o.SubObject, &r); err != nil {
			return nil, fmt.Errorf("HTTPRoute %s/%s: %w", o.GetNamespace(), o.GetName(), err)
		}
		c.route(&r)
	}
	return c.out, nil
}

type checker struct {
	ns         string
	p          Policy
	routeNames map[string]bool
	objects    map[string]bool // "Kind.group/name" of the travelling objects
	out        []Violation
	cur        string
}

func (c *checker) refuse(field, format string, a ...any) {
	c.out = append(c.out, Violation{Object: c.cur, Field: field, Message: fmt.Sprintf(format, a...)})
}

func (c *checker) route(r *gwv1.HTTPRoute) {
	c.cur = "HTTPRoute/" + r.Name
	if r.Namespace != c.ns {
		c.refuse("metadata.namespace", "the route is in namespace %q, not the VirtualService's %q", r.Namespace, c.ns)
	}
	if len(r.Spec.ParentRefs) == 0 {
		c.refuse("spec.parentRefs", "no parent: want Gateway %s/%s", c.p.Gateway.Namespace, c.p.Gateway.Name)
	}
	for i, ref := range r.Spec.ParentRefs {
		c.parentRef(fmt.Sprintf("spec.parentRefs[%d]", i), ref)
	}
	for i, h := range r.Spec.Hostnames {
		if !c.gatewayHost(string(h)) {
			c.refuse(fmt.Sprintf("spec.hostnames[%d]", i), "host %q is not a host the Gateway serves (%s)", h, c.hostsText())
		}
	}
	if len(r.Spec.Rules) == 0 {
		c.refuse("spec.rules", "no rule")
	}
	for i, rule := range r.Spec.Rules {
		c.rule(fmt.Sprintf("spec.rules[%d]", i), rule)
	}
}

func (c *checker) parentRef(field string, ref gwv1.ParentReference) {
	ns := c.ns
	if ref.Namespace != nil {
		ns = string(*ref.Namespace)
	}
	group, kind := kit.GroupGatewayAPI, "Gateway"
	if ref.Group != nil {
		group = string(*ref.Group)
	}
	if ref.Kind != nil {
		kind = string(*ref.Kind)
	}
	if group != kit.GroupGatewayAPI || kind != "Gateway" || ns != c.p.Gateway.Namespace || string(ref.Name) != c.p.Gateway.Name ||
		ref.SectionName != nil || ref.Port != nil {
		c.refuse(field, "parent %s %s/%s: the only parent allowed is Gateway %s/%s (no section or port)", kind, ns, ref.Name, c.p.Gateway.Namespace, c.p.Gateway.Name)
	}
}

func (c *checker) gatewayHost(h string) bool {
	return h != "*" && slices.Contains(c.p.Hostnames, h)
}

func (c *checker) hostsText() string {
	if slices.Contains(c.p.Hostnames, "*") {
		return "it serves any host, so a route must not name one"
	}
	return strings.Join(c.p.Hostnames, ", ")
}

func (c *checker) rule(field string, r gwv1.HTTPRouteRule) {
	if len(r.Matches) == 0 {
		c.refuse(field+".matches", "no match: the rule matches every path")
	}
	for j, m := range r.Matches {
		c.match(fmt.Sprintf("%s.matches[%d]", field, j), m)
	}
	for j, f := range r.Filters {
		c.filter(fmt.Sprintf("%s.filters[%d]", field, j), f)
	}
	for j, b := range r.BackendRefs {
		bf := fmt.Sprintf("%s.backendRefs[%d]", field, j)
		c.backend(bf, b.BackendObjectReference)
		for k, f := range b.Filters {
			c.filter(fmt.Sprintf("%s.filters[%d]", bf, k), f)
		}
	}
}

func (c *checker) match(field string, m gwv1.HTTPRouteMatch) {
	if m.Path == nil || m.Path.Value == nil {
		c.refuse(field, "no path (a header, method or query match alone matches every path)")
		return
	}
	t := gwv1.PathMatchPathPrefix
	if m.Path.Type != nil {
		t = *m.Path.Type
	}
	v := *m.Path.Value
	switch t {
	case gwv1.PathMatchPathPrefix, gwv1.PathMatchExact:
		if msg := c.ownPath(v); msg != "" {
			c.refuse(field+".path", "%s %s %s", t, v, msg)
		}
	default:
		c.refuse(field+".path", "%s %s: only Exact and PathPrefix paths can be confined to the namespace's prefixes", t, v)
	}
}

// ownPath returns why a path (Exact, or a PathPrefix, which Gateway API
// matches element-wise and ignoring a trailing "/") is not inside one of the
// namespace's prefixes, or "".
func (c *checker) ownPath(v string) string {
	if msg := canonical(v); msg != "" {
		return msg
	}
	within := strings.TrimSuffix(v, "/") + "/"
	for _, p := range c.p.Prefixes {
		if strings.HasPrefix(within, p) {
			return ""
		}
	}
	return fmt.Sprintf("is outside the namespace's prefixes %s", strings.Join(c.p.Prefixes, ", "))
}

// canonical refuses paths a proxy could normalize into another path: dot
// segments, empty segments, escapes, backslashes.
func canonical(v string) string {
	if !strings.HasPrefix(v, "/") {
		return "does not start with /"
	}
	if strings.ContainsAny(v, "%\\?#;") || strings.ContainsFunc(v, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return "holds an escape, backslash, query, fragment, parameter or control character"
	}
	if v == "/" {
		return ""
	}
	for _, s := range strings.Split(strings.TrimSuffix(v[1:], "/"), "/") {
		if s == "" || s == "." || s == ".." {
			return "holds an empty or dot segment"
		}
	}
	return ""
}
