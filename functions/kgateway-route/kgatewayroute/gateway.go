package kgatewayroute

import (
	"fmt"
	"maps"
	"slices"
	"sort"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/ingress"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

const (
	externalDNSAnnotation = "external-dns.alpha.kubernetes.io/hostname"
	bypassInboundCapture  = "ambient.istio.io/bypass-inbound-capture"
	dataplaneModeLabel    = "istio.io/dataplane-mode"
)

// gatewayObjects emits the Gateway, its GatewayParameters and Certificate,
// or, when referencing an existing Gateway, reports what it must admit.
func (c *converter) gatewayObjects(items fn.KubeObjects) ([]*fn.KubeObject, error) {
	cfg := c.cfg
	gw := cfg.Gateway
	namespaces := slices.Sorted(maps.Keys(c.routeNamespaces))
	if !cfg.CreateGateway {
		c.reportExistingGateway(namespaces)
		return nil, nil
	}
	var out []*fn.KubeObject
	nsObj, created, err := c.gatewayNamespace(items)
	if err != nil {
		return nil, err
	}
	if created {
		out = append(out, nsObj)
	}
	spec := map[string]any{"gatewayClassName": cfg.GatewayClassName}
	params, err := c.gatewayParameters(nsObj)
	if err != nil {
		return nil, err
	}
	if params != nil {
		out = append(out, params)
		spec["infrastructure"] = map[string]any{"parametersRef": map[string]any{"group": kgatewayGroup, "kind": "GatewayParameters", "name": gw.Name}}
	}
	allowed := c.allowedRoutes(namespaces)
	var listeners []any
	for _, l := range c.listeners {
		listeners = append(listeners, l.render(allowed))
	}
	spec["listeners"] = listeners
	cert, err := c.certificate()
	if err != nil {
		return nil, err
	}
	if cert != nil {
		out = append(out, cert)
	}
	var annotations map[string]string
	if cfg.ExternalDNSHostname != "" {
		annotations = map[string]string{externalDNSAnnotation: cfg.ExternalDNSHostname}
	}
	g, err := newObject(gatewayAPIVersion, "Gateway", gw.Namespace, gw.Name, managedLabels, annotations, spec)
	if err != nil {
		return nil, err
	}
	out = append(out, g)
	sort.SliceStable(out, func(i, j int) bool { return identity(out[i]) < identity(out[j]) })
	return out, nil
}

// reportExistingGateway says what the Gateway that is referenced, not
// emitted, must admit.
func (c *converter) reportExistingGateway(namespaces []string) {
	gw := c.cfg.Gateway
	if c.cfg.RuntimeRoutes.Mode == RuntimeController {
		kit.Summary(c.results, "kgateway-route: Gateway %s/%s is not emitted (createGateway: false); its listeners must admit HTTPRoutes from the namespaces labelled %s=%s (%v and every profile namespace)",
			gw.Namespace, gw.Name, gw.RoutesLabel(), ingress.RoutesLabelValue, namespaces)
		return
	}
	kit.Summary(c.results, "kgateway-route: Gateway %s/%s is not emitted (createGateway: false); its listeners must admit HTTPRoutes from namespaces %v",
		gw.Namespace, gw.Name, namespaces)
}

// gatewayParameters are the GatewayParameters that keep the gateway pods
// out of ambient's inbound capture, when they need them (nil otherwise).
// nsObj is the Gateway's Namespace in the output, nil when not there.
func (c *converter) gatewayParameters(nsObj *fn.KubeObject) (*fn.KubeObject, error) {
	cfg := c.cfg
	bypass := cfg.AmbientBypass == "always" ||
		cfg.AmbientBypass == "auto" && nsObj != nil && nsObj.GetLabels()[dataplaneModeLabel] == "ambient"
	if !bypass {
		return nil, nil
	}
	params := map[string]any{"kube": map[string]any{"podTemplate": map[string]any{
		"extraAnnotations": map[string]any{bypassInboundCapture: "true"},
	}}}
	return newObject(kgatewayVersion, "GatewayParameters", cfg.Gateway.Namespace, cfg.Gateway.Name, managedLabels, nil, params)
}

// certificate is the cert-manager Certificate of the configured HTTPS
// listeners, when the config names an issuer (nil otherwise).
func (c *converter) certificate() (*fn.KubeObject, error) {
	https := c.cfg.HTTPS
	if https == nil || https.IssuerRef == nil {
		return nil, nil
	}
	cert := map[string]any{
		"secretName": https.SecretName,
		"dnsNames":   toAny(c.cfg.Hostnames),
		"issuerRef":  map[string]any{"group": "cert-manager.io", "kind": https.IssuerRef.Kind, "name": https.IssuerRef.Name},
	}
	return newObject("cert-manager.io/v1", "Certificate", c.cfg.Gateway.Namespace, https.SecretName, managedLabels, nil, cert)
}

func listenerName(base string, i, n int) string {
	if n == 1 {
		return base
	}
	return fmt.Sprintf("%s-%d", base, i+1)
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
