package kgatewayroute

import (
	"fmt"
	"maps"
	"strconv"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// rule is one converted HTTPRoute rule with what travels beside it: the
// kgateway TrafficPolicy settings that target the rule by name, and where
// each match came from (for precedence checks and auth exemptions).
type rule struct {
	gwv1.HTTPRouteRule
	httpIndex int
	origins   []uriOrigin // one per match
	// policy is the rule-level TrafficPolicy spec (retry, urlRewrite,
	// faultInjection); nil: none.
	policy map[string]any
	// directResponse is the spec of the kgateway DirectResponse the rule
	// answers with; nil: none.
	directResponse map[string]any
}

// uriOrigin is the Istio uri match a Gateway API match came from.
type uriOrigin struct {
	kind  string // "exact", "prefix" or "regex"; "prefix" "" for no uri match
	value string
}

// convertHTTP converts spec.http[i] of a VirtualService into rules.
func (v *vsConverter) convertHTTP(i int, r *httpRoute) []*rule {
	field := httpPath(i)
	v.warnUnconverted(field, httpRouteFields, r.raw, "")
	if r.Route == nil && r.Redirect == nil && r.DirectResponse == nil {
		v.warn(field, "route has no route, redirect or directResponse: not converted")
		return nil
	}
	matches, origins := v.convertMatches(i, r)
	if len(matches) == 0 {
		v.warn(field+".match", "no match is left to convert: route dropped")
		return nil
	}
	parts := ruleParts{filters: v.commonFilters(i, r)}
	if !v.routeAction(field, r, &parts) {
		return nil
	}
	parts.timeout = v.ruleTimeout(field, r)
	parts.policy = v.ruleTrafficPolicy(field, r)
	return parts.rules(i, r, v.rewriteGroups(field, r, matches, origins))
}

// ruleParts is what the rules converted from one Istio route share.
type ruleParts struct {
	filters  []gwv1.HTTPRouteFilter
	backends []gwv1.HTTPBackendRef
	direct   map[string]any // the DirectResponse spec; nil: none
	timeout  string
	policy   map[string]any // the TrafficPolicy spec; empty: none
}

// routeAction converts what the route does with a request: answer it
// (directResponse), redirect it, or send it to its destinations. false:
// none of it could be converted, the route is dropped.
func (v *vsConverter) routeAction(field string, r *httpRoute, parts *ruleParts) bool {
	switch {
	case r.DirectResponse != nil:
		var ok bool
		parts.direct, ok = v.directResponse(field+".directResponse", r)
		return ok
	case r.Redirect != nil:
		v.warnUnconverted(field+".redirect", redirectFields, kit.MapOf(r.raw["redirect"]), "")
		f, err := redirectFilter(r.Redirect)
		if err != nil {
			v.warn(field+".redirect", "%v: route dropped", err)
			return false
		}
		parts.filters = append(parts.filters, gwv1.HTTPRouteFilter{Type: gwv1.HTTPRouteFilterRequestRedirect, RequestRedirect: f})
		return true
	}
	parts.backends = v.backends(field, r)
	if len(parts.backends) == 0 {
		if !v.refused { // else the VirtualService is kept whole
			v.warn(field+".route", "no destination could be converted: route dropped")
		}
		return false
	}
	return true
}

// backends converts the route's destinations; those that cannot be
// converted are dropped, reported.
func (v *vsConverter) backends(field string, r *httpRoute) []gwv1.HTTPBackendRef {
	var out []gwv1.HTTPBackendRef
	for j, rd := range r.Route {
		rf := fmt.Sprintf("%s.route[%d]", field, j)
		raw := kit.MapOf(indexOf(r.raw["route"], j))
		v.warnUnconverted(rf, routeDestinationFields, raw, "")
		ref, ok := v.serviceRef(rf+".destination", rd.Destination, kit.MapOf(raw["destination"]))
		if !ok {
			continue
		}
		b := gwv1.HTTPBackendRef{BackendRef: gwv1.BackendRef{BackendObjectReference: ref}}
		// An unset weight stays unset (Gateway API's default is 1), never 0.
		b.Weight = rd.Weight
		out = append(out, b)
	}
	return out
}

// ruleTimeout is the timeouts.request of the route's rules.
//
// Every rule gets one, "0s" (none) unless the route or defaultTimeout says
// otherwise: Istio routes have no timeout, while a kgateway v2.4.0 rule
// without timeouts gets Envoy's default route timeout of 15s, which would
// cut Jupyter's long-polling and kernel requests. Websockets need nothing
// here: kgateway adds a route-level websocket upgrade only for backends
// whose Service port has appProtocol kubernetes.io/ws (irtranslator/route.go,
// translateRouteAction), which Kubeflow's Services lack; the Gateway's
// ListenerPolicy enables the upgrade on the listener instead
// (upgradeConfig.enabledUpgrades: [websocket], set when websockets is true),
// which covers every route.
func (v *vsConverter) ruleTimeout(field string, r *httpRoute) string {
	timeout := v.cfg.DefaultTimeout
	if r.Timeout != "" {
		d, err := gepDuration(r.Timeout)
		if err != nil {
			v.warn(field+".timeout", "%v: using defaultTimeout %s", err, v.cfg.DefaultTimeout)
		} else {
			timeout = d
		}
	}
	// defaultTimeout is validated with the config.
	timeout, _ = gepDuration(timeout)
	return timeout
}

// rules makes one rule per rewrite group of the route, named after the
// route (numbered when there are several).
func (p ruleParts) rules(i int, r *httpRoute, groups []*rewriteGroup) []*rule {
	base := ruleBaseName(r.Name, i)
	var out []*rule
	for k, g := range groups {
		name := base
		if len(groups) > 1 {
			name = fmt.Sprintf("%s-%d", base, k+1)
		}
		sn := gwv1.SectionName(name)
		filters := append([]gwv1.HTTPRouteFilter(nil), p.filters...)
		if g.urlRewrite != nil {
			filters = append(filters, gwv1.HTTPRouteFilter{Type: gwv1.HTTPRouteFilterURLRewrite, URLRewrite: g.urlRewrite})
		}
		d := gwv1.Duration(p.timeout)
		ru := &rule{
			HTTPRouteRule: gwv1.HTTPRouteRule{
				Name:        &sn,
				Matches:     g.matches,
				Filters:     filters,
				BackendRefs: p.backends,
				Timeouts:    &gwv1.HTTPRouteTimeouts{Request: &d},
			},
			httpIndex:      i,
			origins:        g.origins,
			directResponse: p.direct,
		}
		if len(p.policy) > 0 || g.pathRegex != nil {
			ru.policy = maps.Clone(p.policy)
			if g.pathRegex != nil {
				ru.policy["urlRewrite"] = map[string]any{"pathRegex": g.pathRegex}
			}
		}
		out = append(out, ru)
	}
	return out
}

// serviceRef resolves a destination to a Service backend reference. The
// port is required in Gateway API; when the destination has none, the
// Service's only port (from the bundle) is used, as Istio does.
func (v *vsConverter) serviceRef(field string, d destination, raw map[string]any) (gwv1.BackendObjectReference, bool) {
	o := v.obj
	v.warnUnconverted(field, destinationFields, raw, "")
	name, ns, ok := serviceHost(d.Host, o.GetNamespace(), v.cfg.ClusterDomain)
	if !ok {
		v.warn(field+".host", "%q is not a Kubernetes Service of cluster domain %s: destination dropped", d.Host, v.cfg.ClusterDomain)
		return gwv1.BackendObjectReference{}, false
	}
	var port int32
	if d.Port != nil && d.Port.Number != 0 {
		port = d.Port.Number
	} else if ports := v.services[ns+"/"+name]; len(ports) == 1 {
		port = ports[0]
	} else if v.services == nil {
		v.warn(field+".port", "no port given and the ports of Service %s/%s are not known: destination dropped", ns, name)
		return gwv1.BackendObjectReference{}, false
	} else {
		v.warn(field+".port", "no port given and Service %s/%s does not have exactly one port in the bundle: destination dropped", ns, name)
		return gwv1.BackendObjectReference{}, false
	}
	backend := name
	if d.Subset != "" {
		if backend, ok = v.subsetService(field+".subset", subsetKey{ns, name, d.Subset}, port); !ok {
			return gwv1.BackendObjectReference{}, false
		}
	}
	p := gwv1.PortNumber(port)
	ref := gwv1.BackendObjectReference{Name: gwv1.ObjectName(backend), Port: &p}
	if ns != o.GetNamespace() {
		n := gwv1.Namespace(ns)
		ref.Namespace = &n
		v.grants.add(ns, "HTTPRoute", o.GetNamespace(), backend)
	}
	return ref, true
}

// warnUnconverted reports, under field, each field of raw that table t does
// not convert, with its reason and consequence (e.g. ": match dropped"); it
// reports whether there was any.
func (v *vsConverter) warnUnconverted(field string, t fieldTable, raw map[string]any, consequence string) bool {
	dropped := t.unconverted(raw)
	for _, d := range dropped {
		v.warn(field+"."+d.field, "%s%s", d.reason, consequence)
	}
	return len(dropped) > 0
}

// ruleBaseName is the rule name: the Istio route name when it is a valid
// section name, else http-<index>.
func ruleBaseName(name string, i int) string {
	n := strings.ToLower(name)
	if n != "" && sectionName.MatchString(n) && len(n) <= 200 {
		return n
	}
	return "http-" + strconv.Itoa(i)
}

func indexOf(v any, i int) any {
	l, _ := v.([]any)
	if i < len(l) {
		return l[i]
	}
	return nil
}
