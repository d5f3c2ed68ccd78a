package kgatewayroute

import (
	"regexp"
	"strings"

	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// Gateway API orders matches by specificity, a VirtualService by position.
// These functions implement the HTTPRoute precedence (the spec's order for
// Exact, PathPrefix, method, headers and query parameters; for
// RegularExpression, whose rank the spec leaves to the implementation,
// kgateway v2.4.0's: Exact > RegularExpression > PathPrefix, see
// pkg/kgateway/translator/routeutils/sortable_route.go) so that the function
// can report where the two orders disagree. The acceptance test uses them
// too.

// ComparePrecedence returns >0 when match a wins over match b under
// Gateway API (kgateway) precedence, <0 when b wins, 0 on a tie (then the
// route's age, name and rule order decide).
func ComparePrecedence(a, b gwv1.HTTPRouteMatch) int {
	ra, rb := pathRank(a.Path), pathRank(b.Path)
	if ra != rb {
		return ra - rb
	}
	if ra == rankPrefix {
		if la, lb := len(pathValue(a.Path)), len(pathValue(b.Path)); la != lb {
			return la - lb
		}
	}
	if (a.Method == nil) != (b.Method == nil) {
		if a.Method != nil {
			return 1
		}
		return -1
	}
	if len(a.Headers) != len(b.Headers) {
		return len(a.Headers) - len(b.Headers)
	}
	return len(a.QueryParams) - len(b.QueryParams)
}

const (
	rankPrefix = iota
	rankRegex
	rankExact
)

func pathRank(p *gwv1.HTTPPathMatch) int {
	switch pathType(p) {
	case gwv1.PathMatchExact:
		return rankExact
	case gwv1.PathMatchRegularExpression:
		return rankRegex
	}
	return rankPrefix
}

func pathType(p *gwv1.HTTPPathMatch) gwv1.PathMatchType {
	if p == nil || p.Type == nil {
		return gwv1.PathMatchPathPrefix
	}
	return *p.Type
}

func pathValue(p *gwv1.HTTPPathMatch) string {
	if p == nil || p.Value == nil {
		return "/"
	}
	return *p.Value
}

// PathMatches reports whether a request path matches a Gateway API path
// match: PathPrefix by whole segments (a trailing "/" ignored), Exact as is,
// RegularExpression as a full match (RE2, as Envoy does).
func PathMatches(p *gwv1.HTTPPathMatch, path string) bool {
	v := pathValue(p)
	switch pathType(p) {
	case gwv1.PathMatchExact:
		return path == v
	case gwv1.PathMatchRegularExpression:
		re, err := regexp.Compile("^(?:" + v + ")$")
		return err == nil && re.MatchString(path)
	}
	v = strings.TrimSuffix(v, "/")
	return v == "" || path == v || strings.HasPrefix(path, v+"/")
}

// mayOverlap reports whether some request could match both a and b. It is
// conservative for regular expressions it cannot decide on sample paths.
func mayOverlap(a, b gwv1.HTTPRouteMatch) bool {
	if a.Method != nil && b.Method != nil && *a.Method != *b.Method {
		return false
	}
	for _, ha := range a.Headers {
		for _, hb := range b.Headers {
			if strings.EqualFold(string(ha.Name), string(hb.Name)) && isExact(ha.Type) && isExact(hb.Type) && ha.Value != hb.Value {
				return false
			}
		}
	}
	for _, qa := range a.QueryParams {
		for _, qb := range b.QueryParams {
			if qa.Name == qb.Name && (qa.Type == nil || *qa.Type == gwv1.QueryParamMatchExact) &&
				(qb.Type == nil || *qb.Type == gwv1.QueryParamMatchExact) && qa.Value != qb.Value {
				return false
			}
		}
	}
	for _, s := range append(samplePaths(a.Path), samplePaths(b.Path)...) {
		if PathMatches(a.Path, s) && PathMatches(b.Path, s) {
			return true
		}
	}
	return false
}

func isExact(t *gwv1.HeaderMatchType) bool { return t == nil || *t == gwv1.HeaderMatchExact }

// samplePaths are paths a match matches, to probe overlaps with.
func samplePaths(p *gwv1.HTTPPathMatch) []string {
	v := pathValue(p)
	switch pathType(p) {
	case gwv1.PathMatchExact:
		return []string{v}
	case gwv1.PathMatchRegularExpression:
		re, err := regexp.Compile(v)
		if err != nil {
			return nil
		}
		lit, _ := re.LiteralPrefix()
		return []string{lit, lit + "x", lit + "/x", lit + "x/y"}
	}
	t := strings.TrimSuffix(v, "/")
	return []string{t + "/", t + "/x", t + "/x/y"}
}
