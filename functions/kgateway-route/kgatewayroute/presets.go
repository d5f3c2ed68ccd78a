package kgatewayroute

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/ingress"
	"github.com/kfgitops/kfgitops/kit/istio"
	"github.com/kfgitops/kfgitops/kit/preset"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// unsetDefaults are the defaults the function starts from: Defaults with
// the fields the preset decides, and the listeners, left out, so that
// resolvePreset can tell what the config gave.
func unsetDefaults() Config {
	cfg := Defaults()
	cfg.IstioGateway, cfg.Gateway = "", ingress.Gateway{}
	cfg.Hostnames, cfg.HTTPPort = nil, 0
	cfg.StripRequestHeaders, cfg.NamespaceLabelsConfigMaps = nil, nil
	cfg.RuntimeRoutes.Mode = ""
	return cfg
}

// resolvePreset fills the fields the config left out: under the Kubeflow
// preset with Kubeflow's values; under generic from the bundle (the one
// Istio ingress Gateway, the Gateway named after it in its namespace, no
// identity headers, no run-time routes, no namespace-labels files). It
// also says whether the Gateway's namespace may be created. nil: generic,
// and the bundle has no Istio ingress Gateway and none is configured.
func resolvePreset(items fn.KubeObjects, given *Config, results *fn.Results) (*Config, bool, error) {
	res := preset.Resolve(given.Preset, items)
	kit.Info(results, nil, "", "preset %s (%s)", res.Preset, res.Reason)
	cfg := *given
	d := Defaults()
	if res.Preset == preset.Kubeflow {
		cfg.IstioGateway = orString(cfg.IstioGateway, d.IstioGateway)
		cfg.Gateway = ingress.Gateway{Namespace: orString(cfg.Gateway.Namespace, d.Gateway.Namespace), Name: orString(cfg.Gateway.Name, d.Gateway.Name)}
		cfg.StripRequestHeaders = orDefault(cfg.StripRequestHeaders, d.StripRequestHeaders)
		cfg.NamespaceLabelsConfigMaps = orDefault(cfg.NamespaceLabelsConfigMaps, d.NamespaceLabelsConfigMaps)
		cfg.RuntimeRoutes.Mode = orString(cfg.RuntimeRoutes.Mode, d.RuntimeRoutes.Mode)
		return &cfg, true, nil
	}
	if cfg.IstioGateway == "" {
		gw, err := onlyIngressGateway(items)
		if err != nil || gw == "" {
			return nil, false, err
		}
		cfg.IstioGateway = gw
	}
	ns, name, _ := strings.Cut(cfg.IstioGateway, "/")
	cfg.Gateway = ingress.Gateway{Namespace: orString(cfg.Gateway.Namespace, ns), Name: orString(cfg.Gateway.Name, name)}
	cfg.StripRequestHeaders = orDefault(cfg.StripRequestHeaders, []string{})
	cfg.NamespaceLabelsConfigMaps = orDefault(cfg.NamespaceLabelsConfigMaps, []kit.ConfigMapRef{})
	cfg.RuntimeRoutes.Mode = orString(cfg.RuntimeRoutes.Mode, RuntimeNone)
	return &cfg, given.Gateway.Namespace != "", nil
}

// onlyIngressGateway is the bundle's one Istio ingress Gateway
// (namespace/name); "": none, or no VirtualService is bound to any (a
// gateway's own component: nothing of it is converted without config).
// Several are an error: which one the Gateway replaces is the user's
// choice.
func onlyIngressGateway(items fn.KubeObjects) (string, error) {
	var found []string
	bound := map[string]bool{}
	for _, o := range items {
		switch {
		case istio.GatewayKind.Is(o) && !egressGateway(o):
			found = append(found, o.GetNamespace()+"/"+o.GetName())
		case istio.VirtualServiceKind.Is(o):
			refs, _, _ := o.NestedStringSlice("spec", "gateways")
			for _, g := range refs {
				bound[istio.GatewayRef(g, o.GetNamespace())] = true
			}
		}
	}
	if !slices.ContainsFunc(found, func(g string) bool { return bound[g] }) {
		return "", nil
	}
	if len(found) == 1 {
		return found[0], nil
	}
	slices.Sort(found)
	return "", fmt.Errorf("the bundle has %d Istio ingress Gateways (%s): set istioGateway to the one whose VirtualServices to convert", len(found), strings.Join(found, ", "))
}

// egressGateway reports whether an Istio Gateway runs on an egress
// gateway (istio: egressgateway, Istio's own label for it).
func egressGateway(o *fn.KubeObject) bool {
	selector, _, _ := o.NestedStringMap("spec", "selector")
	for _, v := range selector {
		if strings.Contains(v, "egressgateway") {
			return true
		}
	}
	return false
}

// planListeners decides the Gateway's listeners: the config's when it sets
// hostnames, httpPort or https; else the Istio Gateway's servers; else
// those of the Gateway an earlier run emitted; else one HTTP listener on
// port 80 for any host. cfg gets the hostnames and HTTP
// port the listeners have (run-time routes are checked against them).
func (c *converter) planListeners(items fn.KubeObjects, cfg, given *Config, gw *fn.KubeObject) error {
	configured := given.Hostnames != nil || given.HTTPPort != 0 || given.HTTPS != nil
	if !configured && gw == nil {
		// A second run: the Istio Gateway is gone, the Gateway emitted from
		// its servers keeps their listeners.
		if ls := emittedListeners(items, cfg.Gateway); ls != nil {
			c.listeners = ls
			cfg.Hostnames, cfg.HTTPPort = listenerHostnames(ls), httpPortOf(ls)
			return nil
		}
	}
	if configured || gw == nil {
		cfg.Hostnames = orDefault(cfg.Hostnames, []string{"*"})
		if cfg.HTTPPort == 0 {
			cfg.HTTPPort = 80
		}
		c.listeners = configListeners(cfg)
		return nil
	}
	ls, err := c.serverListeners(gw, cfg.Gateway.Namespace)
	if err != nil {
		return err
	}
	c.listeners = ls
	cfg.Hostnames, cfg.HTTPPort = listenerHostnames(ls), httpPortOf(ls)
	return nil
}

// istioGatewayObject is the configured Istio Gateway in items; nil: none.
func istioGatewayObject(items fn.KubeObjects, ref string) *fn.KubeObject {
	ns, name, _ := strings.Cut(ref, "/")
	for _, o := range items {
		if istio.GatewayKind.Is(o) && o.GetNamespace() == ns && o.GetName() == name {
			return o
		}
	}
	return nil
}

func orString(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func orDefault[T any](v, def []T) []T {
	if v == nil {
		return def
	}
	return v
}

// nothingToConvert warns, saying why, that the run changes nothing.
// expected is the Istio Gateway looked for; "": none is configured and the
// bundle has none.
func (c *converter) nothingToConvert(items fn.KubeObjects, expected string) {
	var gateways []string
	bound := map[string]bool{}
	for _, o := range items {
		switch {
		case istio.GatewayKind.Is(o):
			gateways = append(gateways, o.GetNamespace()+"/"+o.GetName())
		case istio.VirtualServiceKind.Is(o):
			refs, _, _ := o.NestedStringSlice("spec", "gateways")
			for _, g := range refs {
				if g != "mesh" {
					bound[istio.GatewayRef(g, o.GetNamespace())] = true
				}
			}
		}
	}
	var why string
	switch {
	case expected == "" && len(gateways) > 0:
		slices.Sort(gateways)
		why = fmt.Sprintf("no VirtualService is bound to the bundle's Istio Gateways (%s) and no istioGateway is configured", strings.Join(gateways, ", "))
	case expected == "" && len(bound) == 0:
		why = "the bundle has no Istio Gateway and no VirtualService bound to one, and no istioGateway is configured"
	case expected == "":
		why = "the bundle has no Istio ingress Gateway and no istioGateway is configured"
	default:
		why = fmt.Sprintf("Istio Gateway %s (istioGateway) is not in the bundle and no VirtualService is bound to it", expected)
		if len(gateways) > 0 {
			slices.Sort(gateways)
			why += fmt.Sprintf("; the bundle's Istio Gateways are %s", strings.Join(gateways, ", "))
		}
	}
	if len(bound) > 0 {
		why += fmt.Sprintf("; its VirtualServices are bound to %s", strings.Join(slices.Sorted(maps.Keys(bound)), ", "))
	}
	if len(gateways) > 0 || len(bound) > 0 {
		why += ": set istioGateway to the one to convert"
	}
	c.warn(nil, "", "nothing converted: %s", why)
	kit.Summary(c.results, "kgateway-route: nothing converted")
}
