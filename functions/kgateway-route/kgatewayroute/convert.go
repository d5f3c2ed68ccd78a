package kgatewayroute

import (
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

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

// backendService is a Service port a rule sends to.
type backendService struct{ namespace, name string }

// convertHTTP converts spec.http[i] of a VirtualService into rules.
func (v *vsConverter) convertHTTP(i int, r *httpRoute) []*rule {
	field := httpPath(i)
	for _, d := range httpRouteFields.unconverted(r.raw) {
		v.warn(field+"."+d.field, "%s", d.reason)
	}
	if r.Route == nil && r.Redirect == nil && r.DirectResponse == nil {
		v.warn(field, "route has no route, redirect or directResponse: not converted")
		return nil
	}
	matches, origins := v.convertMatches(i, r)
	if len(matches) == 0 {
		v.warn(field+".match", "no match is left to convert: route dropped")
		return nil
	}

	var common []gwv1.HTTPRouteFilter
	if r.Headers != nil {
		for _, d := range headersFields.unconverted(mapOf(r.raw["headers"])) {
			v.warn(field+".headers."+d.field, "%s", d.reason)
		}
		if f := headerFilter(r.Headers.Request); f != nil {
			common = append(common, gwv1.HTTPRouteFilter{Type: gwv1.HTTPRouteFilterRequestHeaderModifier, RequestHeaderModifier: f})
		}
		if f := headerFilter(r.Headers.Response); f != nil {
			common = append(common, gwv1.HTTPRouteFilter{Type: gwv1.HTTPRouteFilterResponseHeaderModifier, ResponseHeaderModifier: f})
		}
	}
	common = append(common, v.mirrorFilters(i, r)...)
	if r.CorsPolicy != nil {
		if f := v.corsFilter(field+".corsPolicy", r); f != nil {
			common = append(common, gwv1.HTTPRouteFilter{Type: gwv1.HTTPRouteFilterCORS, CORS: f})
		}
	}

	var backends []gwv1.HTTPBackendRef
	var direct map[string]any
	if r.DirectResponse != nil {
		var ok bool
		if direct, ok = v.directResponse(field+".directResponse", r); !ok {
			return nil
		}
	} else if r.Redirect != nil {
		for _, d := range redirectFields.unconverted(mapOf(r.raw["redirect"])) {
			v.warn(field+".redirect."+d.field, "%s", d.reason)
		}
		f, err := redirectFilter(r.Redirect)
		if err != nil {
			v.warn(field+".redirect", "%v: route dropped", err)
			return nil
		}
		common = append(common, gwv1.HTTPRouteFilter{Type: gwv1.HTTPRouteFilterRequestRedirect, RequestRedirect: f})
	} else {
		for j, rd := range r.Route {
			rf := fmt.Sprintf("%s.route[%d]", field, j)
			raw := mapOf(indexOf(r.raw["route"], j))
			for _, d := range routeDestinationFields.unconverted(raw) {
				v.warn(rf+"."+d.field, "%s", d.reason)
			}
			ref, ok := v.serviceRef(rf+".destination", rd.Destination, mapOf(raw["destination"]))
			if !ok {
				continue
			}
			b := gwv1.HTTPBackendRef{BackendRef: gwv1.BackendRef{BackendObjectReference: ref}}
			// An unset weight stays unset (Gateway API's default is 1), never 0.
			b.Weight = rd.Weight
			backends = append(backends, b)
		}
		if len(backends) == 0 {
			v.warn(field+".route", "no destination could be converted: route dropped")
			return nil
		}
	}

	// Every rule gets timeouts.request, "0s" (none) unless the route or
	// defaultTimeout says otherwise: Istio routes have no timeout, while a
	// kgateway v2.4.0 rule without timeouts gets Envoy's default route
	// timeout of 15s, which would cut Jupyter's long-polling and kernel
	// requests. Websockets need nothing here: kgateway adds a route-level
	// websocket upgrade only for backends whose Service port has appProtocol
	// kubernetes.io/ws (irtranslator/route.go, translateRouteAction), which
	// Kubeflow's Services lack; the Gateway's ListenerPolicy enables the
	// upgrade on the listener instead (upgradeConfig.enabledUpgrades:
	// [websocket], set when websockets is true), which covers every route.
	timeout := v.cfg.DefaultTimeout
	if r.Timeout != "" {
		d, err := gepDuration(r.Timeout)
		if err != nil {
			v.warn(field+".timeout", "%v: using defaultTimeout %s", err, v.cfg.DefaultTimeout)
		} else {
			timeout = d
		}
	}
	timeout, _ = gepDuration(timeout)

	policy := map[string]any{}
	if r.Retries != nil {
		if retry := v.retryPolicy(field+".retries", r); retry != nil {
			policy["retry"] = retry
		}
	}
	if r.Fault != nil {
		if fault := v.faultPolicy(field+".fault", r); fault != nil {
			policy["faultInjection"] = fault
		}
	}

	groups := v.rewriteGroups(field, r, matches, origins)
	base := ruleBaseName(r.Name, i)
	var out []*rule
	for k, g := range groups {
		name := base
		if len(groups) > 1 {
			name = fmt.Sprintf("%s-%d", base, k+1)
		}
		sn := gwv1.SectionName(name)
		filters := append([]gwv1.HTTPRouteFilter(nil), common...)
		if g.urlRewrite != nil {
			filters = append(filters, gwv1.HTTPRouteFilter{Type: gwv1.HTTPRouteFilterURLRewrite, URLRewrite: g.urlRewrite})
		}
		d := gwv1.Duration(timeout)
		ru := &rule{
			HTTPRouteRule: gwv1.HTTPRouteRule{
				Name:        &sn,
				Matches:     g.matches,
				Filters:     filters,
				BackendRefs: backends,
				Timeouts:    &gwv1.HTTPRouteTimeouts{Request: &d},
			},
			httpIndex: i,
			origins:   g.origins,
		}
		ru.directResponse = direct
		if len(policy) > 0 || g.pathRegex != nil {
			ru.policy = map[string]any{}
			for k, v := range policy {
				ru.policy[k] = v
			}
			if g.pathRegex != nil {
				ru.policy["urlRewrite"] = map[string]any{"pathRegex": g.pathRegex}
			}
		}
		out = append(out, ru)
	}
	return out
}

// convertMatches converts the matches of one route; a match with a
// condition that cannot be converted is dropped (the route then matches
// less than the VirtualService, never more), with a warning.
func (v *vsConverter) convertMatches(i int, r *httpRoute) ([]gwv1.HTTPRouteMatch, []uriOrigin) {
	if len(r.Match) == 0 {
		return []gwv1.HTTPRouteMatch{prefixMatch("/")}, []uriOrigin{{"prefix", ""}}
	}
	var matches []gwv1.HTTPRouteMatch
	var origins []uriOrigin
	for j, m := range r.Match {
		field := fmt.Sprintf("%s.match[%d]", httpPath(i), j)
		var raw map[string]any
		if j < len(r.rawMatches) {
			raw = r.rawMatches[j]
		}
		if dropped := matchFields.unconverted(raw); len(dropped) > 0 {
			for _, d := range dropped {
				v.warn(field+"."+d.field, "%s: match dropped", d.reason)
			}
			continue
		}
		if len(m.Gateways) > 0 && !v.boundTo(m.Gateways, v.obj.GetNamespace()) {
			continue // this match applies to other gateways only
		}
		base := gwv1.HTTPRouteMatch{}
		var err error
		if base.Headers, err = headerMatches(m.Headers); err != nil {
			v.warn(field+".headers", "%v: match dropped", err)
			continue
		}
		if base.QueryParams, err = queryMatches(m.QueryParams); err != nil {
			v.warn(field+".queryParams", "%v: match dropped", err)
			continue
		}
		if m.Method != nil {
			if m.Method.Exact == nil || !httpMethods[*m.Method.Exact] {
				v.warn(field+".method", "only an exact match on a standard HTTP method can be converted: match dropped")
				continue
			}
			meth := gwv1.HTTPMethod(*m.Method.Exact)
			base.Method = &meth
		}
		paths, origin, err := v.pathMatches(field+".uri", m.URI)
		if err != nil {
			v.warn(field+".uri", "%v: match dropped", err)
			continue
		}
		for _, p := range paths {
			gm := base
			gm.Path = p
			matches = append(matches, gm)
			origins = append(origins, origin)
		}
	}
	return matches, origins
}

// pathMatches converts a uri match. Istio's prefix is a string prefix, while
// PathPrefix matches whole path segments, so a prefix that does not end in
// "/" gets a second, RegularExpression match for the paths that continue the
// last segment (/ml_metadata → /ml_metadata.MetadataStoreService/Get…).
func (v *vsConverter) pathMatches(field string, u *stringMatch) ([]*gwv1.HTTPPathMatch, uriOrigin, error) {
	switch {
	case u == nil:
		return []*gwv1.HTTPPathMatch{prefixMatch("/").Path}, uriOrigin{"prefix", ""}, nil
	case u.Exact != nil:
		if !validPrefixPath(*u.Exact) {
			return []*gwv1.HTTPPathMatch{pathMatch(gwv1.PathMatchRegularExpression, regexp.QuoteMeta(*u.Exact))}, uriOrigin{"exact", *u.Exact}, nil
		}
		return []*gwv1.HTTPPathMatch{pathMatch(gwv1.PathMatchExact, *u.Exact)}, uriOrigin{"exact", *u.Exact}, nil
	case u.Prefix != nil:
		p := *u.Prefix
		origin := uriOrigin{"prefix", p}
		if p == "" || p == "/" {
			return []*gwv1.HTTPPathMatch{prefixMatch("/").Path}, origin, nil
		}
		if !validPrefixPath(p) {
			return []*gwv1.HTTPPathMatch{pathMatch(gwv1.PathMatchRegularExpression, regexp.QuoteMeta(p)+".*")}, origin, nil
		}
		if strings.HasSuffix(p, "/") {
			v.slashPrefixes = append(v.slashPrefixes, p)
			return []*gwv1.HTTPPathMatch{pathMatch(gwv1.PathMatchPathPrefix, p)}, origin, nil
		}
		return []*gwv1.HTTPPathMatch{
			pathMatch(gwv1.PathMatchPathPrefix, p),
			pathMatch(gwv1.PathMatchRegularExpression, segmentContinuation(p)),
		}, origin, nil
	case u.Regex != nil:
		if _, err := regexp.Compile(*u.Regex); err != nil {
			return nil, uriOrigin{}, fmt.Errorf("regex %q: %v", *u.Regex, err)
		}
		return []*gwv1.HTTPPathMatch{pathMatch(gwv1.PathMatchRegularExpression, *u.Regex)}, uriOrigin{"regex", *u.Regex}, nil
	}
	return nil, uriOrigin{}, fmt.Errorf("empty uri match")
}

// segmentContinuation is the regular expression for the paths an Istio
// prefix p matches that PathPrefix p does not: p followed by anything but "/".
func segmentContinuation(p string) string { return regexp.QuoteMeta(p) + "[^/].*" }

func prefixMatch(p string) gwv1.HTTPRouteMatch {
	return gwv1.HTTPRouteMatch{Path: pathMatch(gwv1.PathMatchPathPrefix, p)}
}

func pathMatch(t gwv1.PathMatchType, v string) *gwv1.HTTPPathMatch {
	return &gwv1.HTTPPathMatch{Type: &t, Value: &v}
}

func headerMatches(in map[string]stringMatch) ([]gwv1.HTTPHeaderMatch, error) {
	var out []gwv1.HTTPHeaderMatch
	for _, k := range slices.Sorted(maps.Keys(in)) {
		if strings.HasPrefix(k, ":") || !headerNamePattern.MatchString(k) {
			return nil, fmt.Errorf("header %q cannot be matched in Gateway API", k)
		}
		t, v, err := stringMatchValue(in[k])
		if err != nil {
			return nil, fmt.Errorf("header %s: %v", k, err)
		}
		ht := gwv1.HeaderMatchType(t)
		out = append(out, gwv1.HTTPHeaderMatch{Type: &ht, Name: gwv1.HTTPHeaderName(k), Value: v})
	}
	if len(out) > 16 {
		return nil, fmt.Errorf("%d header matches, Gateway API allows 16", len(out))
	}
	return out, nil
}

func queryMatches(in map[string]stringMatch) ([]gwv1.HTTPQueryParamMatch, error) {
	var out []gwv1.HTTPQueryParamMatch
	for _, k := range slices.Sorted(maps.Keys(in)) {
		t, v, err := stringMatchValue(in[k])
		if err != nil {
			return nil, fmt.Errorf("query parameter %s: %v", k, err)
		}
		qt := gwv1.QueryParamMatchType(t)
		out = append(out, gwv1.HTTPQueryParamMatch{Type: &qt, Name: gwv1.HTTPHeaderName(k), Value: v})
	}
	if len(out) > 16 {
		return nil, fmt.Errorf("%d query parameter matches, Gateway API allows 16", len(out))
	}
	return out, nil
}

// stringMatchValue converts an Istio StringMatch on a header or query
// parameter: exact and regex as they are, prefix as an anchored regex.
func stringMatchValue(m stringMatch) (string, string, error) {
	switch {
	case m.Exact != nil:
		return "Exact", *m.Exact, nil
	case m.Prefix != nil:
		return "RegularExpression", regexp.QuoteMeta(*m.Prefix) + ".*", nil
	case m.Regex != nil:
		if _, err := regexp.Compile(*m.Regex); err != nil {
			return "", "", fmt.Errorf("regex %q: %v", *m.Regex, err)
		}
		return "RegularExpression", *m.Regex, nil
	}
	// Istio: an empty match means "present"; Gateway API has no presence match.
	return "RegularExpression", ".*", nil
}

// rewriteGroup is a set of matches that share one URL rewrite.
type rewriteGroup struct {
	matches    []gwv1.HTTPRouteMatch
	origins    []uriOrigin
	urlRewrite *gwv1.HTTPURLRewriteFilter
	pathRegex  map[string]any
}

// rewriteGroups splits a route's matches by the rewrite each needs:
// ReplacePrefixMatch needs exactly one PathPrefix match per rule (CRD rule),
// so every prefix with a non-identity rewrite gets its own rule; exact and
// regex matches share one ReplaceFullPath rule; the segment-continuation
// regex of a prefix, and prefixes whose string rewrite ReplacePrefixMatch
// would change, get kgateway's regex path rewrite. Identity rewrites drop.
func (v *vsConverter) rewriteGroups(field string, r *httpRoute, matches []gwv1.HTTPRouteMatch, origins []uriOrigin) []*rewriteGroup {
	var host *gwv1.PreciseHostname
	var uri *string
	if rw := r.Rewrite; rw != nil {
		for _, d := range rewriteFields.unconverted(mapOf(r.raw["rewrite"])) {
			v.warn(field+".rewrite."+d.field, "%s", d.reason)
		}
		if rw.Authority != "" {
			h := gwv1.PreciseHostname(rw.Authority)
			host = &h
		}
		uri = rw.URI
	}
	withHost := func(f *gwv1.HTTPURLRewriteFilter) *gwv1.HTTPURLRewriteFilter {
		if host == nil {
			return f
		}
		if f == nil {
			f = &gwv1.HTTPURLRewriteFilter{}
		}
		f.Hostname = host
		return f
	}
	var groups []*rewriteGroup
	keyed := map[string]*rewriteGroup{}
	add := func(key string, m gwv1.HTTPRouteMatch, origin uriOrigin, mk func() *rewriteGroup) {
		g := keyed[key]
		if g == nil || key == "" {
			g = mk()
			groups = append(groups, g)
			if key != "" {
				keyed[key] = g
			}
		}
		g.matches = append(g.matches, m)
		g.origins = append(g.origins, origin)
	}
	plain := func() *rewriteGroup { return &rewriteGroup{urlRewrite: withHost(nil)} }
	if rw := r.Rewrite; rw != nil && rw.URIRegexRewrite != nil {
		// Istio and kgateway both hand the regex rewrite to Envoy's
		// regex_rewrite (RE2, \1 substitutions): the same rewrite.
		if _, err := regexp.Compile(rw.URIRegexRewrite.Match); err != nil {
			v.warn(field+".rewrite.uriRegexRewrite.match", "%v: rewrite dropped", err)
		} else {
			g := &rewriteGroup{urlRewrite: withHost(nil), pathRegex: map[string]any{"pattern": rw.URIRegexRewrite.Match, "substitution": rw.URIRegexRewrite.Rewrite}}
			g.matches, g.origins = matches, origins
			return []*rewriteGroup{g}
		}
	}
	reportedInexact := false
	for k, m := range matches {
		origin := origins[k]
		if uri == nil {
			add("plain", m, origin, plain)
			continue
		}
		R := *uri
		switch {
		case origin.kind == "prefix":
			P := origin.value
			if P == "" {
				P = "/"
			}
			if R == P {
				add("plain", m, origin, plain)
				continue
			}
			regexRewrite := func() *rewriteGroup {
				return &rewriteGroup{urlRewrite: withHost(nil), pathRegex: map[string]any{"pattern": "^" + regexp.QuoteMeta(P), "substitution": R}}
			}
			if *m.Path.Type == gwv1.PathMatchRegularExpression || !prefixRewriteExact(P, R) {
				if *m.Path.Type == gwv1.PathMatchPathPrefix && !reportedInexact {
					v.info(field+".rewrite.uri", "ReplacePrefixMatch would rewrite %s to %s differently from Istio's string replacement: converted to a kgateway regex path rewrite", P, R)
					reportedInexact = true
				}
				add("regex "+P, m, origin, regexRewrite)
				continue
			}
			add("", m, origin, func() *rewriteGroup {
				rp := kgatewayPrefixReplacement(P, R)
				return &rewriteGroup{urlRewrite: withHost(&gwv1.HTTPURLRewriteFilter{Path: &gwv1.HTTPPathModifier{
					Type: gwv1.PrefixMatchHTTPPathModifier, ReplacePrefixMatch: &rp}})}
			})
		case origin.kind == "exact" && R == origin.value:
			add("plain", m, origin, plain)
		default: // exact or regex: Istio replaces the whole path
			add("full", m, origin, func() *rewriteGroup {
				return &rewriteGroup{urlRewrite: withHost(&gwv1.HTTPURLRewriteFilter{Path: &gwv1.HTTPPathModifier{
					Type: gwv1.FullPathHTTPPathModifier, ReplaceFullPath: &R}})}
			})
		}
	}
	return groups
}

// prefixRewriteExact reports whether Gateway API's ReplacePrefixMatch R on
// PathPrefix P rewrites every path exactly as Istio's string replacement of
// prefix P by R does: when both end in "/" or neither does, or R is "/" and
// P ends in "/".
func prefixRewriteExact(p, r string) bool {
	return strings.HasSuffix(p, "/") == strings.HasSuffix(r, "/") || (r == "/" && strings.HasSuffix(p, "/"))
}

// kgatewayPrefixReplacement is the ReplacePrefixMatch value for prefix p that
// kgateway programs as Istio's replacement r (p, r both ending in "/" or
// neither). kgateway v2.4 matches a PathPrefix as Envoy's path-separated
// prefix without its trailing slash and turns a ReplacePrefixMatch other than
// "/" into a prefix_rewrite of that prefix: the separator after it stays, so
// r's own trailing slash would double it (/a/x → /b//x). Gateway API gives
// the same path with or without that slash; the root prefix keeps r whole,
// since "/" has no slash to strip.
func kgatewayPrefixReplacement(p, r string) string {
	if p == "/" || r == "/" {
		return r
	}
	return strings.TrimSuffix(r, "/")
}

func headerFilter(ops *headerOps) *gwv1.HTTPHeaderFilter {
	if ops == nil || len(ops.Set)+len(ops.Add)+len(ops.Remove) == 0 {
		return nil
	}
	f := &gwv1.HTTPHeaderFilter{Remove: ops.Remove}
	for _, k := range slices.Sorted(maps.Keys(ops.Set)) {
		f.Set = append(f.Set, gwv1.HTTPHeader{Name: gwv1.HTTPHeaderName(k), Value: ops.Set[k]})
	}
	for _, k := range slices.Sorted(maps.Keys(ops.Add)) {
		f.Add = append(f.Add, gwv1.HTTPHeader{Name: gwv1.HTTPHeaderName(k), Value: ops.Add[k]})
	}
	return f
}

func redirectFilter(r *httpRedirect) (*gwv1.HTTPRequestRedirectFilter, error) {
	f := &gwv1.HTTPRequestRedirectFilter{}
	code := 301 // Istio's default
	if r.RedirectCode != 0 {
		code = r.RedirectCode
	}
	if !redirectCodes[code] {
		return nil, fmt.Errorf("redirect code %d is not one Gateway API allows (301, 302, 303, 307, 308)", code)
	}
	f.StatusCode = &code
	if r.Scheme != "" {
		s := r.Scheme
		f.Scheme = &s
	}
	if r.Authority != "" {
		h := gwv1.PreciseHostname(r.Authority)
		f.Hostname = &h
	}
	if r.Port != 0 {
		p := gwv1.PortNumber(r.Port)
		f.Port = &p
	}
	if r.URI != "" {
		u := r.URI
		f.Path = &gwv1.HTTPPathModifier{Type: gwv1.FullPathHTTPPathModifier, ReplaceFullPath: &u}
	}
	return f, nil
}

func (v *vsConverter) mirrorFilters(i int, r *httpRoute) []gwv1.HTTPRouteFilter {
	field := httpPath(i)
	var out []gwv1.HTTPRouteFilter
	add := func(f string, d destination, raw map[string]any, p *percent) {
		ref, ok := v.serviceRef(f, d, raw)
		if !ok {
			return
		}
		m := &gwv1.HTTPRequestMirrorFilter{BackendRef: ref}
		if p != nil {
			if p.Value == math.Trunc(p.Value) {
				v := int32(p.Value)
				m.Percent = &v
			} else {
				m.Fraction = &gwv1.Fraction{Numerator: int32(math.Round(p.Value * 10000))}
				den := int32(1000000)
				m.Fraction.Denominator = &den
			}
		}
		out = append(out, gwv1.HTTPRouteFilter{Type: gwv1.HTTPRouteFilterRequestMirror, RequestMirror: m})
	}
	if r.Mirror != nil {
		add(field+".mirror", *r.Mirror, mapOf(r.raw["mirror"]), r.MirrorPercentage)
	}
	for j, m := range r.Mirrors {
		raw := mapOf(indexOf(r.raw["mirrors"], j))
		add(fmt.Sprintf("%s.mirrors[%d].destination", field, j), m.Destination, mapOf(raw["destination"]), m.Percentage)
	}
	return out
}

func (v *vsConverter) corsFilter(field string, r *httpRoute) *gwv1.HTTPCORSFilter {
	for _, d := range corsFields.unconverted(mapOf(r.raw["corsPolicy"])) {
		v.warn(field+"."+d.field, "%s", d.reason)
	}
	p := r.CorsPolicy
	f := &gwv1.HTTPCORSFilter{AllowCredentials: p.AllowCredentials}
	for _, s := range p.AllowOrigin {
		f.AllowOrigins = append(f.AllowOrigins, gwv1.CORSOrigin(s))
	}
	for j, m := range p.AllowOrigins {
		if m.Exact == nil {
			v.warn(fmt.Sprintf("%s.allowOrigins[%d]", field, j), "only exact origins can be converted: origin dropped")
			continue
		}
		f.AllowOrigins = append(f.AllowOrigins, gwv1.CORSOrigin(*m.Exact))
	}
	for _, m := range p.AllowMethods {
		f.AllowMethods = append(f.AllowMethods, gwv1.HTTPMethodWithWildcard(m))
	}
	for _, h := range p.AllowHeaders {
		f.AllowHeaders = append(f.AllowHeaders, gwv1.HTTPHeaderName(h))
	}
	for _, h := range p.ExposeHeaders {
		f.ExposeHeaders = append(f.ExposeHeaders, gwv1.HTTPHeaderName(h))
	}
	if p.MaxAge != "" {
		d, err := time.ParseDuration(p.MaxAge)
		if err != nil || d < time.Second {
			v.warn(field+".maxAge", "%q is not a duration of at least 1s: dropped", p.MaxAge)
		} else {
			f.MaxAge = int32(d / time.Second)
		}
	}
	return f
}

// retryPolicy converts Istio retries into a kgateway TrafficPolicy retry
// (HTTPRoute retry is experimental-channel only). attempts 0 disables
// retries, which is kgateway's default: nothing to emit.
func (v *vsConverter) retryPolicy(field string, r *httpRoute) map[string]any {
	for _, d := range retryFields.unconverted(mapOf(r.raw["retries"])) {
		v.warn(field+"."+d.field, "%s", d.reason)
	}
	rt := r.Retries
	if rt.Attempts != nil && *rt.Attempts == 0 {
		return nil
	}
	out := map[string]any{}
	if rt.Attempts != nil {
		out["attempts"] = int64(*rt.Attempts)
	} else {
		out["attempts"] = int64(2) // Istio's default
	}
	if rt.PerTryTimeout != "" {
		d, err := gepDuration(rt.PerTryTimeout)
		if err != nil || d == "0s" {
			v.warn(field+".perTryTimeout", "%q cannot be converted: dropped", rt.PerTryTimeout)
		} else {
			out["perTryTimeout"] = d
		}
	}
	on := rt.RetryOn
	if on == "" {
		on = istioDefaultRetryOn
	}
	var conds []any
	var codes []any
	for _, cond := range strings.Split(on, ",") {
		cond = strings.TrimSpace(cond)
		if n, err := strconv.Atoi(cond); err == nil && n >= 400 && n <= 599 {
			codes = append(codes, int64(n))
			continue
		}
		if !retryOnConditions[cond] {
			v.warn(field+".retryOn", "condition %q has no kgateway equivalent: dropped", cond)
			continue
		}
		conds = append(conds, cond)
	}
	if len(conds) > 0 {
		out["retryOn"] = conds
	}
	if len(codes) > 0 {
		out["statusCodes"] = codes
	}
	if len(conds)+len(codes) == 0 {
		return nil
	}
	return out
}

// faultPolicy converts Istio fault injection into kgateway's TrafficPolicy
// faultInjection (integer percentages).
func (v *vsConverter) faultPolicy(field string, r *httpRoute) map[string]any {
	raw := mapOf(r.raw["fault"])
	for _, d := range faultFields.unconverted(raw) {
		v.warn(field+"."+d.field, "%s", d.reason)
	}
	out := map[string]any{}
	pct := func(f string, p *percent) (int64, bool) {
		if p == nil {
			return 100, true
		}
		if p.Value != math.Trunc(p.Value) || p.Value < 0 || p.Value > 100 {
			v.warn(f+".percentage", "%v%% is not a whole percentage: dropped", p.Value)
			return 0, false
		}
		return int64(p.Value), true
	}
	if d := r.Fault.Delay; d != nil {
		for _, x := range delayFields.unconverted(mapOf(raw["delay"])) {
			v.warn(field+".delay."+x.field, "%s", x.reason)
		}
		dur, err := gepDuration(d.FixedDelay)
		p, ok := pct(field+".delay", d.Percentage)
		switch {
		case d.FixedDelay == "":
		case err != nil || dur == "0s":
			v.warn(field+".delay.fixedDelay", "%q cannot be converted: delay dropped", d.FixedDelay)
		case ok:
			out["delay"] = map[string]any{"fixedDelay": dur, "percentage": p}
		}
	}
	if a := r.Fault.Abort; a != nil {
		for _, x := range abortFields.unconverted(mapOf(raw["abort"])) {
			v.warn(field+".abort."+x.field, "%s", x.reason)
		}
		p, ok := pct(field+".abort", a.Percentage)
		switch {
		case a.HTTPStatus < 200 || a.HTTPStatus > 599:
			if a.HTTPStatus != 0 {
				v.warn(field+".abort.httpStatus", "%d is outside 200-599: abort dropped", a.HTTPStatus)
			}
		case ok:
			out["abort"] = map[string]any{"httpStatus": int64(a.HTTPStatus), "percentage": p}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// directResponse converts an Istio directResponse into the spec of a
// kgateway DirectResponse, which the rule references.
func (v *vsConverter) directResponse(field string, r *httpRoute) (map[string]any, bool) {
	for _, d := range directResponseFields.unconverted(mapOf(r.raw["directResponse"])) {
		v.warn(field+"."+d.field, "%s", d.reason)
	}
	d := r.DirectResponse
	if d.Status < 200 || d.Status > 599 {
		v.warn(field+".status", "status %d is outside the 200-599 kgateway accepts: route dropped", d.Status)
		return nil, false
	}
	spec := map[string]any{"status": int64(d.Status)}
	if b := d.Body; b != nil {
		switch {
		case b.String != nil:
			spec["body"] = *b.String
		case b.Bytes != nil:
			spec["body"] = string(b.Bytes)
		}
	}
	return spec, true
}

// serviceRef resolves a destination to a Service backend reference. The
// port is required in Gateway API; when the destination has none, the
// Service's only port (from the bundle) is used, as Istio does.
func (v *vsConverter) serviceRef(field string, d destination, raw map[string]any) (gwv1.BackendObjectReference, bool) {
	o := v.obj
	for _, x := range destinationFields.unconverted(raw) {
		v.warn(field+"."+x.field, "%s", x.reason)
	}
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
	p := gwv1.PortNumber(port)
	ref := gwv1.BackendObjectReference{Name: gwv1.ObjectName(name), Port: &p}
	if ns != o.GetNamespace() {
		n := gwv1.Namespace(ns)
		ref.Namespace = &n
		v.grants.add(ns, "HTTPRoute", o.GetNamespace(), name)
	}
	return ref, true
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

func itoa(i int) string { return strconv.Itoa(i) }

func mapOf(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func indexOf(v any, i int) any {
	l, _ := v.([]any)
	if i < len(l) {
		return l[i]
	}
	return nil
}
