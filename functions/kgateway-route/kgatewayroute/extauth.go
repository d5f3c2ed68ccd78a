package kgatewayroute

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// extAuth translates a CUSTOM policy and its mesh-config provider into a
// GatewayExtension; the policy's notPaths become the exemption.
func (c *converter) extAuth(o *fn.KubeObject, ap *authorizationPolicy, mesh *meshConfig, meshObj *fn.KubeObject) (*fn.KubeObject, exemption, error) {
	provider := ap.Spec.Provider.Name
	if mesh == nil {
		return nil, nil, kit.Errorf(o, "spec.provider", "ext-authz provider %q cannot be translated: no mesh config %s/%s in the bundle", provider, c.cfg.MeshConfig.Namespace, c.cfg.MeshConfig.Name)
	}
	i := slices.IndexFunc(mesh.ExtensionProviders, func(p extensionProvider) bool { return p.Name == provider })
	if i < 0 {
		return nil, nil, kit.Errorf(o, "spec.provider.name", "ext-authz provider %q is not in the mesh config %s/%s", provider, meshObj.GetNamespace(), meshObj.GetName())
	}
	spec, kind, err := c.extAuthSpec(meshObj, mesh.ExtensionProviders[i])
	if err != nil {
		return nil, nil, err
	}
	c.reportUntranslatedConditions(o, ap, provider)
	gw := c.cfg.Gateway
	obj, err := newObject(kgatewayVersion, "GatewayExtension", gw.Namespace, provider, managedLabels, nil, spec)
	if err != nil {
		return nil, nil, err
	}
	exempt := notPaths(ap)
	c.info(o, "", "translated with mesh config provider %s (%s) into GatewayExtension %s/%s; exempt paths %v", provider, kind, gw.Namespace, provider, exempt)
	return obj, exempt, nil
}

// extAuthSpec is the GatewayExtension spec of a mesh-config ext-authz
// provider and the kind of the provider.
func (c *converter) extAuthSpec(meshObj *fn.KubeObject, p extensionProvider) (map[string]any, string, error) {
	field := "data." + c.cfg.MeshConfig.Key
	var ext map[string]any
	var svc, kind, service string
	var port int32
	switch {
	case p.EnvoyExtAuthzHTTP != nil:
		h := p.EnvoyExtAuthzHTTP
		svc, port, kind, service = h.Service, h.Port, "envoyExtAuthzHttp", "httpService"
		var err error
		if ext, err = httpExtAuth(h); err != nil {
			return nil, "", kit.Errorf(meshObj, field, "extension provider %q: %v", p.Name, err)
		}
	case p.EnvoyExtAuthzGRPC != nil:
		g := p.EnvoyExtAuthzGRPC
		svc, port, kind, service = g.Service, g.Port, "envoyExtAuthzGrpc", "grpcService"
		ext = map[string]any{"grpcService": map[string]any{}}
		if g.FailOpen {
			ext["failOpen"] = true
		}
	default:
		return nil, "", kit.Errorf(meshObj, field, "extension provider %q cannot be translated: it is neither envoyExtAuthzHttp nor envoyExtAuthzGrpc", p.Name)
	}
	name, ns, ok := serviceHost(svc, "", c.cfg.ClusterDomain)
	if !ok || ns == "" {
		return nil, "", kit.Errorf(meshObj, field, "extension provider %q cannot be translated: service %q is not a Service FQDN (name.namespace.svc.%s)", p.Name, svc, c.cfg.ClusterDomain)
	}
	ext[service].(map[string]any)["backendRef"] = map[string]any{"name": name, "namespace": ns, "port": int64(port)}
	if gw := c.cfg.Gateway; ns != gw.Namespace {
		c.grants.add(ns, "GatewayExtension", gw.Namespace, name)
	}
	return map[string]any{"extAuth": ext}, kind, nil
}

// httpExtAuth is the extAuth of an envoyExtAuthzHttp provider, without its
// backendRef.
func httpExtAuth(h *extAuthzHTTP) (map[string]any, error) {
	httpService := map[string]any{}
	if h.PathPrefix != "" {
		httpService["pathPrefix"] = h.PathPrefix
	}
	if h.Timeout != "" {
		d, err := gepDuration(h.Timeout)
		if err != nil {
			return nil, fmt.Errorf("timeout: %v", err)
		}
		httpService["requestTimeout"] = d
	}
	resp := map[string]any{}
	for key, headers := range map[string][]string{
		"headersToBackend":         h.HeadersToUpstreamOnAllow,
		"headersToClient":          h.HeadersToDownstreamOnDeny,
		"headersToClientOnSuccess": h.HeadersToDownstreamOnAllow,
	} {
		if len(headers) > 0 {
			resp[key] = toAny(headers)
		}
	}
	if len(resp) > 0 {
		httpService["authorizationResponse"] = resp
	}
	ext := map[string]any{"httpService": httpService}
	if len(h.IncludeRequestHeadersInCheck) > 0 {
		ext["headersToForward"] = toAny(h.IncludeRequestHeadersInCheck)
	}
	if h.FailOpen {
		ext["failOpen"] = true
	}
	if h.StatusOnError != "" {
		n, err := strconv.Atoi(h.StatusOnError)
		if err != nil {
			return nil, fmt.Errorf("statusOnError %q is not an HTTP status code", h.StatusOnError)
		}
		ext["statusOnError"] = int64(n)
	}
	return ext, nil
}

// reportUntranslatedConditions warns about the conditions of a CUSTOM
// policy that kgateway's ext-auth does not take: it then calls the provider
// on more requests than Istio did, never fewer.
func (c *converter) reportUntranslatedConditions(o *fn.KubeObject, ap *authorizationPolicy, provider string) {
	if slices.ContainsFunc(ap.Spec.Rules, func(r authorizationRule) bool { return len(r.When) > 0 }) {
		c.warn(o, "spec.rules.when", "conditions are not translated: kgateway calls %s on every request outside the exempt paths, also when an Authorization header is present (let it accept bearer tokens, e.g. oauth2-proxy skip_jwt_bearer_tokens)", provider)
	}
	if slices.ContainsFunc(ap.Spec.Rules, func(r authorizationRule) bool { return len(r.From) > 0 }) {
		c.warn(o, "spec.rules.from", "source conditions are not translated")
	}
	for _, r := range ap.Spec.Rules {
		for _, t := range r.To {
			for _, k := range slices.Sorted(maps.Keys(t.Operation)) {
				if k != "notPaths" {
					c.warn(o, "spec.rules.to.operation."+k, "only notPaths is translated (as routes exempt from %s)", provider)
				}
			}
		}
	}
}

// requiresJWT reports whether a DENY policy denies requests without a
// request principal (Kubeflow's istio-ingressgateway-require-jwt).
func requiresJWT(ap *authorizationPolicy) bool {
	for _, r := range ap.Spec.Rules {
		for _, f := range r.From {
			if slices.Contains(f.Source["notRequestPrincipals"], "*") {
				return true
			}
		}
	}
	return false
}

// notPaths are the paths a policy exempts.
func notPaths(ap *authorizationPolicy) exemption {
	e := exemption{}
	for _, r := range ap.Spec.Rules {
		for _, t := range r.To {
			e = append(e, t.Operation["notPaths"]...)
		}
	}
	sort.Strings(e)
	return e
}
