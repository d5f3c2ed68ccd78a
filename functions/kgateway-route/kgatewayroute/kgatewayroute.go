// Package kgatewayroute turns the Istio VirtualServices bound to Kubeflow's
// ingress gateway into Gateway API HTTPRoutes on a kgateway Gateway, and the
// Istio ingress authentication (oauth2-proxy ext-authz, dex JWT) into
// kgateway policy.
package kgatewayroute

import (
	"fmt"
	"net"
	"sort"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// Function is kgateway-route.
var Function = kit.Definition[Config]{
	FunctionName: "kgateway-route",
	Kind:         Kind,
	Defaults:     Defaults,
	Run:          Run,
	// Converted VirtualServices; with the runtime-route bridge off, the Istio
	// ingress Gateway and the auth policies translated to kgateway policy.
	Removes: []kit.GroupKind{kit.VirtualService, kit.IstioGateway, kit.AuthorizationPol, kit.RequestAuth},
}

// API groups and kinds this function emits or reads.
var (
	httpRouteKind        = kit.GroupKind{Group: kit.GroupGatewayAPI, Kind: "HTTPRoute"}
	gatewayExtensionKind = kit.GroupKind{Group: kgatewayGroup, Kind: "GatewayExtension"}
)

const (
	gatewayAPIVersion = kit.GroupGatewayAPI + "/v1"
	kgatewayGroup     = "gateway.kgateway.dev"
	kgatewayVersion   = kgatewayGroup + "/v1alpha1"
	maxRules          = 16
	maxHostnames      = 16
	maxMatches        = 128
	maxRuleMatches    = 64
)

// converter holds the indexes and the state of one run.
type converter struct {
	cfg          *Config
	results      *fn.Results
	istioGateway string
	servicePorts map[string][]int32 // ns/name → ports
	grants       grants
	warnings     int
	// routeNamespaces admitted by the Gateway.
	routeNamespaces map[string]bool
	// slashPrefixes are the prefixes ending in "/" of the VirtualService
	// being converted, reported together.
	slashPrefixes []string
}

func (c *converter) warn(o *fn.KubeObject, field, format string, a ...any) {
	c.warnings++
	kit.Warning(c.results, o, field, format, a...)
}

func (c *converter) info(o *fn.KubeObject, field, format string, a ...any) {
	kit.Info(c.results, o, field, format, a...)
}

// boundTo reports whether a gateways list names the configured Istio gateway.
func (c *converter) boundTo(gateways []string, vsNamespace string) bool {
	for _, g := range gateways {
		if gatewayRef(g, vsNamespace) == c.istioGateway {
			return true
		}
	}
	return false
}

// hasIngress reports whether the bundle holds anything of the Istio ingress
// this function replaces: the configured Istio Gateway, a VirtualService
// bound to it, or routes already attached to the kgateway Gateway.
func (c *converter) hasIngress(items, vss []*fn.KubeObject) bool {
	if len(c.routeNamespaces) > 0 {
		return true
	}
	ns, name, _ := strings.Cut(c.istioGateway, "/")
	for _, o := range items {
		if kit.IstioGateway.Is(o) && o.GetNamespace() == ns && o.GetName() == name {
			return true
		}
	}
	for _, o := range vss {
		gws, _, _ := o.NestedStringSlice("spec", "gateways")
		if c.boundTo(gws, o.GetNamespace()) {
			return true
		}
	}
	return false
}

// Run converts the routes and emits the Gateway, the auth policies and the
// runtime-route bridge.
func Run(rl *fn.ResourceList, cfg *Config) error {
	c := &converter{
		cfg:             cfg,
		results:         &rl.Results,
		istioGateway:    cfg.IstioGateway,
		servicePorts:    map[string][]int32{},
		grants:          grants{},
		routeNamespaces: map[string]bool{},
	}
	items := kit.EditableItems(rl.Items)
	var services []*fn.KubeObject
	var vss []*fn.KubeObject
	for _, o := range items {
		switch {
		case kit.ServiceKind.Is(o):
			services = append(services, o)
			ports, _, _ := o.NestedSlice("spec", "ports")
			for _, p := range ports {
				n, _, _ := p.NestedInt64("port")
				c.servicePorts[o.GetNamespace()+"/"+o.GetName()] = append(c.servicePorts[o.GetNamespace()+"/"+o.GetName()], int32(n))
			}
		case kit.VirtualService.Is(o):
			vss = append(vss, o)
		case httpRouteKind.Is(o):
			if c.attachedToGateway(o) {
				c.routeNamespaces[o.GetNamespace()] = true
			}
		}
	}

	if !c.hasIngress(items, vss) {
		// A bundle without the Istio ingress (another team's manifests, a
		// single component) gets no Gateway and no auth objects out of thin air.
		kit.Summary(&rl.Results, "kgateway-route: no Istio gateway %s and no VirtualService bound to it: nothing to convert", cfg.IstioGateway)
		return nil
	}

	out := newOutput(rl.Items)
	drop := map[*fn.KubeObject]bool{}
	var converted []*convertedVS
	for _, o := range vss {
		vs, err := parseVirtualService(o)
		if err != nil {
			return err
		}
		if !c.boundTo(vs.Spec.Gateways, o.GetNamespace()) {
			continue
		}
		cv, err := c.convertVirtualService(vs)
		if err != nil {
			return err
		}
		if len(cv.routes) == 0 {
			continue
		}
		converted = append(converted, cv)
		for _, r := range cv.routes {
			out.put(r)
			c.routeNamespaces[r.GetNamespace()] = true
		}
		for _, p := range cv.policies {
			out.put(p)
		}
		c.finishVirtualService(vs, cv, drop)
	}

	auth := c.translateAuth(items, converted)
	for _, p := range auth.objects {
		out.put(p)
	}
	if cfg.RuntimeRoutes.Mode == RuntimeBridge {
		for _, b := range c.bridge(services) {
			out.put(b)
			c.routeNamespaces[b.GetNamespace()] = true
		}
	}
	for _, g := range c.gatewayObjects(items) {
		out.put(g)
	}
	for _, g := range c.grants.objects(cfg) {
		out.put(g)
	}
	if cfg.RemoveIstioIngress {
		c.removeIstioIngress(items, vss, drop, auth.sources)
	}
	rl.Items = kit.RemoveItems(out.items, drop)

	routes := 0
	for _, cv := range converted {
		routes += len(cv.routes)
	}
	kit.Summary(&rl.Results, "kgateway-route: converted %d VirtualServices into %d HTTPRoutes on Gateway %s/%s, emitted %d objects, removed %d, %d warnings",
		len(converted), routes, cfg.Gateway.Namespace, cfg.Gateway.Name, out.added, len(drop), c.warnings)
	return nil
}

// convertedVS is one VirtualService's output.
type convertedVS struct {
	vs       *virtualService
	routes   []*fn.KubeObject
	policies []*fn.KubeObject
	// rules per emitted HTTPRoute name, for the auth exemptions.
	rules map[string][]*rule
	// keep is set when the VirtualService has routes that were not
	// converted (tcp, tls, or no convertible HTTP route).
	keep bool
}

func (c *converter) convertVirtualService(vs *virtualService) (*convertedVS, error) {
	o := vs.obj
	cv := &convertedVS{vs: vs, rules: map[string][]*rule{}}
	var rules []*rule
	c.slashPrefixes = nil
	for i, raw := range vs.Spec.HTTP {
		r, err := parseHTTPRoute(o, i, raw)
		if err != nil {
			return nil, err
		}
		rules = append(rules, c.convertHTTP(vs, i, r)...)
	}
	uniqueRuleNames(rules)
	if len(c.slashPrefixes) > 0 {
		c.info(o, "spec.http", "PathPrefix %s also matches the path without the trailing slash, which these Istio prefixes do not match (requests for it went to another route)",
			strings.Join(c.slashPrefixes, ", "))
	}
	c.checkOrder(o, rules)
	if len(vs.Spec.TCP) > 0 {
		c.warn(o, "spec.tcp", "tcp routes are not converted; the VirtualService is kept")
		cv.keep = true
	}
	if len(vs.Spec.TLS) > 0 {
		c.warn(o, "spec.tls", "tls routes are not converted; the VirtualService is kept")
		cv.keep = true
	}
	hostnames := c.routeHostnames(o, vs.Spec.Hosts)
	if len(rules) == 0 {
		c.warn(o, "spec.http", "no HTTP route could be converted; the VirtualService is kept")
		cv.keep = true
		return cv, nil
	}
	ruleChunks := chunkRules(rules)
	hostChunks := chunkHosts(hostnames)
	n := len(ruleChunks) * len(hostChunks)
	k := 0
	for _, hc := range hostChunks {
		for _, rc := range ruleChunks {
			k++
			name := o.GetName()
			if n > 1 {
				name = fmt.Sprintf("%s-%02d", o.GetName(), k)
			}
			route, err := c.httpRouteObject(o, name, hc, rc)
			if err != nil {
				return nil, err
			}
			cv.routes = append(cv.routes, route)
			cv.rules[name] = rc
			for _, r := range rc {
				if r.policy != nil {
					p, err := c.rulePolicy(o, name, r)
					if err != nil {
						return nil, err
					}
					cv.policies = append(cv.policies, p)
				}
				if r.directResponse != nil {
					d, err := newObject(kgatewayVersion, "DirectResponse", o.GetNamespace(), directResponseName(name, r), managedLabels, nil, r.directResponse)
					if err != nil {
						return nil, err
					}
					cv.policies = append(cv.policies, d)
				}
			}
		}
	}
	if n > 1 {
		c.info(o, "spec", "split into %d HTTPRoutes (Gateway API allows %d rules, %d matches and %d hostnames per HTTPRoute)", n, maxRules, maxMatches, maxHostnames)
	}
	return cv, nil
}

// finishVirtualService removes a converted VirtualService, or, when it is
// also bound to other gateways or keeps routes, drops the converted gateway
// from its gateways list.
func (c *converter) finishVirtualService(vs *virtualService, cv *convertedVS, drop map[*fn.KubeObject]bool) {
	o := vs.obj
	var others []string
	for _, g := range vs.Spec.Gateways {
		if gatewayRef(g, o.GetNamespace()) != c.istioGateway {
			others = append(others, g)
		}
	}
	names := make([]string, len(cv.routes))
	for i, r := range cv.routes {
		names[i] = r.GetName()
	}
	switch {
	case !c.cfg.RemoveConverted || cv.keep:
		c.info(o, "", "converted to HTTPRoute %s; kept", strings.Join(names, ", "))
	case len(others) > 0:
		_ = o.SetNestedStringSlice(others, "spec", "gateways")
		c.info(o, "spec.gateways", "converted to HTTPRoute %s; kept for gateways %s", strings.Join(names, ", "), strings.Join(others, ", "))
	default:
		drop[o] = true
		c.info(o, "", "converted to HTTPRoute %s; removed", strings.Join(names, ", "))
	}
}

// uniqueRuleNames makes rule names unique within a VirtualService.
func uniqueRuleNames(rules []*rule) {
	seen := map[string]int{}
	for _, r := range rules {
		n := string(*r.Name)
		seen[n]++
		if seen[n] > 1 {
			sn := gwv1.SectionName(fmt.Sprintf("%s-%d", n, seen[n]))
			r.Name = &sn
		}
	}
}

// checkOrder reports pairs of rules of one VirtualService whose order
// Gateway API precedence reverses: an earlier Istio route that a later one
// overtakes for requests both match.
func (c *converter) checkOrder(o *fn.KubeObject, rules []*rule) {
	reported := map[[2]int]bool{}
	for i, a := range rules {
		for _, b := range rules[i+1:] {
			if a.httpIndex == b.httpIndex || reported[[2]int{a.httpIndex, b.httpIndex}] {
				continue
			}
			for _, ma := range a.Matches {
				for _, mb := range b.Matches {
					if ComparePrecedence(mb, ma) > 0 && mayOverlap(ma, mb) {
						reported[[2]int{a.httpIndex, b.httpIndex}] = true
						c.warn(o, httpPath(b.httpIndex)+".match",
							"Gateway API precedence puts this route before %s (more specific match), but Istio matches routes in order: requests both match now go here; reorder or narrow the matches",
							httpPath(a.httpIndex))
					}
					if reported[[2]int{a.httpIndex, b.httpIndex}] {
						break
					}
				}
				if reported[[2]int{a.httpIndex, b.httpIndex}] {
					break
				}
			}
		}
	}
}

// routeHostnames maps VirtualService hosts to HTTPRoute hostnames: "*"
// means any (no hostnames); short and invalid names are dropped.
func (c *converter) routeHostnames(o *fn.KubeObject, hosts []string) []string {
	var out []string
	for _, h := range hosts {
		if h == "*" {
			return nil
		}
		if strings.Contains(h, "/") || !hostnamePattern.MatchString(h) || !strings.Contains(h, ".") || net.ParseIP(h) != nil {
			c.warn(o, "spec.hosts", "host %q is not a Gateway API hostname: dropped", h)
			continue
		}
		out = append(out, h)
	}
	sort.Strings(out)
	return out
}

// chunkRules splits rules so that each HTTPRoute has at most 16 rules and
// 128 matches, and each rule at most 64 matches.
func chunkRules(rules []*rule) [][]*rule {
	var flat []*rule
	for _, r := range rules {
		if len(r.Matches) <= maxRuleMatches {
			flat = append(flat, r)
			continue
		}
		for k := 0; k < len(r.Matches); k += maxRuleMatches {
			end := min(k+maxRuleMatches, len(r.Matches))
			part := *r
			part.Matches = r.Matches[k:end]
			part.origins = r.origins[k:end]
			sn := gwv1.SectionName(fmt.Sprintf("%s-m%d", *r.Name, k/maxRuleMatches+1))
			part.Name = &sn
			flat = append(flat, &part)
		}
	}
	var chunks [][]*rule
	var cur []*rule
	matches := 0
	for _, r := range flat {
		if len(cur) == maxRules || matches+len(r.Matches) > maxMatches {
			chunks = append(chunks, cur)
			cur, matches = nil, 0
		}
		cur = append(cur, r)
		matches += len(r.Matches)
	}
	return append(chunks, cur)
}

func chunkHosts(hosts []string) [][]string {
	if len(hosts) == 0 {
		return [][]string{nil}
	}
	var out [][]string
	for k := 0; k < len(hosts); k += maxHostnames {
		out = append(out, hosts[k:min(k+maxHostnames, len(hosts))])
	}
	return out
}

// attachedToGateway reports whether an HTTPRoute already in the bundle has
// the kgateway Gateway as a parent.
func (c *converter) attachedToGateway(o *fn.KubeObject) bool {
	parents, _, _ := o.NestedSlice("spec", "parentRefs")
	for _, p := range parents {
		name, _, _ := p.NestedString("name")
		ns, _, _ := p.NestedString("namespace")
		kind, _, _ := p.NestedString("kind")
		if ns == "" {
			ns = o.GetNamespace()
		}
		if (kind == "" || kind == "Gateway") && name == c.cfg.Gateway.Name && ns == c.cfg.Gateway.Namespace {
			return true
		}
	}
	return false
}
