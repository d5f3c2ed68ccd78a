package kgatewayroute

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

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
		if v.warnUnconverted(field, matchFields, raw, ": match dropped") {
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
	return stringMatches(in, "header", func(k string) error {
		if strings.HasPrefix(k, ":") || !headerNamePattern.MatchString(k) {
			return fmt.Errorf("header %q cannot be matched in Gateway API", k)
		}
		return nil
	}, func(name, typ, value string) gwv1.HTTPHeaderMatch {
		t := gwv1.HeaderMatchType(typ)
		return gwv1.HTTPHeaderMatch{Type: &t, Name: gwv1.HTTPHeaderName(name), Value: value}
	})
}

func queryMatches(in map[string]stringMatch) ([]gwv1.HTTPQueryParamMatch, error) {
	return stringMatches(in, "query parameter", nil, func(name, typ, value string) gwv1.HTTPQueryParamMatch {
		t := gwv1.QueryParamMatchType(typ)
		return gwv1.HTTPQueryParamMatch{Type: &t, Name: gwv1.HTTPHeaderName(name), Value: value}
	})
}

// stringMatches converts Istio string matches on named values (headers,
// query parameters) in name order; check, when set, refuses a name first.
// Gateway API allows 16 per match.
func stringMatches[M any](in map[string]stringMatch, what string, check func(string) error, mk func(name, typ, value string) M) ([]M, error) {
	var out []M
	for _, k := range slices.Sorted(maps.Keys(in)) {
		if check != nil {
			if err := check(k); err != nil {
				return nil, err
			}
		}
		t, val, err := stringMatchValue(in[k])
		if err != nil {
			return nil, fmt.Errorf("%s %s: %v", what, k, err)
		}
		out = append(out, mk(k, t, val))
	}
	if len(out) > 16 {
		return nil, fmt.Errorf("%d %s matches, Gateway API allows 16", len(out), what)
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
