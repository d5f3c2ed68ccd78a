package identityprovider

import (
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// bundle is what the modes edit: dex's config and Deployment, and
// oauth2-proxy's (mode oidc). Each is nil when the bundle does not hold it:
// a bundle may be one part of the platform (dex, oauth2-proxy and the Istio
// policies are rendered apart), and what is rendered elsewhere stays on dex,
// which fails closed (dex's issuer does not accept the provider's tokens).
type bundle struct {
	dex         *dexConfig
	dexDeploy   *fn.KubeObject
	proxy       *proxyConfig
	proxyDeploy *fn.KubeObject
}

func findBundle(items fn.KubeObjects, s settings) (*bundle, error) {
	b := &bundle{}
	dexCM, err := oneConfigMap(items, s.Dex.Config)
	if err != nil {
		return nil, err
	}
	if dexCM != nil {
		if b.dex, err = readDexConfig(dexCM, s.Dex.Config.Key); err != nil {
			return nil, err
		}
		if b.dexDeploy, err = deployment(items, s.Dex, "dex"); err != nil {
			return nil, err
		}
	}
	if s.mode == ModeDexConnector {
		if b.dex == nil {
			return b, nil
		}
		if v, set := envValue(b.dexDeploy, s.Dex.Container, "DEX_EXPAND_ENV"); set {
			if on, err := strconv.ParseBool(v); err == nil && !on {
				return nil, kit.Errorf(b.dexDeploy, "spec.template.spec.containers.env", "DEX_EXPAND_ENV is false: dex would not read the connector's secret from $%s", connectorSecretEnv)
			}
		}
		return b, nil
	}
	proxyCM, err := oneConfigMap(items, s.OAuth2Proxy.Config)
	if err != nil || proxyCM == nil {
		return b, err
	}
	if b.proxy, err = readProxyConfig(proxyCM, s.OAuth2Proxy.Config.Key); err != nil {
		return nil, err
	}
	if b.proxyDeploy, err = deployment(items, s.OAuth2Proxy, "oauth2Proxy"); err != nil {
		return nil, err
	}
	return b, nil
}

// oneConfigMap is the ConfigMap ref names (nil: none); two are an error,
// since which one the pods mount is not knowable here.
func oneConfigMap(items fn.KubeObjects, ref kit.ConfigMapRef) (*fn.KubeObject, error) {
	var found *fn.KubeObject
	for _, o := range items {
		if !ref.Matches(o) {
			continue
		}
		if found != nil {
			return nil, kit.Errorf(o, "metadata.name", "a second ConfigMap %s/%s (also %s): keep one", ref.Namespace, ref.Name, found.GetName())
		}
		found = o
	}
	return found, nil
}

func deployment(items fn.KubeObjects, w Workload, field string) (*fn.KubeObject, error) {
	for _, o := range items {
		if kit.DeploymentKind.Is(o) && o.GetNamespace() == w.Namespace && o.GetName() == w.Deployment {
			if !hasContainer(o, w.Container) {
				return nil, kit.Errorf(o, "spec.template.spec.containers", "no container %q (%s.container)", w.Container, field)
			}
			return o, nil
		}
	}
	return nil, fmt.Errorf("%s.deployment: no Deployment %s/%s in the bundle", field, w.Namespace, w.Deployment)
}

// hashSecrets are the Secrets the container takes whole (envFrom) that
// hold only the given variables: the removed users' password hashes.
func hashSecrets(items fn.KubeObjects, deploy *fn.KubeObject, container string, vars []string) []*fn.KubeObject {
	if len(vars) == 0 {
		return nil
	}
	refs := map[string]bool{}
	cs, _, _ := deploy.NestedSlice("spec", "template", "spec", "containers")
	for _, c := range cs {
		if n, _, _ := c.NestedString("name"); n != container {
			continue
		}
		from, _, _ := c.NestedSlice("envFrom")
		for _, f := range from {
			if n, _, _ := f.NestedString("secretRef", "name"); n != "" {
				refs[n] = true
			}
		}
	}
	var out []*fn.KubeObject
	for _, o := range kit.EditableItems(items) {
		if !kit.SecretKind.Is(o) || o.GetNamespace() != deploy.GetNamespace() || !refs[o.GetName()] {
			continue
		}
		data, _, _ := o.NestedStringMap("data")
		str, _, _ := o.NestedStringMap("stringData")
		keys := slices.Collect(maps.Keys(data))
		keys = append(keys, slices.Collect(maps.Keys(str))...)
		if len(keys) > 0 && !slices.ContainsFunc(keys, func(k string) bool { return !slices.Contains(vars, k) }) {
			out = append(out, o)
		}
	}
	return out
}
