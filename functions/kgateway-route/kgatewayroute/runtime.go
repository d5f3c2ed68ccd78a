package kgatewayroute

import (
	"slices"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// resolveRuntimeRoutes returns the config of this run: cfg with the tenant
// prefixes read from the bundle when the config leaves them unset.
func resolveRuntimeRoutes(items fn.KubeObjects, cfg *Config, results *fn.Results) (*Config, error) {
	resolved := *cfg
	resolved.RuntimeRoutes.Prefixes = slices.Clone(cfg.RuntimeRoutes.Prefixes)
	if resolved.RuntimeRoutes.Mode == RuntimeNone {
		return &resolved, nil
	}
	return &resolved, resolvePrefixes(items, &resolved, results)
}

// runtimeRoutes emits what reaches the routes of VirtualServices created at
// run time: the bridge, or the runtime-sync controller.
func (c *converter) runtimeRoutes(services []*fn.KubeObject, out *output) error {
	switch c.cfg.RuntimeRoutes.Mode {
	case RuntimeBridge:
		bridge, err := c.bridge(services)
		if err != nil {
			return err
		}
		for _, b := range bridge {
			out.put(b)
			c.routeNamespaces[b.GetNamespace()] = true
		}
	case RuntimeController:
		objs, err := c.runtimeSync()
		if err != nil {
			return err
		}
		for _, o := range objs {
			out.put(o)
		}
	}
	return nil
}

// finishController labels the namespaces the Gateway admits routes from
// and removes the Istio ingress gateway, which nothing routes through any
// more. items are the output items; original are the input's.
func (c *converter) finishController(items, original, vss []*fn.KubeObject, drop map[*fn.KubeObject]bool) error {
	if err := c.labelRouteNamespaces(kit.EditableItems(items)); err != nil {
		return err
	}
	if !c.cfg.RemoveIstioIngress {
		return nil
	}
	return c.removeIstioIngressGateway(original, vss, drop)
}
