package kgatewayroute

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// jwtExtension translates a RequestAuthentication into a GatewayExtension
// with one JWT provider per rule, followed by the Backends of key sets
// outside the cluster; it returns the claim headers it sets. No rule
// translated is an error: requests would pass unauthenticated.
func (c *converter) jwtExtension(o *fn.KubeObject, ra *requestAuthentication) ([]*fn.KubeObject, []string, error) {
	gw := c.cfg.Gateway
	var providers []any
	var headers []string
	var backends []*fn.KubeObject
	for i, r := range ra.Spec.JWTRules {
		p, claimHeaders, objs, err := c.jwtProvider(o, i, r)
		if err != nil {
			return nil, nil, err
		}
		for _, b := range objs {
			if !slices.ContainsFunc(backends, func(x *fn.KubeObject) bool { return x.GetKind() == b.GetKind() && x.GetName() == b.GetName() }) {
				backends = append(backends, b)
			}
		}
		// The claim headers are stripped even when the provider is not
		// translated: clients must not set them either way.
		headers = append(headers, claimHeaders...)
		if p != nil {
			providers = append(providers, p)
		}
	}
	if len(providers) == 0 {
		return nil, nil, kit.Errorf(o, "spec.jwtRules", "no JWT rule could be translated into a kgateway JWT provider")
	}
	spec := map[string]any{"jwt": map[string]any{"providers": providers}}
	obj, err := newObject(kgatewayVersion, "GatewayExtension", gw.Namespace, o.GetName(), managedLabels, nil, spec)
	if err != nil {
		return nil, nil, err
	}
	c.info(o, "", "translated into GatewayExtension %s/%s (claims to headers %v)", gw.Namespace, o.GetName(), headers)
	return append([]*fn.KubeObject{obj}, backends...), headers, nil
}

// jwtProvider translates spec.jwtRules[i] into a kgateway JWT provider, the
// claim headers it sets and the objects its key set needs; no provider: its
// key set cannot be reached (reported).
func (c *converter) jwtProvider(o *fn.KubeObject, i int, r jwtRule) (map[string]any, []string, []*fn.KubeObject, error) {
	field := "spec.jwtRules[" + strconv.Itoa(i) + "]"
	p := map[string]any{"name": providerName(r.Issuer, i), "issuer": r.Issuer}
	if len(r.Audiences) > 0 {
		p["audiences"] = toAny(r.Audiences)
	}
	switch {
	case len(r.FromHeaders) > 0:
		h := map[string]any{"header": r.FromHeaders[0].Name}
		if r.FromHeaders[0].Prefix != "" {
			h["prefix"] = r.FromHeaders[0].Prefix
		}
		p["tokenSource"] = map[string]any{"header": h}
		if len(r.FromHeaders) > 1 {
			c.warn(o, field+".fromHeaders", "only the first token header is translated")
		}
	case len(r.FromParams) > 0:
		p["tokenSource"] = map[string]any{"queryParameter": r.FromParams[0]}
	}
	var claims []any
	var headers []string
	for _, h := range r.OutputClaimToHeaders {
		claims = append(claims, map[string]any{"name": h.Claim, "header": h.Header})
		headers = append(headers, strings.ToLower(h.Header))
	}
	if len(claims) > 0 {
		p["claimsToHeaders"] = claims
	}
	if r.ForwardOriginalToken {
		p["forwardToken"] = true
	}
	if r.OutputPayloadToHeader != "" {
		c.warn(o, field+".outputPayloadToHeader", "not translated")
	}
	jwks, objs, err := c.jwks(o, field, r)
	if err != nil || jwks == nil {
		return nil, headers, nil, err
	}
	p["jwks"] = jwks
	return p, headers, objs, nil
}

// jwks is the key set of a JWT rule: inline, remote at a Service of the
// cluster, or remote at an https host outside it (with the Backend and TLS
// policy that reach it); nil: the key set URL is neither (reported).
func (c *converter) jwks(o *fn.KubeObject, field string, r jwtRule) (map[string]any, []*fn.KubeObject, error) {
	if r.Jwks != "" {
		return map[string]any{"local": map[string]any{"inline": r.Jwks}}, nil, nil
	}
	uri := r.JwksURI
	if uri == "" {
		// Istio discovers the key set through OIDC discovery; kgateway
		// needs its URL. Dex serves it at <issuer>/keys.
		uri = strings.TrimSuffix(r.Issuer, "/") + "/keys"
		c.info(o, field+".issuer", "no jwksUri: using %s (the key set URL of dex); set jwksUri if the issuer is not dex", uri)
	}
	if ref, ok := c.urlBackend(uri); ok {
		return map[string]any{"remote": map[string]any{"url": uri, "backendRef": ref}}, nil, nil
	}
	ref, objs, err := c.externalKeySet(uri)
	if err != nil {
		return nil, nil, kit.Errorf(o, field+".jwksUri", "%v", err)
	}
	if ref == nil {
		c.warn(o, field, "key set URL %s is neither a Service of the cluster nor an https URL: provider not translated", uri)
		return nil, nil, nil
	}
	c.info(o, field+".jwksUri", "key set %s outside the cluster: fetched through Backend %s/%s (TLS verified against the system's CA certificates)", uri, c.cfg.Gateway.Namespace, ref["name"])
	return map[string]any{"remote": map[string]any{"url": uri, "backendRef": ref}}, objs, nil
}

// urlBackend resolves an in-cluster URL to a Service backendRef, adding the
// ReferenceGrant the GatewayExtension needs.
func (c *converter) urlBackend(raw string) (map[string]any, bool) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, false
	}
	name, ns, ok := serviceHost(u.Hostname(), "", c.cfg.ClusterDomain)
	if !ok || ns == "" {
		return nil, false
	}
	port := int64(80)
	if u.Scheme == "https" {
		port = 443
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil, false
		}
		port = int64(n)
	}
	if ns != c.cfg.Gateway.Namespace {
		c.grants.add(ns, "GatewayExtension", c.cfg.Gateway.Namespace, name)
	}
	return map[string]any{"name": name, "namespace": ns, "port": port}, true
}

func providerName(issuer string, i int) string {
	if u, err := url.Parse(issuer); err == nil && u.Hostname() != "" {
		return strings.SplitN(u.Hostname(), ".", 2)[0]
	}
	return "provider-" + strconv.Itoa(i)
}
