package kgatewayroute

import (
	"slices"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/istio"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

const bridgeRouteName = "istio-ingress-bridge"

// Service fields that only exist for externally exposed Services.
var externalServiceFields = []string{
	"externalTrafficPolicy", "healthCheckNodePort", "loadBalancerIP", "loadBalancerSourceRanges",
	"loadBalancerClass", "allocateLoadBalancerNodePorts", "externalIPs",
}

// bridge keeps the Istio ingress gateway as an internal-only hop for the
// VirtualServices controllers create at runtime (notebooks, tensorboards,
// PVC viewers, KServe): its Service becomes ClusterIP, and an HTTPRoute on
// the kgateway Gateway, behind the same auth, forwards their prefixes to it.
func (c *converter) bridge(services []*fn.KubeObject) ([]*fn.KubeObject, error) {
	rr := c.cfg.RuntimeRoutes
	var svc *fn.KubeObject
	for _, s := range services {
		if s.GetNamespace() == rr.Service.Namespace && s.GetName() == rr.Service.Name {
			svc = s
		}
	}
	if svc == nil {
		c.warnings++
		kit.Warning(c.results, nil, "", "runtime-route bridge Service %s/%s is not in the bundle: no bridge route emitted; runtime-created VirtualServices are not reachable through kgateway",
			rr.Service.Namespace, rr.Service.Name)
		return nil, nil
	}
	hasPort := false
	for _, p := range c.servicePorts[svc.GetNamespace()+"/"+svc.GetName()] {
		hasPort = hasPort || p == rr.Service.Port
	}
	if !hasPort {
		c.warn(svc, "spec.ports", "runtime-route bridge port %d is not a port of this Service: no bridge route emitted", rr.Service.Port)
		return nil, nil
	}
	if t, _, _ := svc.NestedString("spec", "type"); t != "" && t != "ClusterIP" {
		if err := kit.EditRNode(svc, internalOnly); err != nil {
			return nil, kit.Errorf(svc, "spec", "making the Service internal-only: %v", err)
		}
		c.info(svc, "spec.type", "%s → ClusterIP: the Istio ingress gateway is only reached through kgateway now", t)
	}
	var forwarded []string
	for _, t := range rr.Prefixes {
		if p := fixedPrefix(t); !slices.Contains(forwarded, p) {
			forwarded = append(forwarded, p)
		}
	}
	if len(forwarded) == 0 {
		return nil, nil
	}
	var matches []gwv1.HTTPRouteMatch
	for _, p := range forwarded {
		matches = append(matches, prefixMatch(p))
	}
	port := gwv1.PortNumber(rr.Service.Port)
	timeout, _ := gepDuration(c.cfg.DefaultTimeout)
	d := gwv1.Duration(timeout)
	name := gwv1.SectionName("runtime-routes")
	spec := gwv1.HTTPRouteSpec{
		CommonRouteSpec: gwv1.CommonRouteSpec{ParentRefs: []gwv1.ParentReference{c.parentRef(svc.GetNamespace())}},
		Rules: []gwv1.HTTPRouteRule{{
			Name:        &name,
			Matches:     matches,
			BackendRefs: []gwv1.HTTPBackendRef{{BackendRef: gwv1.BackendRef{BackendObjectReference: gwv1.BackendObjectReference{Name: gwv1.ObjectName(svc.GetName()), Port: &port}}}},
			Timeouts:    &gwv1.HTTPRouteTimeouts{Request: &d},
		}},
	}
	route, err := newObject(gatewayAPIVersion, "HTTPRoute", svc.GetNamespace(), bridgeRouteName, managedLabels,
		map[string]string{"kgateway-route.kfgitops.dev/source": "runtime-route bridge to Service " + svc.GetNamespace() + "/" + svc.GetName()}, spec)
	if err != nil {
		return nil, err
	}
	c.info(svc, "", "bridge: kgateway forwards %s to this Service (port %d) for VirtualServices created at runtime", strings.Join(forwarded, ", "), rr.Service.Port)
	return []*fn.KubeObject{route}, nil
}

// internalOnly turns a Service into a ClusterIP Service.
func internalOnly(rn *yaml.RNode) error {
	spec, err := rn.Pipe(yaml.Lookup("spec"))
	if err != nil || spec == nil {
		return err
	}
	if err := spec.PipeE(yaml.SetField("type", yaml.NewScalarRNode("ClusterIP"))); err != nil {
		return err
	}
	for _, f := range externalServiceFields {
		if err := spec.PipeE(yaml.Clear(f)); err != nil {
			return err
		}
	}
	ports, err := spec.Pipe(yaml.Lookup("ports"))
	if err != nil || ports == nil {
		return err
	}
	return ports.VisitElements(func(p *yaml.RNode) error { return p.PipeE(yaml.Clear("nodePort")) })
}

// removeIstioIngress removes the Istio Gateway once no VirtualService is
// bound to it any more, and the Istio auth policies translated to kgateway.
// The runtime-route bridge still needs them: then they are kept, reported.
func (c *converter) removeIstioIngress(items fn.KubeObjects, vss []*fn.KubeObject, drop map[*fn.KubeObject]bool, translated []*fn.KubeObject) {
	ns, name, _ := strings.Cut(c.istioGateway, "/")
	bridge := c.cfg.RuntimeRoutes.Mode == RuntimeBridge
	stillBound := false
	for _, o := range vss {
		if drop[o] {
			continue
		}
		gws, _, _ := o.NestedStringSlice("spec", "gateways")
		stillBound = stillBound || c.boundTo(gws, o.GetNamespace())
	}
	for _, o := range items {
		if istio.GatewayKind.Is(o) && o.GetNamespace() == ns && o.GetName() == name {
			switch {
			case bridge:
				c.info(o, "", "kept: VirtualServices created at runtime bind to it (runtime-route bridge)")
			case stillBound:
				c.info(o, "", "kept: VirtualServices are still bound to it")
			default:
				drop[o] = true
				c.info(o, "", "removed: replaced by Gateway %s/%s", c.cfg.Gateway.Namespace, c.cfg.Gateway.Name)
			}
		}
	}
	for _, o := range translated {
		if bridge {
			c.info(o, "", "kept: it still protects the Istio ingress gateway behind the runtime-route bridge")
			continue
		}
		drop[o] = true
		c.info(o, "", "removed: translated into kgateway policy on Gateway %s/%s", c.cfg.Gateway.Namespace, c.cfg.Gateway.Name)
	}
}
