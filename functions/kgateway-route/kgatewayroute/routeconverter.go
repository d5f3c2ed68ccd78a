package kgatewayroute

import (
	"fmt"
	"net"
	"slices"
	"sort"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/istio"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// RouteConverter converts single VirtualServices into HTTPRoutes on the
// kgateway Gateway with the rules Run applies to a bundle: Run converts
// every VirtualService through it, and the run-time controller converts the
// VirtualServices that Kubeflow's controllers create. It holds only its
// configuration, which it never changes, so one RouteConverter may convert
// from several goroutines at once.
type RouteConverter struct {
	cfg          *Config
	istioGateway string
}

// NewRouteConverter validates cfg and returns a converter of single
// VirtualServices with the rules Run applies. The converter keeps cfg: the
// caller must not change it (its slices included) afterwards.
func NewRouteConverter(cfg Config) (*RouteConverter, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return &RouteConverter{cfg: &cfg, istioGateway: cfg.IstioGateway}, nil
}

// ServicePorts gives the ports of Services by "namespace/name".
type ServicePorts map[string][]int32

// Conversion is what one VirtualService converts into.
type Conversion struct {
	// Bound is whether the VirtualService is bound to cfg.IstioGateway;
	// when false nothing else is set.
	Bound bool
	// Routes are the HTTPRoutes attached to cfg.Gateway, in the
	// VirtualService's namespace.
	Routes []*fn.KubeObject
	// Objects are the kgateway objects that travel with the routes
	// (TrafficPolicy, DirectResponse), in the same namespace.
	Objects []*fn.KubeObject
	// Grants are the ReferenceGrants the routes need for backends in other
	// namespaces. A grant is named after the namespace of the routes
	// ("httproutes-from-<namespace>") and lists only the Services of this
	// VirtualService: several VirtualServices of one namespace yield grants
	// of the same name that a writer must merge (Run does).
	Grants []*fn.KubeObject
	// Findings say what was not converted exactly (warnings) and notes
	// (info), each with the field of the VirtualService it is about.
	Findings []kit.Finding

	// What Run needs besides: the parsed source, the rules of each route
	// (for the auth exemptions), the grants before rendering, and whether
	// the VirtualService keeps routes that were not converted.
	vs     *virtualService
	rules  map[string][]*rule
	grants grants
	keep   bool
}

// Exact reports whether every finding is info: the routes route every
// request as the VirtualService routed it. An error finding (a subset that
// cannot be routed exactly) leaves the VirtualService unconverted.
func (c *Conversion) Exact() bool {
	for _, f := range c.Findings {
		if f.Severity != fn.Info {
			return false
		}
	}
	return true
}

// Convert converts one VirtualService (any networking.istio.io version).
// services gives the ports of the Services routes may point at (nil: ports
// are not known, so a destination without a port is dropped). It never
// edits vs.
func (rc *RouteConverter) Convert(vs *fn.KubeObject, services ServicePorts) (*Conversion, error) {
	cv, err := rc.convert(vs, services, nil)
	if err != nil || !cv.Bound || len(cv.Routes) == 0 {
		return cv, err
	}
	if cv.Grants, err = cv.grants.objects(); err != nil {
		return nil, err
	}
	return cv, nil
}

// convert is Convert without rendering the grants, which Run merges over
// the bundle instead; subsets (nil: not known) are the bundle's, for
// destinations with a subset.
func (rc *RouteConverter) convert(o *fn.KubeObject, services ServicePorts, subsets *subsetIndex) (*Conversion, error) {
	if !istio.VirtualServiceKind.Is(o) {
		return nil, kit.Errorf(o, "", "not a VirtualService")
	}
	vs, err := parseVirtualService(o)
	if err != nil {
		return nil, err
	}
	if !rc.boundTo(vs.Spec.Gateways, o.GetNamespace()) {
		return &Conversion{}, nil
	}
	v := &vsConverter{RouteConverter: rc, vs: vs, obj: o, services: services, subsets: subsets, grants: grants{}}
	cv := &Conversion{Bound: true, vs: vs, rules: map[string][]*rule{}}
	if err := v.convertInto(cv); err != nil {
		return nil, err
	}
	cv.Findings, cv.grants = v.findings, v.grants
	return cv, nil
}

// vsConverter is the conversion of one VirtualService: what it collects
// lives here, never in the RouteConverter, so conversions share no
// mutable state.
type vsConverter struct {
	*RouteConverter
	vs       *virtualService
	obj      *fn.KubeObject
	services ServicePorts
	subsets  *subsetIndex
	findings []kit.Finding
	grants   grants
	// refused: a destination cannot be converted exactly (an error
	// finding); the VirtualService is kept whole.
	refused bool
	// slashPrefixes are the prefixes ending in "/", reported together.
	slashPrefixes []string
}

func (v *vsConverter) warn(field, format string, a ...any) {
	v.findings = append(v.findings, kit.Finding{Severity: fn.Warning, Field: field, Message: fmt.Sprintf(format, a...)})
}

func (v *vsConverter) info(field, format string, a ...any) {
	v.findings = append(v.findings, kit.Finding{Severity: fn.Info, Field: field, Message: fmt.Sprintf(format, a...)})
}

// convertInto converts the HTTP routes into rules, reports what is left,
// and renders the HTTPRoutes and the objects beside them.
func (v *vsConverter) convertInto(cv *Conversion) error {
	vs := v.vs
	var rules []*rule
	for i, raw := range vs.Spec.HTTP {
		r, err := parseHTTPRoute(v.obj, i, raw)
		if err != nil {
			return err
		}
		rules = append(rules, v.convertHTTP(i, r)...)
	}
	if v.refused {
		cv.keep = true
		return nil
	}
	uniqueRuleNames(rules)
	if len(v.slashPrefixes) > 0 {
		v.info("spec.http", "PathPrefix %s also matches the path without the trailing slash, which these Istio prefixes do not match (requests for it went to another route)",
			strings.Join(v.slashPrefixes, ", "))
	}
	v.checkOrder(rules)
	if len(vs.Spec.TCP) > 0 {
		v.warn("spec.tcp", "tcp routes are not converted; the VirtualService is kept")
		cv.keep = true
	}
	if len(vs.Spec.TLS) > 0 {
		v.warn("spec.tls", "tls routes are not converted; the VirtualService is kept")
		cv.keep = true
	}
	hostnames := v.routeHostnames(vs.Spec.Hosts)
	if len(hostnames) == 0 && len(vs.Spec.Hosts) > 0 && !slices.Contains(vs.Spec.Hosts, "*") {
		v.warn("spec.hosts", "no host could be converted, and an HTTPRoute without hostnames would accept every host; the VirtualService is kept")
		cv.keep = true
		return nil
	}
	if len(rules) == 0 {
		v.warn("spec.http", "no HTTP route could be converted; the VirtualService is kept")
		cv.keep = true
		return nil
	}
	return v.emitRoutes(cv, hostnames, rules)
}

// emitRoutes renders the rules as HTTPRoutes, split where Gateway API's
// limits require, with the TrafficPolicies and DirectResponses of their rules.
func (v *vsConverter) emitRoutes(cv *Conversion, hostnames []string, rules []*rule) error {
	o := v.obj
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
			route, err := v.httpRouteObject(name, hc, rc)
			if err != nil {
				return err
			}
			cv.Routes = append(cv.Routes, route)
			cv.rules[name] = rc
			for _, r := range rc {
				objs, err := v.ruleObjects(name, r)
				if err != nil {
					return err
				}
				cv.Objects = append(cv.Objects, objs...)
			}
		}
	}
	if n > 1 {
		v.info("spec", "split into %d HTTPRoutes (Gateway API allows %d rules, %d matches and %d hostnames per HTTPRoute)", n, maxRules, maxMatches, maxHostnames)
	}
	return nil
}

// ruleObjects renders the TrafficPolicy and the DirectResponse of one rule
// of HTTPRoute route, where it has them.
func (v *vsConverter) ruleObjects(route string, r *rule) ([]*fn.KubeObject, error) {
	var out []*fn.KubeObject
	if r.policy != nil {
		p, err := v.rulePolicy(route, r)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	if r.directResponse != nil {
		d, err := newObject(kgatewayVersion, "DirectResponse", v.obj.GetNamespace(), directResponseName(route, r), managedLabels, nil, r.directResponse)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// boundTo reports whether a gateways list names the configured Istio gateway.
func (rc *RouteConverter) boundTo(gateways []string, vsNamespace string) bool {
	for _, g := range gateways {
		if istio.GatewayRef(g, vsNamespace) == rc.istioGateway {
			return true
		}
	}
	return false
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
func (v *vsConverter) checkOrder(rules []*rule) {
	reported := map[[2]int]bool{}
	for i, a := range rules {
		for _, b := range rules[i+1:] {
			pair := [2]int{a.httpIndex, b.httpIndex}
			if a.httpIndex == b.httpIndex || reported[pair] {
				continue
			}
			if overtakes(b, a) {
				reported[pair] = true
				v.warn(httpPath(b.httpIndex)+".match",
					"Gateway API precedence puts this route before %s (more specific match), but Istio matches routes in order: requests both match now go here; reorder or narrow the matches",
					httpPath(a.httpIndex))
			}
		}
	}
}

// overtakes reports whether some match of rule b wins over an overlapping
// match of rule a under Gateway API precedence.
func overtakes(b, a *rule) bool {
	for _, ma := range a.Matches {
		for _, mb := range b.Matches {
			if ComparePrecedence(mb, ma) > 0 && mayOverlap(ma, mb) {
				return true
			}
		}
	}
	return false
}

// routeHostnames maps VirtualService hosts to HTTPRoute hostnames: "*"
// means any (no hostnames); a short name is read as Istio reads it, a
// Service of the VirtualService's namespace (reviews.<ns>.svc.<cluster
// domain>); invalid names are dropped.
func (v *vsConverter) routeHostnames(hosts []string) []string {
	var out []string
	for _, h := range hosts {
		if h == "*" {
			return nil
		}
		if !strings.Contains(h, ".") && net.ParseIP(h) == nil && !strings.Contains(h, "/") {
			fqdn := h + "." + v.obj.GetNamespace() + ".svc." + v.cfg.ClusterDomain
			v.info("spec.hosts", "short host %q is %s, as Istio reads it in namespace %s", h, fqdn, v.obj.GetNamespace())
			h = fqdn
		}
		if strings.Contains(h, "/") || !hostnamePattern.MatchString(h) || net.ParseIP(h) != nil {
			v.warn("spec.hosts", "host %q is not a Gateway API hostname: dropped", h)
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
