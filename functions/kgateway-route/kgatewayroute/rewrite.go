package kgatewayroute

import (
	"regexp"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

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
	g := &rewriteGrouper{v: v, field: field, keyed: map[string]*rewriteGroup{}}
	var uri *string
	if rw := r.Rewrite; rw != nil {
		v.warnUnconverted(field+".rewrite", rewriteFields, kit.MapOf(r.raw["rewrite"]), "")
		if rw.Authority != "" {
			h := gwv1.PreciseHostname(rw.Authority)
			g.host = &h
		}
		uri = rw.URI
		if rw.URIRegexRewrite != nil {
			if rg := g.regexRewrite(rw, matches, origins); rg != nil {
				return []*rewriteGroup{rg}
			}
		}
	}
	for k, m := range matches {
		if uri == nil {
			g.add("plain", m, origins[k], g.plain)
			continue
		}
		g.addRewritten(m, origins[k], *uri)
	}
	return g.groups
}

// rewriteGrouper collects the matches of one route into rewrite groups.
type rewriteGrouper struct {
	v      *vsConverter
	field  string
	host   *gwv1.PreciseHostname // the rewrite's authority; nil: none
	groups []*rewriteGroup
	keyed  map[string]*rewriteGroup
	// reportedInexact is set once the inexact prefix rewrite is reported.
	reportedInexact bool
}

// add puts a match into the group of key, made by mk when there is none
// yet; key "" always makes a group of its own.
func (g *rewriteGrouper) add(key string, m gwv1.HTTPRouteMatch, origin uriOrigin, mk func() *rewriteGroup) {
	rg := g.keyed[key]
	if rg == nil || key == "" {
		rg = mk()
		g.groups = append(g.groups, rg)
		if key != "" {
			g.keyed[key] = rg
		}
	}
	rg.matches = append(rg.matches, m)
	rg.origins = append(rg.origins, origin)
}

// withHost adds the rewrite's authority to a URL rewrite filter.
func (g *rewriteGrouper) withHost(f *gwv1.HTTPURLRewriteFilter) *gwv1.HTTPURLRewriteFilter {
	if g.host == nil {
		return f
	}
	if f == nil {
		f = &gwv1.HTTPURLRewriteFilter{}
	}
	f.Hostname = g.host
	return f
}

// plain is a group without a path rewrite.
func (g *rewriteGrouper) plain() *rewriteGroup { return &rewriteGroup{urlRewrite: g.withHost(nil)} }

// regexRewrite is the one group of a uriRegexRewrite; nil when its regex is
// invalid (then the rewrite is dropped, reported). Istio and kgateway both
// hand the regex rewrite to Envoy's regex_rewrite (RE2, \1 substitutions):
// the same rewrite.
func (g *rewriteGrouper) regexRewrite(rw *httpRewrite, matches []gwv1.HTTPRouteMatch, origins []uriOrigin) *rewriteGroup {
	if _, err := regexp.Compile(rw.URIRegexRewrite.Match); err != nil {
		g.v.warn(g.field+".rewrite.uriRegexRewrite.match", "%v: rewrite dropped", err)
		return nil
	}
	rg := &rewriteGroup{urlRewrite: g.withHost(nil), pathRegex: map[string]any{"pattern": rw.URIRegexRewrite.Match, "substitution": rw.URIRegexRewrite.Rewrite}}
	rg.matches, rg.origins = matches, origins
	return rg
}

// addRewritten puts a match into the group for Istio's rewrite of its path
// to R.
func (g *rewriteGrouper) addRewritten(m gwv1.HTTPRouteMatch, origin uriOrigin, R string) {
	switch {
	case origin.kind == "prefix":
		g.addPrefixRewritten(m, origin, R)
	case origin.kind == "exact" && R == origin.value:
		g.add("plain", m, origin, g.plain)
	default: // exact or regex: Istio replaces the whole path
		g.add("full", m, origin, func() *rewriteGroup {
			return &rewriteGroup{urlRewrite: g.withHost(&gwv1.HTTPURLRewriteFilter{Path: &gwv1.HTTPPathModifier{
				Type: gwv1.FullPathHTTPPathModifier, ReplaceFullPath: &R}})}
		})
	}
}

// addPrefixRewritten puts a match of prefix origin into the group for
// Istio's replacement of the prefix by R: none when R is the prefix,
// ReplacePrefixMatch when it rewrites exactly as Istio, else a regex rewrite.
func (g *rewriteGrouper) addPrefixRewritten(m gwv1.HTTPRouteMatch, origin uriOrigin, R string) {
	P := origin.value
	if P == "" {
		P = "/"
	}
	if R == P {
		g.add("plain", m, origin, g.plain)
		return
	}
	if *m.Path.Type == gwv1.PathMatchRegularExpression || !prefixRewriteExact(P, R) {
		if *m.Path.Type == gwv1.PathMatchPathPrefix && !g.reportedInexact {
			g.v.info(g.field+".rewrite.uri", "ReplacePrefixMatch would rewrite %s to %s differently from Istio's string replacement: converted to a kgateway regex path rewrite", P, R)
			g.reportedInexact = true
		}
		g.add("regex "+P, m, origin, func() *rewriteGroup {
			return &rewriteGroup{urlRewrite: g.withHost(nil), pathRegex: map[string]any{"pattern": "^" + regexp.QuoteMeta(P), "substitution": R}}
		})
		return
	}
	g.add("", m, origin, func() *rewriteGroup {
		rp := kgatewayPrefixReplacement(P, R)
		return &rewriteGroup{urlRewrite: g.withHost(&gwv1.HTTPURLRewriteFilter{Path: &gwv1.HTTPPathModifier{
			Type: gwv1.PrefixMatchHTTPPathModifier, ReplacePrefixMatch: &rp}})}
	})
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
