package kgatewayroute

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// jwtExtension translates a RequestAuthentication into a GatewayExtension
// with one JWT provider per rule; it returns the claim headers it sets. No
// rule translated is an error: requests would pass unauthenticated.
func (c *converter) jwtExtension(o *fn.KubeObject, ra *requestAuthentication) (*fn.KubeObject, []string, error) {
	gw := c.cfg.Gateway
	var providers []any
	var headers []string
	for i, r := range ra.Spec.JWTRules {
		p, claimHeaders := c.jwtProvider(o, i, r)
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
	return obj, headers, nil
}

// jwtProvider translates spec.jwtRules[i] into a kgateway JWT provider and
// the claim headers it sets; no provider: its key set cannot be reached
// (reported).
func (c *converter) jwtProvider(o *fn.KubeObject, i int, r jwtRule) (map[string]any, []string) {
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
	jwks, ok := c.jwks(o, field, r)
	if !ok {
		return nil, headers
	}
	p["jwks"] = jwks
	return p, headers
}

// jwks is the key set of a JWT rule: inline, or remote at a Service of the
// cluster; false: the key set URL is not a Service (reported).
func (c *converter) jwks(o *fn.KubeObject, field string, r jwtRule) (map[string]any, bool) {
	if r.Jwks != "" {
		return map[string]any{"local": map[string]any{"inline": r.Jwks}}, true
	}
	uri := r.JwksURI
	if uri == "" {
		// Istio discovers the key set through OIDC discovery; kgateway
		// needs its URL. Dex serves it at <issuer>/keys.
		uri = strings.TrimSuffix(r.Issuer, "/") + "/keys"
		c.info(o, field+".issuer", "no jwksUri: using %s (the key set URL of dex); set jwksUri if the issuer is not dex", uri)
	}
	ref, ok := c.urlBackend(uri)
	if !ok {
		c.warn(o, field, "key set URL %s is not a Service of the cluster: provider not translated", uri)
		return nil, false
	}
	return map[string]any{"remote": map[string]any{"url": uri, "backendRef": ref}}, true
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
