package kgatewayroute

import (
	"maps"
	"slices"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/ingress"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// allowedRoutes is the listeners' allowedRoutes. In controller mode they
// admit the namespaces labelled with the Gateway's route-admission label:
// the platform namespaces holding routes (labelled here) and every profile
// namespace (labelled by the profile controller from its namespace-labels
// file), so that runtime-sync's routes there are admitted and no other
// namespace's are. Otherwise exactly the namespaces that hold routes now.
func (c *converter) allowedRoutes(namespaces []string) map[string]any {
	if c.cfg.RuntimeRoutes.Mode == RuntimeController {
		return map[string]any{"namespaces": map[string]any{
			"from":     "Selector",
			"selector": map[string]any{"matchLabels": map[string]any{c.cfg.Gateway.RoutesLabel(): ingress.RoutesLabelValue}},
		}}
	}
	if len(namespaces) == 0 {
		return map[string]any{"namespaces": map[string]any{"from": "Same"}}
	}
	return map[string]any{"namespaces": map[string]any{
		"from": "Selector",
		"selector": map[string]any{"matchExpressions": []any{map[string]any{
			"key": "kubernetes.io/metadata.name", "operator": "In", "values": toAny(namespaces),
		}}},
	}}
}

// gatewayNamespace is the Namespace object the Gateway and runtime-sync
// live in. When the bundle lacks it and the Kubeflow preset or the config
// named it, it is created (the Applications do not create namespaces) and
// enrolled in ambient, as ambient-mesh, which runs earlier in the pipeline,
// enrols it when the bundle has it: so a second run of the pipeline changes
// nothing. A Gateway named after the Istio Gateway lives where that one
// does, in a namespace that is not this bundle's to create: nil.
func (c *converter) gatewayNamespace(items fn.KubeObjects) (ns *fn.KubeObject, created bool, err error) {
	name := c.cfg.Gateway.Namespace
	for _, o := range items {
		if kit.NamespaceKind.Is(o) && o.GetName() == name {
			return o, false, nil
		}
	}
	if !c.createNamespace {
		return nil, false, nil
	}
	labels := maps.Clone(managedLabels)
	labels[dataplaneModeLabel] = "ambient"
	ns, err = newObject("v1", "Namespace", "", name, labels, nil, nil)
	if err != nil {
		return nil, false, err
	}
	c.info(ns, "", "created: the bundle has no Namespace %s for the Gateway; enrolled in ambient, as ambient-mesh enrols it", name)
	return ns, true, nil
}

// labelRouteNamespaces puts the Gateway's route-admission label on the
// Namespaces that hold routes on it and into the profile controller's
// namespace-labels files (keeping every other key). Controller mode only.
func (c *converter) labelRouteNamespaces(items fn.KubeObjects) error {
	key, value := c.cfg.Gateway.RoutesLabel(), ingress.RoutesLabelValue
	namespaces := map[string]*fn.KubeObject{}
	for _, o := range items {
		if kit.NamespaceKind.Is(o) {
			namespaces[o.GetName()] = o
		}
	}
	for _, name := range slices.Sorted(maps.Keys(c.routeNamespaces)) {
		o := namespaces[name]
		switch {
		case o == nil:
			c.warn(nil, "", "namespace %s holds HTTPRoutes on Gateway %s/%s but its Namespace is not in the bundle: label it %s=%s, or the Gateway does not admit them",
				name, c.cfg.Gateway.Namespace, c.cfg.Gateway.Name, key, value)
		case o.GetLabels()[key] != value:
			if err := o.SetLabel(key, value); err != nil {
				return kit.Errorf(o, "metadata.labels", "%v", err)
			}
			c.info(o, "metadata.labels", "set %s=%s: Gateway %s/%s admits the HTTPRoutes of this namespace", key, value, c.cfg.Gateway.Namespace, c.cfg.Gateway.Name)
		}
	}
	found := false
	for _, o := range items {
		for _, ref := range c.cfg.NamespaceLabelsConfigMaps {
			if !ref.Matches(o) {
				continue
			}
			found = true
			changed, err := kit.SetEmbeddedYAMLFields(o, ref.Key, map[string]string{key: value})
			if err != nil {
				return err
			}
			if len(changed) > 0 {
				c.info(o, "data."+ref.Key, "set %s: %s so that Gateway %s/%s admits the HTTPRoutes runtime-sync writes in profile namespaces", key, value, c.cfg.Gateway.Namespace, c.cfg.Gateway.Name)
			}
		}
	}
	if !found && len(c.cfg.NamespaceLabelsConfigMaps) > 0 {
		kit.Info(c.results, nil, "namespaceLabelsConfigMaps", "no namespace-labels ConfigMap of the profile controller in the bundle: profile namespaces need label %s=%s for their routes to be admitted", key, value)
	}
	return nil
}
