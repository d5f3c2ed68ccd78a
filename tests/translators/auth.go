package translators

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/kfgitops/kfgitops/tests/translators/envoyroute"
	"github.com/kfgitops/kfgitops/tests/translators/probes"
)

const (
	extAuthzType = "type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz"
	jwtType      = "type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication"
	hcmName      = "envoy.filters.network.http_connection_manager"
)

// httpFilter is one HTTP filter of a listener's connection manager.
type httpFilter struct {
	Name        string         `json:"name"`
	Disabled    bool           `json:"disabled"`
	TypedConfig map[string]any `json:"typedConfig"`
}

// connectionManager is the part of an HttpConnectionManager the checks read.
type connectionManager struct {
	HTTPFilters   []httpFilter `json:"httpFilters"`
	EarlyMutation []struct {
		TypedConfig struct {
			Mutations []struct {
				Remove string `json:"remove"`
			} `json:"mutations"`
		} `json:"typedConfig"`
	} `json:"earlyHeaderMutationExtensions"`
	RDS struct {
		RouteConfigName string `json:"routeConfigName"`
	} `json:"rds"`
}

// connectionManagerOf decodes the connection manager of the listener's
// first filter chain that has one.
func connectionManagerOf(l *listenerv3.Listener) (*connectionManager, error) {
	b, err := protojson.Marshal(l)
	if err != nil {
		return nil, err
	}
	var dec struct {
		FilterChains []struct {
			Filters []struct {
				Name        string          `json:"name"`
				TypedConfig json.RawMessage `json:"typedConfig"`
			} `json:"filters"`
		} `json:"filterChains"`
	}
	if err := json.Unmarshal(b, &dec); err != nil {
		return nil, err
	}
	for _, fc := range dec.FilterChains {
		for _, f := range fc.Filters {
			if f.Name == hcmName {
				hcm := &connectionManager{}
				return hcm, json.Unmarshal(f.TypedConfig, hcm)
			}
		}
	}
	return nil, fmt.Errorf("listener %s has no HTTP connection manager", l.GetName())
}

// authCheck is what the listener's filter chain does for authentication.
type authCheck struct {
	problems              []string
	extAuthzTo, jwksFrom  string // the Services ext_authz and the JWT key fetch reach
	exemptChecked, authed int
	strict                bool // a JWT is required (Istio: a DENY policy on requests without a principal)
}

// authFilter is where an auth filter sits in the chain and what it wraps.
type authFilter struct {
	index  int
	config map[string]any // the ExtAuthz or JwtAuthentication config
}

// findAuthFilter is the first HTTP filter whose config is of type typ,
// directly or as the filter an ExtensionWithMatcher runs (-1: none).
func findAuthFilter(hcm *connectionManager, typ string) authFilter {
	for i, f := range hcm.HTTPFilters {
		if f.TypedConfig["@type"] == typ {
			return authFilter{i, f.TypedConfig}
		}
		if c := wrappedFilter(f.TypedConfig); c["@type"] == typ {
			return authFilter{i, c}
		}
	}
	return authFilter{index: -1}
}

// wrappedFilter is the filter config an ExtensionWithMatcher's single
// matcher runs (kgateway wraps the JWT filter so that metadata can skip it).
func wrappedFilter(c map[string]any) map[string]any {
	for _, m := range list(mapOf(mapOf(c["xdsMatcher"])["matcherList"])["matchers"]) {
		action := mapOf(mapOf(mapOf(m)["onMatch"])["action"])["typedConfig"]
		return mapOf(mapOf(mapOf(action)["typedConfig"])["typedConfig"])
	}
	return nil
}

// checkAuth checks the listener's auth filters: the identity headers are
// stripped before any filter runs, ext_authz runs before the JWT check,
// both reach a backend, the exempt paths have both off and every other
// probe has both on, with a JWT requirement that rejects missing tokens.
func checkAuth(hcm *connectionManager, rc *routev3.RouteConfiguration, strip, exempt []string, strict bool, ps []probes.Probe) authCheck {
	c := authCheck{strict: strict}
	removed := map[string]bool{}
	for _, m := range hcm.EarlyMutation {
		for _, mu := range m.TypedConfig.Mutations {
			removed[strings.ToLower(mu.Remove)] = true
		}
	}
	for _, h := range strip {
		if !removed[h] {
			c.problems = append(c.problems, fmt.Sprintf("identity header %s is not removed before the HTTP filters run (early header mutation)", h))
		}
	}
	ext, jwt := findAuthFilter(hcm, extAuthzType), findAuthFilter(hcm, jwtType)
	if ext.index < 0 || jwt.index < 0 {
		c.problems = append(c.problems, fmt.Sprintf("listener filters %v: want ext_authz and jwt_authn", filterNames(hcm)))
		return c
	}
	if ext.index > jwt.index {
		c.problems = append(c.problems, fmt.Sprintf("jwt_authn runs before ext_authz (%v): the session cookie is not yet a bearer token when the JWT is checked", filterNames(hcm)))
	}
	c.extAuthzTo = service(firstString(ext.config, "cluster", "clusterName"))
	c.jwksFrom = service(firstString(jwt.config, "cluster"))
	for _, path := range exempt {
		c.exemptChecked++
		c.checkRoute(rc, hcm, ext, jwt, envoyroute.Request{Host: probes.AnyHost, Path: path}, false)
	}
	for _, p := range ps {
		if !isExempt(p.Request.Path, exempt) {
			c.authed++
			c.checkRoute(rc, hcm, ext, jwt, p.Request, true)
		}
	}
	return c
}

// checkRoute checks that both auth filters run (or both do not) for req.
func (c *authCheck) checkRoute(rc *routev3.RouteConfiguration, hcm *connectionManager, ext, jwt authFilter, req envoyroute.Request, want bool) {
	o, err := envoyroute.Evaluate(rc, req)
	if err != nil {
		c.problems = append(c.problems, err.Error())
		return
	}
	if o.Route == nil || o.Redirect != nil || o.Direct != 0 {
		return // answered by the gateway itself: nothing upstream to protect
	}
	metadata := map[string]bool{} // "namespace/key" set true by a set_metadata filter that ran
	runs := make([]bool, len(hcm.HTTPFilters))
	for i, f := range hcm.HTTPFilters {
		runs[i] = filterEnabled(o, f)
		if runs[i] && strings.HasSuffix(fmt.Sprint(f.TypedConfig["@type"]), "set_metadata.v3.Config") {
			for _, m := range list(f.TypedConfig["metadata"]) {
				for k, v := range mapOf(mapOf(m)["value"]) {
					metadata[fmt.Sprint(mapOf(m)["metadataNamespace"])+"/"+k] = v == true
				}
			}
		}
	}
	extRuns := runs[ext.index] && !skippedByMetadata(mapOf(ext.config["filterEnabledMetadata"]), metadata)
	jwtRuns := runs[jwt.index] && !skippedByMatcher(hcm.HTTPFilters[jwt.index].TypedConfig, metadata)
	for name, on := range map[string]bool{"ext_authz": extRuns, "jwt_authn": jwtRuns} {
		if on != want {
			c.problems = append(c.problems, fmt.Sprintf("%s %s (route %s): %s runs=%v, want %v", req.Host, req.Path, o.Route.GetName(), name, on, want))
		}
	}
	if want && jwtRuns && c.strict {
		if p := strictRequirement(o, hcm.HTTPFilters[jwt.index].Name, jwt.config); p != "" {
			c.problems = append(c.problems, fmt.Sprintf("%s %s: %s", req.Host, req.Path, p))
		}
	}
}

// filterEnabled is Envoy's rule: the most specific per-route config of the
// filter decides (FilterConfig's disabled flag; any other config enables
// it); without one, the filter's own disabled flag.
func filterEnabled(o *envoyroute.Outcome, f httpFilter) bool {
	cfg := o.FilterConfig(f.Name)
	if cfg == nil {
		return !f.Disabled
	}
	return !perRoute(cfg)["disabled"].(bool)
}

// perRoute decodes a per-route filter config (disabled defaults to false).
func perRoute(cfg *anypb.Any) map[string]any {
	b, _ := protojson.Marshal(cfg)
	m := map[string]any{}
	_ = json.Unmarshal(b, &m)
	if _, ok := m["disabled"].(bool); !ok {
		m["disabled"] = false
	}
	return m
}

// skippedByMetadata: ext_authz's filter_enabled_metadata (a bool match on
// dynamic metadata, possibly inverted) turns the filter off for the request.
func skippedByMetadata(m map[string]any, metadata map[string]bool) bool {
	if len(m) == 0 {
		return false
	}
	key := fmt.Sprint(m["filter"]) + "/" + fmt.Sprint(mapOf(list(m["path"])[0])["key"])
	matched := metadata[key] == (mapOf(m["value"])["boolMatch"] == true)
	return matched == (m["invert"] == true)
}

// skippedByMatcher: an ExtensionWithMatcher runs its filter only when its
// metadata predicate matches.
func skippedByMatcher(c map[string]any, metadata map[string]bool) bool {
	for _, m := range list(mapOf(mapOf(c["xdsMatcher"])["matcherList"])["matchers"]) {
		p := mapOf(mapOf(mapOf(m)["predicate"])["singlePredicate"])
		in := mapOf(mapOf(p["input"])["typedConfig"])
		match := mapOf(mapOf(p["customMatch"])["typedConfig"])
		key := fmt.Sprint(in["filter"]) + "/" + fmt.Sprint(mapOf(list(in["path"])[0])["key"])
		matched := metadata[key] == (mapOf(match["value"])["boolMatch"] == true)
		return matched == (match["invert"] == true)
	}
	return false
}

// strictRequirement: the route's JWT requirement names a provider and does
// not allow a missing token (Strict).
func strictRequirement(o *envoyroute.Outcome, filter string, jwt map[string]any) string {
	cfg := o.FilterConfig(filter)
	if cfg == nil {
		return "no JWT requirement for the route"
	}
	name, _ := perRoute(cfg)["requirementName"].(string)
	req := mapOf(mapOf(jwt["requirementMap"])[name])
	if req["providerName"] == nil {
		return fmt.Sprintf("JWT requirement %q is not one provider (allows a missing token?): %v", name, req)
	}
	return ""
}

// jwtRequired is whether the input's Istio policies deny requests without
// a request principal (kgateway-route's Strict JWT).
func jwtRequired(items []object) bool {
	for _, o := range items {
		if !isKind(o, "security.istio.io", "AuthorizationPolicy") || spec(o)["action"] != "DENY" {
			continue
		}
		for _, r := range list(spec(o)["rules"]) {
			for _, f := range list(mapOf(r)["from"]) {
				if slices.Contains(list(mapOf(mapOf(f)["source"])["notRequestPrincipals"]), any("*")) {
					return true
				}
			}
		}
	}
	return false
}

// exemptPaths turns the Istio ext-authz policy's notPaths into request
// paths (/dex/* → /dex/probe, /dex/** → /dex/probe/deeper).
func exemptPaths(items []object) []string {
	var out []string
	for _, o := range items {
		if !isKind(o, "security.istio.io", "AuthorizationPolicy") || spec(o)["action"] != "CUSTOM" {
			continue
		}
		for _, r := range list(spec(o)["rules"]) {
			for _, to := range list(mapOf(r)["to"]) {
				for _, p := range list(mapOf(mapOf(to)["operation"])["notPaths"]) {
					s, _ := p.(string)
					s = strings.Replace(strings.Replace(s, "/**", "/probe/deeper", 1), "/*", "/probe", 1)
					if !slices.Contains(out, s) {
						out = append(out, s)
					}
				}
			}
		}
	}
	return out
}

func isExempt(path string, exempt []string) bool {
	return slices.ContainsFunc(exempt, func(e string) bool {
		dir := strings.TrimSuffix(strings.TrimSuffix(e, "/probe/deeper"), "/probe") + "/"
		return strings.HasPrefix(path, dir) || path+"/" == dir
	})
}

func filterNames(hcm *connectionManager) []string {
	var out []string
	for _, f := range hcm.HTTPFilters {
		out = append(out, f.Name)
	}
	return out
}

// firstString is the first string value under one of keys anywhere in v.
func firstString(v any, keys ...string) string {
	switch t := v.(type) {
	case map[string]any:
		for _, k := range keys {
			if s, ok := t[k].(string); ok {
				return s
			}
		}
		for _, k := range slices.Sorted(maps.Keys(t)) {
			if s := firstString(t[k], keys...); s != "" {
				return s
			}
		}
	case []any:
		for _, e := range t {
			if s := firstString(e, keys...); s != "" {
				return s
			}
		}
	}
	return ""
}
