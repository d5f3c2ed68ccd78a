package krm

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/kfgitops/kfgitops/functions/kgateway-route/kgatewayroute"
	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/ingress"
	"github.com/kfgitops/kfgitops/kit/meshauthz"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
	"sigs.k8s.io/yaml"
)

// request walks a GET of the notebook's path in ns from a user (signed in
// as email with the walk's token, dex's by default, or not) whose client
// sends the given headers. It
// returns whether the notebook's pod receives it, and where it was decided.
func (w *walk) request(ns *profileNS, email string, signedIn bool, client map[string]string) (bool, string) {
	headers := map[string]string{}
	for k, v := range client {
		headers[strings.ToLower(k)] = v
	}
	for _, h := range w.strip {
		delete(headers, strings.ToLower(h))
	}
	path := "/notebook/" + ns.name + "/nb/"
	r := w.route(ns, path, headers)
	if r == nil {
		return false, "no route for " + path
	}
	if !slices.Contains(ns.route, r.route) {
		return false, r.how + " wins " + path + ", not the notebook's route"
	}
	if w.extAuth && !w.authOff[ns.name+"/"+r.route.GetName()] {
		if !signedIn {
			return false, "ext-auth: not signed in"
		}
		for _, byClaim := range w.claims {
			for _, header := range byClaim {
				delete(headers, header)
			}
		}
		issuer, token := w.token(email)
		byClaim, ok := w.claims[issuer]
		if len(w.claims) > 0 && !ok {
			return false, "JWT: no provider of issuer " + issuer
		}
		for claim, header := range byClaim {
			if v, ok := token[claim]; ok {
				headers[header] = v
			}
		}
	}
	for _, f := range r.rule.Filters {
		if m := f.RequestHeaderModifier; f.Type == gwv1.HTTPRouteFilterRequestHeaderModifier && m != nil {
			for _, h := range append(m.Set, m.Add...) {
				headers[strings.ToLower(string(h.Name))] = h.Value
			}
			for _, h := range m.Remove {
				delete(headers, strings.ToLower(h))
			}
		}
	}
	if len(r.rule.BackendRefs) != 1 || r.rule.BackendRefs[0].Namespace != nil && string(*r.rule.BackendRefs[0].Namespace) != ns.name {
		return false, r.how + ": not to one Service of " + ns.name
	}
	port := fmt.Sprint(*r.rule.BackendRefs[0].Port)
	req := meshauthz.Request{Principal: w.cfg.Gateway.Principal(), Path: path, Method: "GET", Port: port, Headers: headers}
	if ns.labels["istio.io/ingress-use-waypoint"] != "true" {
		return meshauthz.Decide(w.t, ns.ztunnel, req, false), r.how + ", then straight to the pod (no ingress-use-waypoint)"
	}
	if !meshauthz.Decide(w.t, ns.atWaypoint, req, true) {
		return false, fmt.Sprintf("%s, then denied at the waypoint with headers %v", r.how, headers)
	}
	req.Principal = ns.waypointPrincipal
	if !meshauthz.Decide(w.t, ns.ztunnel, req, false) {
		return false, r.how + ", allowed at the waypoint, then denied on ztunnel"
	}
	return true, r.how + ", the waypoint and ztunnel"
}

// bypass: a request from the Gateway's proxy with the owner's id sent
// straight to the notebook's pod, not through the waypoint (ztunnel alone
// decides).
func (w *walk) bypass(ns *profileNS, owner string) bool {
	req := meshauthz.Request{Principal: w.cfg.Gateway.Principal(), Path: "/notebook/" + ns.name + "/nb/", Method: "GET", Port: "8888",
		Headers: map[string]string{"kubeflow-userid": owner}}
	return meshauthz.Decide(w.t, ns.ztunnel, req, false)
}

// anonymousAtWaypoint: a request from the Gateway's proxy that carries no
// user id (had ext-auth let it through) at the namespace's waypoint.
func (w *walk) anonymousAtWaypoint(ns *profileNS) bool {
	req := meshauthz.Request{Principal: w.cfg.Gateway.Principal(), Path: "/notebook/" + ns.name + "/nb/", Method: "GET", Port: "80", Headers: map[string]string{}}
	return meshauthz.Decide(w.t, ns.atWaypoint, req, true)
}

// routed is the HTTPRoute rule that serves a request.
type routed struct {
	route *fn.KubeObject
	rule  gwv1.HTTPRouteRule
	how   string
}

// route is the rule that serves a GET of path with these headers on the
// Gateway, among the output's HTTPRoutes and the notebook's: of the routes
// attached to it from namespaces its listeners admit, the match of highest
// Gateway API precedence (kgatewayroute.ComparePrecedence, kgateway's);
// ties go to the first by namespace/name, rule and match (the output's
// routes are all created at once, so their age does not decide).
func (w *walk) route(ns *profileNS, path string, headers map[string]string) *routed {
	var best *routed
	var bestMatch gwv1.HTTPRouteMatch
	candidates := append(append(fn.KubeObjects(nil), w.items...), ns.route...)
	sort.SliceStable(candidates, func(i, j int) bool {
		return candidates[i].GetNamespace()+"/"+candidates[i].GetName() < candidates[j].GetNamespace()+"/"+candidates[j].GetName()
	})
	for _, o := range candidates {
		if o.GetKind() != "HTTPRoute" || !w.admits(o, ns) {
			continue
		}
		var hr gwv1.HTTPRoute
		if err := yaml.Unmarshal([]byte(o.String()), &hr); err != nil {
			w.t.Fatal(err)
		}
		for ri, rule := range hr.Spec.Rules {
			matches := rule.Matches
			if len(matches) == 0 {
				matches = []gwv1.HTTPRouteMatch{{}}
			}
			for mi, m := range matches {
				if !matchHolds(m, path, headers) {
					continue
				}
				if best == nil || kgatewayroute.ComparePrecedence(m, bestMatch) > 0 {
					best = &routed{route: o, rule: rule, how: fmt.Sprintf("HTTPRoute %s/%s rule %d match %d", o.GetNamespace(), o.GetName(), ri, mi)}
					bestMatch = m
				}
			}
		}
	}
	return best
}

// matchHolds: a GET of path with headers (no query) meets the match.
func matchHolds(m gwv1.HTTPRouteMatch, path string, headers map[string]string) bool {
	if m.Method != nil && *m.Method != gwv1.HTTPMethodGet || len(m.QueryParams) > 0 || !kgatewayroute.PathMatches(m.Path, path) {
		return false
	}
	for _, h := range m.Headers {
		v, ok := headers[strings.ToLower(string(h.Name))]
		if h.Type != nil && *h.Type == gwv1.HeaderMatchRegularExpression {
			if !ok || !regexp.MustCompile("^(?:"+h.Value+")$").MatchString(v) {
				return false
			}
		} else if !ok || v != h.Value {
			return false
		}
	}
	return true
}

// admits reports whether route o is attached to the Gateway and its
// namespace admitted by a listener (allowedRoutes), with the profile
// namespace's run-time labels.
func (w *walk) admits(o *fn.KubeObject, ns *profileNS) bool {
	gw := w.cfg.Gateway
	attached := false
	parents, _, _ := o.NestedSlice("spec", "parentRefs")
	for _, p := range parents {
		pns := p.GetString("namespace")
		if pns == "" {
			pns = o.GetNamespace()
		}
		attached = attached || p.GetString("name") == gw.Name && pns == gw.Namespace
	}
	if !attached {
		return false
	}
	labels := ns.labels
	if o.GetNamespace() != ns.name {
		labels = w.namespaceLabels(o.GetNamespace())
	}
	var g gwv1.Gateway
	if err := yaml.Unmarshal([]byte(w.gateway.String()), &g); err != nil {
		w.t.Fatal(err)
	}
	for _, l := range g.Spec.Listeners {
		if allowedFrom(l, gw, o.GetNamespace(), labels) {
			return true
		}
	}
	return false
}

func allowedFrom(l gwv1.Listener, gw ingress.Gateway, ns string, labels map[string]string) bool {
	if l.AllowedRoutes == nil || l.AllowedRoutes.Namespaces == nil || l.AllowedRoutes.Namespaces.From == nil {
		return ns == gw.Namespace
	}
	switch *l.AllowedRoutes.Namespaces.From {
	case gwv1.NamespacesFromAll:
		return true
	case gwv1.NamespacesFromSelector:
		sel := l.AllowedRoutes.Namespaces.Selector
		if sel == nil || len(sel.MatchExpressions) > 0 {
			return false
		}
		for k, v := range sel.MatchLabels {
			if labels[k] != v {
				return false
			}
		}
		return true
	}
	return ns == gw.Namespace
}

func (w *walk) namespaceLabels(name string) map[string]string {
	for _, o := range w.items {
		if kit.NamespaceKind.Is(o) && o.GetName() == name {
			return o.GetLabels()
		}
	}
	return nil
}
