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
		if cfg.RuntimeRoutes.Mode == RuntimeController {
			kit.Summary(c.results, "kgateway-route: Gateway %s/%s is not emitted (createGateway: false); its listeners must admit HTTPRoutes from the namespaces labelled %s=%s (%v and every profile namespace)",
				gw.Namespace, gw.Name, gw.RoutesLabel(), ingress.RoutesLabelValue, namespaces)
			return nil, nil
		}
		kit.Summary(c.results, "kgateway-route: Gateway %s/%s is not emitted (createGateway: false); its listeners must admit HTTPRoutes from namespaces %v",
			gw.Namespace, gw.Name, namespaces)
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
	bypass := cfg.AmbientBypass == "always" ||
		cfg.AmbientBypass == "auto" && nsObj != nil && nsObj.GetLabels()[dataplaneModeLabel] == "ambient"
	if bypass {
		params := map[string]any{"kube": map[string]any{"podTemplate": map[string]any{
			"extraAnnotations": map[string]any{bypassInboundCapture: "true"},
		}}}
		p, err := newObject(kgatewayVersion, "GatewayParameters", gw.Namespace, gw.Name, managedLabels, nil, params)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
		spec["infrastructure"] = map[string]any{"parametersRef": map[string]any{"group": kgatewayGroup, "kind": "GatewayParameters", "name": gw.Name}}
	}

	allowed := c.allowedRoutes(namespaces)
	var listeners []any
	hosts := cfg.Hostnames
	for i, h := range hosts {
		l := map[string]any{"name": listenerName("http", i, len(hosts)), "port": int64(cfg.HTTPPort), "protocol": "HTTP", "allowedRoutes": allowed}
		if h != "*" {
			l["hostname"] = h
		}
		listeners = append(listeners, l)
	}
	if cfg.HTTPS != nil {
		for i, h := range hosts {
			l := map[string]any{
				"name": listenerName("https", i, len(hosts)), "port": int64(cfg.HTTPS.Port), "protocol": "HTTPS", "allowedRoutes": allowed,
				"tls": map[string]any{"mode": "Terminate", "certificateRefs": []any{map[string]any{"kind": "Secret", "group": "", "name": cfg.HTTPS.SecretName}}},
			}
			if h != "*" {
				l["hostname"] = h
			}
			listeners = append(listeners, l)
		}
		if ref := cfg.HTTPS.IssuerRef; ref != nil {
			cert := map[string]any{
				"secretName": cfg.HTTPS.SecretName,
				"dnsNames":   toAny(hosts),
				"issuerRef":  map[string]any{"group": "cert-manager.io", "kind": ref.Kind, "name": ref.Name},
			}
			o, err := newObject("cert-manager.io/v1", "Certificate", gw.Namespace, cfg.HTTPS.SecretName, managedLabels, nil, cert)
			if err != nil {
				return nil, err
			}
			out = append(out, o)
		}
	}
	spec["listeners"] = listeners
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
