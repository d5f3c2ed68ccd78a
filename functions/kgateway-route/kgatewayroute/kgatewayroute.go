// Package kgatewayroute turns the Istio VirtualServices bound to Kubeflow's
// ingress gateway into Gateway API HTTPRoutes on a kgateway Gateway, and the
// Istio ingress authentication (oauth2-proxy ext-authz, dex JWT) into
// kgateway policy.
package kgatewayroute

import (
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/istio"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// Function is kgateway-route.
var Function = kit.Definition[Config]{
	FunctionName: "kgateway-route",
	Kind:         Kind,
	Defaults:     unsetDefaults,
	Run:          Run,
	// Converted VirtualServices; with the runtime-route bridge off, the Istio
	// ingress Gateway and the auth policies translated to kgateway policy;
	// in controller mode the Istio ingress gateway and what only it uses.
	Removes: append([]kit.GroupKind{istio.VirtualServiceKind, istio.GatewayKind, istio.AuthorizationPolicyKind, istio.RequestAuthenticationKind}, ingressWorkloadKinds...),
}

// API groups and kinds this function emits or reads.
var (
	httpRouteKind        = kit.GroupKind{Group: kit.GroupGatewayAPI, Kind: "HTTPRoute"}
	gatewayKind          = kit.GroupKind{Group: kit.GroupGatewayAPI, Kind: "Gateway"}
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

// converter holds the indexes and the state of one run over a bundle; the
// conversion of each VirtualService is the RouteConverter's.
type converter struct {
	*RouteConverter
	results      *fn.Results
	servicePorts ServicePorts
	grants       grants
	warnings     int
	// routeNamespaces admitted by the Gateway.
	routeNamespaces map[string]bool
	// listeners of the emitted Gateway.
	listeners []listener
	// createNamespace: the Gateway's namespace, when the bundle lacks it,
	// is created (the Kubeflow preset, or configured).
	createNamespace bool
	// subsets resolves destination subsets from the bundle.
	subsets *subsetIndex
}

func (c *converter) warn(o *fn.KubeObject, field, format string, a ...any) {
	c.warnings++
	kit.Warning(c.results, o, field, format, a...)
}

func (c *converter) info(o *fn.KubeObject, field, format string, a ...any) {
	kit.Info(c.results, o, field, format, a...)
}

// report writes the findings of a VirtualService's conversion as results.
func (c *converter) report(o *fn.KubeObject, findings []kit.Finding) {
	for _, f := range findings {
		if f.Severity == fn.Warning {
			c.warnings++
		}
		*c.results = append(*c.results, f.Result(o))
	}
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
		if istio.GatewayKind.Is(o) && o.GetNamespace() == ns && o.GetName() == name {
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
func Run(rl *fn.ResourceList, given *Config) error {
	items := kit.EditableItems(rl.Items)
	cfg, createNamespace, err := resolvePreset(items, given, &rl.Results)
	if err != nil {
		return err
	}
	c := &converter{
		results:         &rl.Results,
		servicePorts:    ServicePorts{},
		grants:          grants{},
		routeNamespaces: map[string]bool{},
		createNamespace: createNamespace,
	}
	if cfg == nil {
		c.nothingToConvert(items, "")
		return nil
	}
	gw := istioGatewayObject(items, cfg.IstioGateway)
	if err := c.planListeners(items, cfg, given, gw); err != nil {
		return err
	}
	if c.RouteConverter, err = NewRouteConverter(*cfg); err != nil {
		return err
	}
	services, vss := c.index(items)
	if !c.hasIngress(items, vss) {
		// A bundle without the Istio ingress (another team's manifests, a
		// single component) gets no Gateway and no auth objects out of thin air.
		c.nothingToConvert(items, cfg.IstioGateway)
		return nil
	}
	resolved, err := resolveRuntimeRoutes(items, cfg, &rl.Results)
	if err != nil {
		return err
	}
	c.cfg = resolved
	return c.run(rl, items, services, vss)
}

// run converts a bundle that has the Istio ingress.
func (c *converter) run(rl *fn.ResourceList, items, services, vss fn.KubeObjects) error {
	cfg := c.cfg
	out := newOutput(rl.Items)
	drop := map[*fn.KubeObject]bool{}
	converted, err := c.convertAll(vss, out, drop)
	if err != nil {
		return err
	}
	auth, err := c.translateAuth(items, converted)
	if err != nil {
		return err
	}
	for _, p := range auth.objects {
		out.put(p)
	}
	if err := c.emitIngress(items, services, out); err != nil {
		return err
	}
	if cfg.RemoveIstioIngress {
		c.removeIstioIngress(items, vss, drop, auth.sources)
	}
	if cfg.RuntimeRoutes.Mode == RuntimeController {
		if err := c.finishController(out.items, items, vss, drop); err != nil {
			return err
		}
	}
	rl.Items = kit.RemoveItems(out.items, drop)

	routes := 0
	for _, cv := range converted {
		routes += len(cv.Routes)
	}
	kit.Summary(&rl.Results, "kgateway-route: converted %d VirtualServices into %d HTTPRoutes on Gateway %s/%s, emitted %d objects, removed %d, %d warnings",
		len(converted), routes, cfg.Gateway.Namespace, cfg.Gateway.Name, out.added, len(drop), c.warnings)
	return nil
}

// index collects the Services (and their ports) and the VirtualServices of
// the bundle, and the namespaces of routes already on the Gateway.
func (c *converter) index(items fn.KubeObjects) (services, vss []*fn.KubeObject) {
	c.subsets = newSubsetIndex()
	for _, o := range items {
		switch {
		case kit.ServiceKind.Is(o):
			services = append(services, o)
			c.subsets.addService(o)
			id := o.GetNamespace() + "/" + o.GetName()
			ports, _, _ := o.NestedSlice("spec", "ports")
			for _, p := range ports {
				n, _, _ := p.NestedInt64("port")
				c.servicePorts[id] = append(c.servicePorts[id], int32(n))
			}
		case istio.VirtualServiceKind.Is(o):
			vss = append(vss, o)
		case istio.DestinationRuleKind.Is(o):
			c.subsets.addRule(o, c.cfg.ClusterDomain)
		case httpRouteKind.Is(o):
			if c.attachedToGateway(o) {
				c.routeNamespaces[o.GetNamespace()] = true
			}
		}
	}
	return services, vss
}

// convertAll converts every VirtualService bound to the Istio gateway
// through the RouteConverter, reports its findings and puts its objects
// into the output.
func (c *converter) convertAll(vss []*fn.KubeObject, out *output, drop map[*fn.KubeObject]bool) ([]*Conversion, error) {
	var converted []*Conversion
	for _, o := range vss {
		cv, err := c.convert(o, c.servicePorts, c.subsets)
		if err != nil {
			return nil, err
		}
		if !cv.Bound {
			continue
		}
		c.report(o, cv.Findings)
		c.grants.merge(cv.grants)
		if len(cv.Routes) == 0 {
			continue
		}
		converted = append(converted, cv)
		for _, r := range cv.Routes {
			out.put(r)
			c.routeNamespaces[r.GetNamespace()] = true
		}
		for _, p := range cv.Objects {
			out.put(p)
		}
		if err := c.finishVirtualService(cv, drop); err != nil {
			return nil, err
		}
	}
	return converted, nil
}

// emitIngress puts what reaches the runtime routes (the bridge or
// runtime-sync), the Gateway and the ReferenceGrants into the output.
func (c *converter) emitIngress(items, services fn.KubeObjects, out *output) error {
	if err := c.runtimeRoutes(services, out); err != nil {
		return err
	}
	gateway, err := c.gatewayObjects(items)
	if err != nil {
		return err
	}
	grants, err := c.grants.objects()
	if err != nil {
		return err
	}
	for _, o := range append(gateway, grants...) {
		out.put(o)
	}
	return nil
}

// finishVirtualService removes a converted VirtualService, or, when it is
// also bound to other gateways or keeps routes, drops the converted gateway
// from its gateways list.
func (c *converter) finishVirtualService(cv *Conversion, drop map[*fn.KubeObject]bool) error {
	vs := cv.vs
	o := vs.obj
	var others []string
	for _, g := range vs.Spec.Gateways {
		if istio.GatewayRef(g, o.GetNamespace()) != c.istioGateway {
			others = append(others, g)
		}
	}
	names := make([]string, len(cv.Routes))
	for i, r := range cv.Routes {
		names[i] = r.GetName()
	}
	switch {
	case !c.cfg.RemoveConverted || cv.keep:
		c.info(o, "", "converted to HTTPRoute %s; kept", strings.Join(names, ", "))
	case len(others) > 0:
		if err := o.SetNestedStringSlice(others, "spec", "gateways"); err != nil {
			return kit.Errorf(o, "spec.gateways", "%v", err)
		}
		c.info(o, "spec.gateways", "converted to HTTPRoute %s; kept for gateways %s", strings.Join(names, ", "), strings.Join(others, ", "))
	default:
		drop[o] = true
		c.info(o, "", "converted to HTTPRoute %s; removed", strings.Join(names, ", "))
	}
	return nil
}

// attachedToGateway reports whether an HTTPRoute already in the bundle has
// the kgateway Gateway as a parent.
func (rc *RouteConverter) attachedToGateway(o *fn.KubeObject) bool {
	parents, _, _ := o.NestedSlice("spec", "parentRefs")
	for _, p := range parents {
		ref := kit.RefAt(p, kit.ObjectID{Namespace: o.GetNamespace()})
		if (ref.Kind == "" || ref.Kind == "Gateway") && ref.Name == rc.cfg.Gateway.Name && ref.Namespace == rc.cfg.Gateway.Namespace {
			return true
		}
	}
	return false
}
