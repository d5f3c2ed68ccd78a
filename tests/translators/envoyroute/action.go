package envoyroute

import (
	"fmt"
	"regexp"
	"strings"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	matcherv3 "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
)

// applyAction fills out from route r's action.
func applyAction(out *Outcome, rc *routev3.RouteConfiguration, vh *routev3.VirtualHost, r *routev3.Route, req Request) error {
	switch a := r.GetAction().(type) {
	case *routev3.Route_Route:
		return applyRoute(out, rc, vh, r, a.Route, req)
	case *routev3.Route_Redirect:
		red, err := redirect(a.Redirect, r.GetMatch(), req)
		out.Redirect = red
		return err
	case *routev3.Route_DirectResponse:
		out.Direct = a.DirectResponse.GetStatus()
		return nil
	default:
		return fmt.Errorf("route action %T is not modelled", a)
	}
}

func applyRoute(out *Outcome, rc *routev3.RouteConfiguration, vh *routev3.VirtualHost, r *routev3.Route, a *routev3.RouteAction, req Request) error {
	switch c := a.GetClusterSpecifier().(type) {
	case *routev3.RouteAction_Cluster:
		out.Clusters = []WeightedCluster{{Name: c.Cluster, Weight: 1}}
	case *routev3.RouteAction_WeightedClusters:
		for _, wc := range c.WeightedClusters.GetClusters() {
			if len(wc.GetRequestHeadersToAdd())+len(wc.GetRequestHeadersToRemove()) > 0 || wc.GetHostRewriteSpecifier() != nil {
				return fmt.Errorf("weighted cluster %s mutates the request: not modelled", wc.GetName())
			}
			out.Clusters = append(out.Clusters, WeightedCluster{Name: wc.GetName(), Weight: wc.GetWeight().GetValue()})
		}
	default:
		return fmt.Errorf("cluster specifier %T is not modelled", c)
	}
	if a.GetPathRewritePolicy() != nil || a.GetHostRewriteSpecifier() != nil && a.GetHostRewriteLiteral() == "" && !a.GetAutoHostRewrite().GetValue() {
		return fmt.Errorf("path rewrite policy or host rewrite header/regex: not modelled")
	}
	path, err := rewritePath(a.GetPrefixRewrite(), a.GetRegexRewrite(), r.GetMatch(), req.Path)
	if err != nil {
		return err
	}
	out.Path = path
	out.Host = req.Host
	if h := a.GetHostRewriteLiteral(); h != "" {
		out.Host = h
	}
	out.Timeout = DefaultTimeout
	if a.GetTimeout() != nil {
		out.Timeout = a.GetTimeout().AsDuration()
	}
	out.Headers, err = mutateHeaders(req.Headers, headerLevels(rc, vh, r))
	return err
}

// rewritePath applies prefix_rewrite (replacing what the path specifier
// matched: the prefix, or the whole path for path and safe_regex matches)
// or regex_rewrite (over the path without its query) to fullPath.
func rewritePath(prefix string, re *matcherv3.RegexMatchAndSubstitute, m *routev3.RouteMatch, fullPath string) (string, error) {
	if prefix != "" && re != nil {
		return "", fmt.Errorf("both prefix_rewrite and regex_rewrite set")
	}
	path, query := pathOnly(fullPath), fullPath[len(pathOnly(fullPath)):]
	if re != nil {
		out, err := regexSubstitute(re, path)
		return out + query, err
	}
	if prefix == "" {
		return fullPath, nil
	}
	switch p := m.GetPathSpecifier().(type) {
	case *routev3.RouteMatch_Prefix:
		return prefix + fullPath[len(p.Prefix):], nil
	case *routev3.RouteMatch_PathSeparatedPrefix:
		return prefix + fullPath[len(p.PathSeparatedPrefix):], nil
	default: // path, safe_regex: the whole path is what matched
		return prefix + query, nil
	}
}

// regexSubstitute is RE2's GlobalReplace with Envoy's substitution syntax
// (\1 for a capture group, \0 for the whole match, \\ for a backslash).
func regexSubstitute(rs *matcherv3.RegexMatchAndSubstitute, s string) (string, error) {
	re, err := regexp.Compile(rs.GetPattern().GetRegex())
	if err != nil {
		return "", fmt.Errorf("regex_rewrite %q: %w", rs.GetPattern().GetRegex(), err)
	}
	return re.ReplaceAllString(s, goTemplate(rs.GetSubstitution())), nil
}

// goTemplate turns an RE2 rewrite string into Go's Expand template.
func goTemplate(sub string) string {
	var b strings.Builder
	for i := 0; i < len(sub); i++ {
		switch c := sub[i]; {
		case c == '$':
			b.WriteString("$$")
		case c == '\\' && i+1 < len(sub) && sub[i+1] >= '0' && sub[i+1] <= '9':
			b.WriteString("${" + string(sub[i+1]) + "}")
			i++
		case c == '\\' && i+1 < len(sub) && sub[i+1] == '\\':
			b.WriteByte('\\')
			i++
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// headerLevel is one level's request header mutation.
type headerLevel struct {
	add    []*corev3.HeaderValueOption
	remove []string
}

// headerLevels are the levels in the order Envoy applies them: route, then
// virtual host, then route configuration, or the reverse when the route
// configuration says the most specific mutation wins.
func headerLevels(rc *routev3.RouteConfiguration, vh *routev3.VirtualHost, r *routev3.Route) []headerLevel {
	levels := []headerLevel{
		{r.GetRequestHeadersToAdd(), r.GetRequestHeadersToRemove()},
		{vh.GetRequestHeadersToAdd(), vh.GetRequestHeadersToRemove()},
		{rc.GetRequestHeadersToAdd(), rc.GetRequestHeadersToRemove()},
	}
	if rc.GetMostSpecificHeaderMutationsWins() {
		levels[0], levels[2] = levels[2], levels[0]
	}
	return levels
}

// mutateHeaders applies the levels to a copy of in: each level removes,
// then adds by its append action.
func mutateHeaders(in map[string]string, levels []headerLevel) (map[string]string, error) {
	out := map[string]string{}
	for k, v := range in {
		out[strings.ToLower(k)] = v
	}
	for _, l := range levels {
		for _, name := range l.remove {
			delete(out, strings.ToLower(name))
		}
		for _, o := range l.add {
			if err := addHeader(out, o); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func addHeader(h map[string]string, o *corev3.HeaderValueOption) error {
	k, v := strings.ToLower(o.GetHeader().GetKey()), o.GetHeader().GetValue()
	if strings.Contains(v, "%") {
		return fmt.Errorf("header %s: value %q uses a substitution: not modelled", k, v)
	}
	if v == "" && !o.GetKeepEmptyValue() {
		return nil
	}
	action := o.GetAppendAction()
	if o.GetAppend() != nil { // the deprecated flag overrides the action
		action = corev3.HeaderValueOption_OVERWRITE_IF_EXISTS_OR_ADD
		if o.GetAppend().GetValue() {
			action = corev3.HeaderValueOption_APPEND_IF_EXISTS_OR_ADD
		}
	}
	old, exists := h[k]
	switch action {
	case corev3.HeaderValueOption_APPEND_IF_EXISTS_OR_ADD:
		if exists {
			v = old + "," + v
		}
	case corev3.HeaderValueOption_ADD_IF_ABSENT:
		if exists {
			return nil
		}
	case corev3.HeaderValueOption_OVERWRITE_IF_EXISTS:
		if !exists {
			return nil
		}
	}
	h[k] = v
	return nil
}

// redirect is the redirect a RedirectAction answers req with.
func redirect(a *routev3.RedirectAction, m *routev3.RouteMatch, req Request) (*Redirect, error) {
	codes := map[routev3.RedirectAction_RedirectResponseCode]uint32{
		routev3.RedirectAction_MOVED_PERMANENTLY: 301, routev3.RedirectAction_FOUND: 302,
		routev3.RedirectAction_SEE_OTHER: 303, routev3.RedirectAction_TEMPORARY_REDIRECT: 307,
		routev3.RedirectAction_PERMANENT_REDIRECT: 308,
	}
	out := &Redirect{Code: codes[a.GetResponseCode()], Scheme: "http", Host: req.Host, Port: a.GetPortRedirect(), StripQuery: a.GetStripQuery()}
	if a.GetHttpsRedirect() {
		out.Scheme = "https"
	}
	if s := a.GetSchemeRedirect(); s != "" {
		out.Scheme = s
	}
	if h := a.GetHostRedirect(); h != "" {
		out.Host = h
	}
	path := req.Path
	switch p := a.GetPathRewriteSpecifier().(type) {
	case *routev3.RedirectAction_PathRedirect:
		path = p.PathRedirect
		if !strings.Contains(path, "?") { // Envoy keeps the request's query
			path += req.Path[len(pathOnly(req.Path)):]
		}
	case *routev3.RedirectAction_PrefixRewrite:
		var err error
		if path, err = rewritePath(p.PrefixRewrite, nil, m, req.Path); err != nil {
			return nil, err
		}
	case *routev3.RedirectAction_RegexRewrite:
		var err error
		if path, err = rewritePath("", p.RegexRewrite, m, req.Path); err != nil {
			return nil, err
		}
	}
	if out.StripQuery {
		path = pathOnly(path)
	}
	out.Path = path
	return out, nil
}
