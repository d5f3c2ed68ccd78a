package verify

import (
	"fmt"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Route kinds whose parentRefs and backendRefs are checked; both attach to
// HTTP and HTTPS listeners.
var routeKinds = []kit.GroupKind{
	{Group: kit.GroupGatewayAPI, Kind: "HTTPRoute"},
	{Group: kit.GroupGatewayAPI, Kind: "GRPCRoute"},
}

var (
	referenceGrantKind = kit.GroupKind{Group: kit.GroupGatewayAPI, Kind: "ReferenceGrant"}
	certificateKind    = kit.GroupKind{Group: "cert-manager.io", Kind: "Certificate"}
)

// ref is a Gateway API object reference as written, defaults applied.
type ref struct {
	field     string // path of the reference in its object
	gk        kit.GroupKind
	namespace string
	name      string
	port      *int
	section   string
}

// readRef reads a reference at sub; group and kind default as given, the
// namespace to the referring object's.
func readRef(sub *fn.SubObject, field string, defaultGK kit.GroupKind, ns string) ref {
	id := kit.RefAt(sub, kit.ObjectID{GroupKind: defaultGK, Namespace: ns})
	r := ref{field: field, gk: id.GroupKind, namespace: id.Namespace, name: id.Name}
	if p, found, _ := sub.NestedInt("port"); found {
		r.port = &p
	}
	r.section, _, _ = sub.NestedString("sectionName")
	return r
}

func (r ref) String() string {
	s := fmt.Sprintf("%s %s/%s", r.gk, r.namespace, r.name)
	if r.port != nil {
		s += fmt.Sprintf(" port %d", *r.port)
	}
	return s
}

func (b *bundle) routes() fn.KubeObjects {
	var out fn.KubeObjects
	for _, gk := range routeKinds {
		out = append(out, b.byKind[gk]...)
	}
	return out
}

func checkRouteParents(b *bundle, r *reporter) error {
	for _, route := range b.routes() {
		parents, _, _ := route.NestedSlice("spec", "parentRefs")
		for i, p := range parents {
			pr := readRef(p, fmt.Sprintf("spec.parentRefs[%d]", i), kit.GatewayKind, route.GetNamespace())
			if pr.gk != kit.GatewayKind {
				if !b.exists(pr.gk, pr.namespace, pr.name) {
					r.errorf(route, pr.field, "parent %s is not in the bundle", pr)
				}
				continue
			}
			gw := b.get(kit.GatewayKind, pr.namespace, pr.name)
			if gw == nil {
				if !b.external(kit.GatewayKind, pr.namespace, pr.name) {
					r.errorf(route, pr.field+".name", "Gateway %s/%s is not in the bundle", pr.namespace, pr.name)
				}
				continue
			}
			if why := b.gatewayAdmits(gw, pr, route); why != "" {
				r.errorf(route, pr.field, "Gateway %s/%s does not accept the route: %s", pr.namespace, pr.name, why)
			}
		}
	}
	return nil
}

// gatewayAdmits returns "" when some listener the parentRef selects accepts
// the route, else why none does.
func (b *bundle) gatewayAdmits(gw *fn.KubeObject, pr ref, route *fn.KubeObject) string {
	listeners, _, _ := gw.NestedSlice("spec", "listeners")
	var reasons []string
	selected := 0
	for _, l := range listeners {
		name, _, _ := l.NestedString("name")
		port, _, _ := l.NestedInt("port")
		if (pr.section != "" && pr.section != name) || (pr.port != nil && *pr.port != port) {
			continue
		}
		selected++
		why := b.listenerAdmits(l, gw, route)
		if why == "" {
			return ""
		}
		reasons = append(reasons, fmt.Sprintf("listener %s: %s", name, why))
	}
	if selected == 0 {
		switch {
		case pr.section != "" && pr.port != nil:
			return fmt.Sprintf("it has no listener named %q on port %d", pr.section, *pr.port)
		case pr.section != "":
			return fmt.Sprintf("it has no listener named %q", pr.section)
		case pr.port != nil:
			return fmt.Sprintf("it has no listener on port %d", *pr.port)
		}
		return "it has no listeners"
	}
	return strings.Join(reasons, "; ")
}

// listenerAdmits applies allowedRoutes (kinds and namespaces) and protocol.
func (b *bundle) listenerAdmits(l *fn.SubObject, gw, route *fn.KubeObject) string {
	routeGK := kit.GroupKindOf(route)
	kinds, found, _ := l.NestedSlice("allowedRoutes", "kinds")
	if found && len(kinds) > 0 {
		ok := false
		for _, k := range kinds {
			kr := readRef(k, "", kit.GroupKind{Group: kit.GroupGatewayAPI}, "")
			if kr.gk == routeGK {
				ok = true
			}
		}
		if !ok {
			return fmt.Sprintf("allowedRoutes.kinds does not list %s", routeGK)
		}
	} else if protocol, _, _ := l.NestedString("protocol"); protocol != "HTTP" && protocol != "HTTPS" {
		return fmt.Sprintf("protocol %s does not carry %s", protocol, routeGK.Kind)
	}
	from, _, _ := l.NestedString("allowedRoutes", "namespaces", "from")
	switch from {
	case "", "Same":
		if route.GetNamespace() != gw.GetNamespace() {
			return fmt.Sprintf("allowedRoutes.namespaces.from is Same and the route is in %s", route.GetNamespace())
		}
	case "All":
	case "Selector":
		sel, err := subSelector(l, "allowedRoutes", "namespaces", "selector")
		if err != nil {
			return fmt.Sprintf("allowedRoutes.namespaces.selector: %v", err)
		}
		if !sel.Matches(labels.Set(b.effectiveNamespaceLabels(route.GetNamespace()))) {
			return fmt.Sprintf("allowedRoutes.namespaces.selector %s does not match namespace %s", sel, route.GetNamespace())
		}
	default:
		return fmt.Sprintf("allowedRoutes.namespaces.from %q is not understood", from)
	}
	return ""
}

// effectiveNamespaceLabels are a namespace's labels as the cluster will
// have them: the bundle's, plus kubernetes.io/metadata.name, which the API
// server sets on every Namespace.
func (b *bundle) effectiveNamespaceLabels(ns string) map[string]string {
	out := map[string]string{"kubernetes.io/metadata.name": ns}
	for k, v := range b.namespaceLabels(ns) {
		out[k] = v
	}
	return out
}

func subSelector(sub *fn.SubObject, fields ...string) (labels.Selector, error) {
	m, found, err := sub.NestedSubObject(fields...)
	if err != nil {
		return nil, err
	}
	if !found {
		return labels.Everything(), nil
	}
	var ls metav1.LabelSelector
	if err := kit.As(&m, &ls); err != nil {
		return nil, err
	}
	return metav1.LabelSelectorAsSelector(&ls)
}

// backendRefs lists every backend a route sends traffic to: rule backends
// and request-mirror targets at rule and backend level.
func backendRefs(route *fn.KubeObject) []ref {
	var out []ref
	ns := route.GetNamespace()
	mirrors := func(filters fn.SliceSubObjects, prefix string) {
		for k, f := range filters {
			if m, found, _ := f.NestedSubObject("requestMirror", "backendRef"); found {
				out = append(out, readRef(&m, fmt.Sprintf("%s.filters[%d].requestMirror.backendRef", prefix, k), kit.ServiceKind, ns))
			}
		}
	}
	rules, _, _ := route.NestedSlice("spec", "rules")
	for i, rule := range rules {
		prefix := fmt.Sprintf("spec.rules[%d]", i)
		backends, _, _ := rule.NestedSlice("backendRefs")
		for j, be := range backends {
			out = append(out, readRef(be, fmt.Sprintf("%s.backendRefs[%d]", prefix, j), kit.ServiceKind, ns))
			filters, _, _ := be.NestedSlice("filters")
			mirrors(filters, fmt.Sprintf("%s.backendRefs[%d]", prefix, j))
		}
		filters, _, _ := rule.NestedSlice("filters")
		mirrors(filters, prefix)
	}
	return out
}

func checkRouteBackends(b *bundle, r *reporter) error {
	for _, route := range b.routes() {
		for _, be := range backendRefs(route) {
			if b.external(be.gk, be.namespace, be.name) {
				continue
			}
			target := b.get(be.gk, be.namespace, be.name)
			if target == nil {
				r.errorf(route, be.field+".name", "backend %s/%s (%s) is not in the bundle", be.namespace, be.name, be.gk)
				continue
			}
			if be.gk != kit.ServiceKind || be.port == nil {
				continue
			}
			if !servicePorts(target)[*be.port] {
				r.errorf(route, be.field+".port", "Service %s/%s has no port %d (ports: %s)", be.namespace, be.name, *be.port, portList(target))
			}
		}
	}
	return nil
}

func servicePorts(svc *fn.KubeObject) map[int]bool {
	out := map[int]bool{}
	ports, _, _ := svc.NestedSlice("spec", "ports")
	for _, p := range ports {
		if n, found, _ := p.NestedInt("port"); found {
			out[n] = true
		}
	}
	return out
}

func portList(svc *fn.KubeObject) string {
	ports, _, _ := svc.NestedSlice("spec", "ports")
	var s []string
	for _, p := range ports {
		n, _, _ := p.NestedInt("port")
		s = append(s, fmt.Sprint(n))
	}
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// crossNamespaceRef is a reference that needs a ReferenceGrant.
type crossNamespaceRef struct {
	from *fn.KubeObject
	ref  ref
}

func (b *bundle) crossNamespaceRefs() []crossNamespaceRef {
	var out []crossNamespaceRef
	for _, route := range b.routes() {
		for _, be := range backendRefs(route) {
			if be.namespace != route.GetNamespace() {
				out = append(out, crossNamespaceRef{route, be})
			}
		}
	}
	for _, gw := range b.byKind[kit.GatewayKind] {
		for _, c := range certificateRefs(gw) {
			if c.namespace != gw.GetNamespace() {
				out = append(out, crossNamespaceRef{gw, c})
			}
		}
	}
	return out
}

func checkReferenceGrants(b *bundle, r *reporter) error {
	for _, x := range b.crossNamespaceRefs() {
		if b.external(x.ref.gk, x.ref.namespace, x.ref.name) {
			continue
		}
		if !b.granted(x.from, x.ref) {
			r.errorf(x.from, x.ref.field+".namespace", "no ReferenceGrant in namespace %s allows %s from namespace %s to refer to %s %s",
				x.ref.namespace, kit.GroupKindOf(x.from).Kind, x.from.GetNamespace(), x.ref.gk, x.ref.name)
		}
	}
	return nil
}

// granted reports whether a ReferenceGrant in the target namespace allows
// the reference.
func (b *bundle) granted(from *fn.KubeObject, to ref) bool {
	fromGK := kit.GroupKindOf(from)
	for _, g := range b.byKind[referenceGrantKind] {
		if g.GetNamespace() != to.namespace {
			continue
		}
		fromOK := false
		froms, _, _ := g.NestedSlice("spec", "from")
		for _, f := range froms {
			fr := readRef(f, "", kit.GroupKind{}, "")
			if fr.gk == fromGK && fr.namespace == from.GetNamespace() {
				fromOK = true
			}
		}
		if !fromOK {
			continue
		}
		tos, _, _ := g.NestedSlice("spec", "to")
		for _, t := range tos {
			tr := readRef(t, "", kit.GroupKind{}, "")
			if tr.gk == to.gk && (tr.name == "" || tr.name == to.name) {
				return true
			}
		}
	}
	return false
}

func certificateRefs(gw *fn.KubeObject) []ref {
	var out []ref
	listeners, _, _ := gw.NestedSlice("spec", "listeners")
	for i, l := range listeners {
		certs, _, _ := l.NestedSlice("tls", "certificateRefs")
		for j, c := range certs {
			out = append(out, readRef(c, fmt.Sprintf("spec.listeners[%d].tls.certificateRefs[%d]", i, j), kit.SecretKind, gw.GetNamespace()))
		}
	}
	return out
}

func checkGatewayCertificates(b *bundle, r *reporter) error {
	written := map[kit.ObjectID]bool{} // Secrets cert-manager Certificates write
	for _, c := range b.byKind[certificateKind] {
		if name, _, _ := c.NestedString("spec", "secretName"); name != "" {
			written[kit.ObjectID{GroupKind: kit.SecretKind, Namespace: c.GetNamespace(), Name: name}] = true
		}
	}
	for _, gw := range b.byKind[kit.GatewayKind] {
		for _, c := range certificateRefs(gw) {
			if c.gk != kit.SecretKind {
				if !b.exists(c.gk, c.namespace, c.name) {
					r.errorf(gw, c.field+".name", "certificate %s is not in the bundle", c)
				}
				continue
			}
			if !b.exists(kit.SecretKind, c.namespace, c.name) && !written[kit.ObjectID{GroupKind: kit.SecretKind, Namespace: c.namespace, Name: c.name}] {
				r.errorf(gw, c.field+".name", "Secret %s/%s is neither in the bundle nor written by a cert-manager Certificate of the bundle", c.namespace, c.name)
			}
		}
	}
	return nil
}
