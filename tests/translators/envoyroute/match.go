package envoyroute

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	matcherv3 "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
)

// routeMatches reports whether m holds for req: its path specifier, every
// header matcher and every query parameter matcher.
func routeMatches(m *routev3.RouteMatch, req Request) (bool, error) {
	if m.GetRuntimeFraction() != nil || m.GetGrpc() != nil || m.GetTlsContext() != nil ||
		len(m.GetDynamicMetadata()) > 0 || len(m.GetFilterState()) > 0 {
		return false, fmt.Errorf("route match uses a field this evaluator does not model: %v", m)
	}
	ok, err := pathMatches(m, req.Path)
	if err != nil || !ok {
		return false, err
	}
	for _, h := range m.GetHeaders() {
		if ok, err := headerMatches(h, req); err != nil || !ok {
			return false, err
		}
	}
	for _, q := range m.GetQueryParameters() {
		if ok, err := queryMatches(q, req.Path); err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

// pathMatches is Envoy's path specifier: prefix against the whole :path
// (query included), path and path_separated_prefix and safe_regex against
// the path without its query string.
func pathMatches(m *routev3.RouteMatch, fullPath string) (bool, error) {
	caseSensitive := m.GetCaseSensitive() == nil || m.GetCaseSensitive().GetValue()
	fold := func(s string) string {
		if caseSensitive {
			return s
		}
		return strings.ToLower(s)
	}
	path := pathOnly(fullPath)
	switch p := m.GetPathSpecifier().(type) {
	case *routev3.RouteMatch_Prefix:
		return strings.HasPrefix(fold(fullPath), fold(p.Prefix)), nil
	case *routev3.RouteMatch_Path:
		return fold(path) == fold(p.Path), nil
	case *routev3.RouteMatch_PathSeparatedPrefix:
		pre := fold(p.PathSeparatedPrefix)
		return fold(path) == pre || strings.HasPrefix(fold(path), pre+"/"), nil
	case *routev3.RouteMatch_SafeRegex:
		re, err := fullRegex(p.SafeRegex.GetRegex())
		if err != nil {
			return false, err
		}
		return re.MatchString(path), nil
	case nil:
		return false, fmt.Errorf("route match without a path specifier")
	default:
		return false, fmt.Errorf("path specifier %T is not modelled", p)
	}
}

// pathOnly is the path without its query string.
func pathOnly(p string) string {
	if i := strings.IndexByte(p, '?'); i >= 0 {
		return p[:i]
	}
	return p
}

// headerValue is the request's value of header name (pseudo-headers
// included) and whether it is present.
func headerValue(req Request, name string) (string, bool) {
	switch name {
	case ":path":
		return req.Path, true
	case ":method":
		return req.Method, true
	case ":authority", "host":
		return req.Host, true
	case ":scheme":
		return "http", true
	}
	v, ok := req.Headers[strings.ToLower(name)]
	return v, ok
}

func headerMatches(h *routev3.HeaderMatcher, req Request) (bool, error) {
	v, present := headerValue(req, h.GetName())
	if !present && h.GetTreatMissingHeaderAsEmpty() {
		v, present = "", true
	}
	var ok bool
	switch s := h.GetHeaderMatchSpecifier().(type) {
	case nil:
		ok = present // no specifier: presence
	case *routev3.HeaderMatcher_PresentMatch:
		ok = present == s.PresentMatch
	case *routev3.HeaderMatcher_StringMatch:
		if present {
			m, err := stringMatches(s.StringMatch, v)
			if err != nil {
				return false, fmt.Errorf("header %s: %w", h.GetName(), err)
			}
			ok = m
		}
	case *routev3.HeaderMatcher_ExactMatch:
		ok = present && v == s.ExactMatch
	case *routev3.HeaderMatcher_PrefixMatch:
		ok = present && strings.HasPrefix(v, s.PrefixMatch)
	case *routev3.HeaderMatcher_SuffixMatch:
		ok = present && strings.HasSuffix(v, s.SuffixMatch)
	case *routev3.HeaderMatcher_ContainsMatch:
		ok = present && strings.Contains(v, s.ContainsMatch)
	case *routev3.HeaderMatcher_SafeRegexMatch:
		re, err := fullRegex(s.SafeRegexMatch.GetRegex())
		if err != nil {
			return false, err
		}
		ok = present && re.MatchString(v)
	case *routev3.HeaderMatcher_RangeMatch:
		n, err := strconv.ParseInt(v, 10, 64)
		ok = present && err == nil && n >= s.RangeMatch.GetStart() && n < s.RangeMatch.GetEnd()
	default:
		return false, fmt.Errorf("header %s: matcher %T is not modelled", h.GetName(), s)
	}
	if !present {
		// Envoy: a missing header never matches, inverted or not, except a
		// presence match (present_match: false, or inverted).
		if _, isPresence := h.GetHeaderMatchSpecifier().(*routev3.HeaderMatcher_PresentMatch); !isPresence {
			return false, nil
		}
	}
	return ok != h.GetInvertMatch(), nil
}

// queryMatches is a query parameter matcher over the :path's query string
// (the first value of a repeated parameter, as Envoy takes it).
func queryMatches(q *routev3.QueryParameterMatcher, fullPath string) (bool, error) {
	var values url.Values
	if i := strings.IndexByte(fullPath, '?'); i >= 0 {
		var err error
		if values, err = url.ParseQuery(fullPath[i+1:]); err != nil {
			return false, fmt.Errorf("query of %q: %w", fullPath, err)
		}
	}
	vs, present := values[q.GetName()]
	switch s := q.GetQueryParameterMatchSpecifier().(type) {
	case *routev3.QueryParameterMatcher_PresentMatch:
		return present == s.PresentMatch, nil
	case *routev3.QueryParameterMatcher_StringMatch:
		if !present {
			return false, nil
		}
		return stringMatches(s.StringMatch, vs[0])
	case nil:
		return present, nil
	default:
		return false, fmt.Errorf("query parameter %s: matcher %T is not modelled", q.GetName(), s)
	}
}

// stringMatches is Envoy's StringMatcher.
func stringMatches(m *matcherv3.StringMatcher, v string) (bool, error) {
	if m.GetIgnoreCase() {
		v = strings.ToLower(v)
	}
	lower := func(s string) string {
		if m.GetIgnoreCase() {
			return strings.ToLower(s)
		}
		return s
	}
	switch p := m.GetMatchPattern().(type) {
	case *matcherv3.StringMatcher_Exact:
		return v == lower(p.Exact), nil
	case *matcherv3.StringMatcher_Prefix:
		return strings.HasPrefix(v, lower(p.Prefix)), nil
	case *matcherv3.StringMatcher_Suffix:
		return strings.HasSuffix(v, lower(p.Suffix)), nil
	case *matcherv3.StringMatcher_Contains:
		return strings.Contains(v, lower(p.Contains)), nil
	case *matcherv3.StringMatcher_SafeRegex:
		re, err := fullRegex(p.SafeRegex.GetRegex())
		if err != nil {
			return false, err
		}
		return re.MatchString(v), nil
	default:
		return false, fmt.Errorf("string matcher %T is not modelled", p)
	}
}

// fullRegex compiles an RE2 pattern that must match a whole value, as
// Envoy's safe_regex matchers do.
func fullRegex(pattern string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(`^(?:` + pattern + `)$`)
	if err != nil {
		return nil, fmt.Errorf("regex %q: %w", pattern, err)
	}
	return re, nil
}
