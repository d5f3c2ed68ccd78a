package kgatewayroute

import (
	"maps"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/yaml"
)

// The Istio side of Kubeflow's ingress authentication.

type meshConfig struct {
	RootNamespace      string `json:"rootNamespace"`
	ExtensionProviders []struct {
		Name              string        `json:"name"`
		EnvoyExtAuthzHTTP *extAuthzHTTP `json:"envoyExtAuthzHttp"`
		EnvoyExtAuthzGRPC *extAuthzGRPC `json:"envoyExtAuthzGrpc"`
	} `json:"extensionProviders"`
}

type extAuthzHTTP struct {
	Service                      string   `json:"service"`
	Port                         int32    `json:"port"`
	PathPrefix                   string   `json:"pathPrefix"`
	Timeout                      string   `json:"timeout"`
	FailOpen                     bool     `json:"failOpen"`
	StatusOnError                string   `json:"statusOnError"`
	IncludeRequestHeadersInCheck []string `json:"includeRequestHeadersInCheck"`
	HeadersToUpstreamOnAllow     []string `json:"headersToUpstreamOnAllow"`
	HeadersToDownstreamOnDeny    []string `json:"headersToDownstreamOnDeny"`
	HeadersToDownstreamOnAllow   []string `json:"headersToDownstreamOnAllow"`
}

type extAuthzGRPC struct {
	Service  string `json:"service"`
	Port     int32  `json:"port"`
	Timeout  string `json:"timeout"`
	FailOpen bool   `json:"failOpen"`
}

type authorizationPolicy struct {
	Spec struct {
		Selector *struct {
			MatchLabels map[string]string `json:"matchLabels"`
		} `json:"selector"`
		Action   string `json:"action"`
		Provider *struct {
			Name string `json:"name"`
		} `json:"provider"`
		Rules []struct {
			From []struct {
				Source map[string][]string `json:"source"`
			} `json:"from"`
			To []struct {
				Operation map[string][]string `json:"operation"`
			} `json:"to"`
			When []map[string]any `json:"when"`
		} `json:"rules"`
	} `json:"spec"`
}

type requestAuthentication struct {
	Spec struct {
		Selector *struct {
			MatchLabels map[string]string `json:"matchLabels"`
		} `json:"selector"`
		JWTRules []struct {
			Issuer      string   `json:"issuer"`
			Audiences   []string `json:"audiences"`
			JwksURI     string   `json:"jwksUri"`
			Jwks        string   `json:"jwks"`
			FromHeaders []struct {
				Name   string `json:"name"`
				Prefix string `json:"prefix"`
			} `json:"fromHeaders"`
			FromParams           []string `json:"fromParams"`
			OutputClaimToHeaders []struct {
				Header string `json:"header"`
				Claim  string `json:"claim"`
			} `json:"outputClaimToHeaders"`
			ForwardOriginalToken  bool   `json:"forwardOriginalToken"`
			OutputPayloadToHeader string `json:"outputPayloadToHeader"`
		} `json:"jwtRules"`
	} `json:"spec"`
}

// authOutput is what translateAuth emits and the Istio objects it translated.
type authOutput struct {
	objects []*fn.KubeObject
	sources []*fn.KubeObject
}

// exemption is a set of paths (Istio path globs) where an auth step is off.
type exemption []string

func (e exemption) covers(o uriOrigin) bool {
	if o.kind == "regex" || len(e) == 0 {
		return false
	}
	for _, g := range e {
		if p, wild := strings.CutSuffix(g, "*"); wild {
			if o.value != "" && strings.HasPrefix(o.value, strings.TrimRight(p, "*")) {
				return true
			}
		} else if o.kind == "exact" && o.value == g {
			return true
		}
	}
	return false
}

// translateAuth turns the ext-authz provider, the CUSTOM and require-JWT
// AuthorizationPolicies and the RequestAuthentication that apply to the
// Istio ingress gateway's pods into kgateway GatewayExtensions and
// TrafficPolicies, and emits the ListenerPolicy (identity headers stripped,
// websockets).
func (c *converter) translateAuth(items fn.KubeObjects, converted []*Conversion) authOutput {
	var out authOutput
	gw := c.cfg.Gateway
	// The claim headers of JWT providers already in the bundle (from an
	// earlier run whose RequestAuthentication is gone) stay stripped.
	strip := append([]string(nil), c.cfg.StripRequestHeaders...)
	for _, o := range items {
		if gatewayExtensionKind.Is(o) && o.GetNamespace() == gw.Namespace {
			providers, _, _ := o.NestedSlice("spec", "jwt", "providers")
			for _, p := range providers {
				claims, _, _ := p.NestedSlice("claimsToHeaders")
				for _, cl := range claims {
					if h, _, _ := cl.NestedString("header"); h != "" {
						strip = append(strip, h)
					}
				}
			}
		}
	}
	var trafficSpec = map[string]any{}
	var extAuthExempt, jwtExempt exemption
	var jwtExt *fn.KubeObject

	if c.cfg.Auth {
		podLabels, rootNS, mesh, meshObj := c.ingressContext(items)
		for _, o := range items {
			applies := func(sel map[string]string) bool {
				if o.GetNamespace() != rootNS && o.GetNamespace() != podLabels.namespace {
					return false
				}
				return podLabels.labels != nil && labelsMatch(sel, podLabels.labels)
			}
			switch {
			case kit.AuthorizationPol.Is(o):
				var ap authorizationPolicy
				if yaml.Unmarshal([]byte(o.String()), &ap) != nil || ap.Spec.Selector == nil || !applies(ap.Spec.Selector.MatchLabels) {
					continue
				}
				switch {
				case ap.Spec.Action == "CUSTOM" && ap.Spec.Provider != nil:
					if _, taken := trafficSpec["extAuth"]; taken {
						c.warn(o, "spec.provider", "a second CUSTOM policy on the ingress: kgateway takes one ext-auth per Gateway; not translated")
						continue
					}
					ext, exempt, ok := c.extAuth(o, &ap, mesh, meshObj)
					if !ok {
						continue
					}
					out.objects = append(out.objects, ext)
					out.sources = append(out.sources, o)
					extAuthExempt = exempt
					trafficSpec["extAuth"] = map[string]any{"extensionRef": map[string]any{"name": ext.GetName()}}
				case ap.Spec.Action == "DENY" && requiresJWT(&ap):
					out.sources = append(out.sources, o)
					jwtExempt = notPaths(&ap)
					c.info(o, "spec", "translated: requests without a valid JWT are rejected by the Strict JWT provider, except on the routes of paths %v", jwtExempt)
				}
			case kit.RequestAuth.Is(o):
				var ra requestAuthentication
				if yaml.Unmarshal([]byte(o.String()), &ra) != nil || ra.Spec.Selector == nil || !applies(ra.Spec.Selector.MatchLabels) {
					continue
				}
				if jwtExt != nil {
					c.warn(o, "spec", "a second RequestAuthentication on the ingress: merge its rules into %s; not translated", jwtExt.GetName())
					continue
				}
				ext, headers, ok := c.jwtExtension(o, &ra)
				if !ok {
					continue
				}
				out.objects = append(out.objects, ext)
				out.sources = append(out.sources, o)
				jwtExt = ext
				strip = append(strip, headers...)
				trafficSpec["jwtAuth"] = map[string]any{"extensionRef": map[string]any{"name": ext.GetName()}}
			}
		}
		// Strict JWT validation only where Istio denied requests without a principal.
		if jwtExt != nil {
			mode := "AllowMissing"
			if jwtExempt != nil {
				mode = "Strict"
			}
			_ = jwtExt.SetNestedString(mode, "spec", "jwt", "validationMode")
		}
	}
	if len(trafficSpec) > 0 {
		trafficSpec["targetRefs"] = []any{map[string]any{"group": kit.GroupGatewayAPI, "kind": "Gateway", "name": gw.Name}}
		if p, err := newObject(kgatewayVersion, "TrafficPolicy", gw.Namespace, gw.Name+"-auth", managedLabels, nil, trafficSpec); err == nil {
			out.objects = append(out.objects, p)
		}
		_, hasExt := trafficSpec["extAuth"]
		_, hasJWT := trafficSpec["jwtAuth"]
		if !hasExt {
			extAuthExempt = nil
		}
		if !hasJWT {
			jwtExempt = nil
		}
		out.objects = append(out.objects, c.exemptions(converted, extAuthExempt, jwtExempt)...)
	}
	if lp := c.listenerPolicy(strip); lp != nil {
		out.objects = append(out.objects, lp)
	}
	return out
}

type podLabels struct {
	namespace string
	labels    map[string]string
}

// ingressContext finds the labels of the Istio ingress gateway pods (the
// Deployment that the Istio Gateway's selector picks), the mesh root
// namespace and the mesh config.
func (c *converter) ingressContext(items fn.KubeObjects) (podLabels, string, *meshConfig, *fn.KubeObject) {
	ns, name, _ := strings.Cut(c.istioGateway, "/")
	var selector map[string]string
	var mesh *meshConfig
	var meshObj *fn.KubeObject
	for _, o := range items {
		switch {
		case kit.IstioGateway.Is(o) && o.GetNamespace() == ns && o.GetName() == name:
			selector, _, _ = o.NestedStringMap("spec", "selector")
		case c.cfg.MeshConfig.Matches(o):
			doc, _, _ := o.NestedString("data", c.cfg.MeshConfig.Key)
			m := &meshConfig{}
			if err := yaml.Unmarshal([]byte(doc), m); err != nil {
				c.warn(o, "data."+c.cfg.MeshConfig.Key, "mesh config is not readable: %v", err)
				continue
			}
			mesh, meshObj = m, o
		}
	}
	root := "istio-system"
	if mesh != nil && mesh.RootNamespace != "" {
		root = mesh.RootNamespace
	}
	pl := podLabels{}
	if selector == nil {
		return pl, root, mesh, meshObj
	}
	for _, o := range items {
		if !kit.DeploymentKind.Is(o) {
			continue
		}
		labels, _, _ := o.NestedStringMap("spec", "template", "metadata", "labels")
		if labelsMatch(selector, labels) {
			pl = podLabels{namespace: o.GetNamespace(), labels: labels}
			return pl, root, mesh, meshObj
		}
	}
	// No Deployment in the bundle: a Service selecting the same pods tells
	// more of their labels; else all that is known is the selector.
	pl.labels = selector
	for _, o := range items {
		if sel, _, _ := o.NestedStringMap("spec", "selector"); kit.ServiceKind.Is(o) && labelsMatch(selector, sel) {
			pl = podLabels{namespace: o.GetNamespace(), labels: sel}
			break
		}
	}
	return pl, root, mesh, meshObj
}

func labelsMatch(selector, labels map[string]string) bool {
	if len(selector) == 0 {
		return false
	}
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// extAuth translates a CUSTOM policy and its mesh-config provider into a
// GatewayExtension; the policy's notPaths become the exemption.
func (c *converter) extAuth(o *fn.KubeObject, ap *authorizationPolicy, mesh *meshConfig, meshObj *fn.KubeObject) (*fn.KubeObject, exemption, bool) {
	provider := ap.Spec.Provider.Name
	if mesh == nil {
		c.warn(o, "spec.provider", "ext-authz provider %q: no mesh config %s/%s in the bundle: not translated", provider, c.cfg.MeshConfig.Namespace, c.cfg.MeshConfig.Name)
		return nil, nil, false
	}
	gw := c.cfg.Gateway
	for _, p := range mesh.ExtensionProviders {
		if p.Name != provider {
			continue
		}
		spec := map[string]any{}
		var svc, field string
		var port int32
		switch {
		case p.EnvoyExtAuthzHTTP != nil:
			h := p.EnvoyExtAuthzHTTP
			svc, port, field = h.Service, h.Port, "envoyExtAuthzHttp"
			httpService := map[string]any{}
			if h.PathPrefix != "" {
				httpService["pathPrefix"] = h.PathPrefix
			}
			if h.Timeout != "" {
				if d, err := gepDuration(h.Timeout); err == nil {
					httpService["requestTimeout"] = d
				}
			}
			resp := map[string]any{}
			if len(h.HeadersToUpstreamOnAllow) > 0 {
				resp["headersToBackend"] = toAny(h.HeadersToUpstreamOnAllow)
			}
			if len(h.HeadersToDownstreamOnDeny) > 0 {
				resp["headersToClient"] = toAny(h.HeadersToDownstreamOnDeny)
			}
			if len(h.HeadersToDownstreamOnAllow) > 0 {
				resp["headersToClientOnSuccess"] = toAny(h.HeadersToDownstreamOnAllow)
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
			if n, err := strconv.Atoi(h.StatusOnError); err == nil {
				ext["statusOnError"] = int64(n)
			}
			spec["extAuth"] = ext
		case p.EnvoyExtAuthzGRPC != nil:
			g := p.EnvoyExtAuthzGRPC
			svc, port, field = g.Service, g.Port, "envoyExtAuthzGrpc"
			ext := map[string]any{"grpcService": map[string]any{}}
			if g.FailOpen {
				ext["failOpen"] = true
			}
			spec["extAuth"] = ext
		default:
			c.warn(meshObj, "data."+c.cfg.MeshConfig.Key, "extension provider %q is neither envoyExtAuthzHttp nor envoyExtAuthzGrpc: not translated", provider)
			return nil, nil, false
		}
		name, ns, ok := serviceHost(svc, "", c.cfg.ClusterDomain)
		if !ok || ns == "" {
			c.warn(meshObj, "data."+c.cfg.MeshConfig.Key, "extension provider %q service %q is not a Service FQDN: not translated", provider, svc)
			return nil, nil, false
		}
		ref := map[string]any{"name": name, "namespace": ns, "port": int64(port)}
		ext := spec["extAuth"].(map[string]any)
		for _, k := range []string{"httpService", "grpcService"} {
			if s, ok := ext[k].(map[string]any); ok {
				s["backendRef"] = ref
			}
		}
		if ns != gw.Namespace {
			c.grants.add(ns, "GatewayExtension", gw.Namespace, name)
		}
		for _, r := range ap.Spec.Rules {
			if len(r.When) > 0 {
				c.warn(o, "spec.rules.when", "conditions are not translated: kgateway calls %s on every request outside the exempt paths, also when an Authorization header is present (let it accept bearer tokens, e.g. oauth2-proxy skip_jwt_bearer_tokens)", provider)
				break
			}
		}
		for _, r := range ap.Spec.Rules {
			if len(r.From) > 0 {
				c.warn(o, "spec.rules.from", "source conditions are not translated")
				break
			}
		}
		exempt := notPaths(ap)
		for _, r := range ap.Spec.Rules {
			for _, t := range r.To {
				for k := range t.Operation {
					if k != "notPaths" {
						c.warn(o, "spec.rules.to.operation."+k, "only notPaths is translated (as routes exempt from %s)", provider)
					}
				}
			}
		}
		obj, err := newObject(kgatewayVersion, "GatewayExtension", gw.Namespace, provider, managedLabels, nil, spec)
		if err != nil {
			return nil, nil, false
		}
		c.info(o, "", "translated with mesh config provider %s (%s) into GatewayExtension %s/%s; exempt paths %v", provider, field, gw.Namespace, provider, exempt)
		return obj, exempt, true
	}
	c.warn(o, "spec.provider.name", "ext-authz provider %q is not in the mesh config: not translated", provider)
	return nil, nil, false
}

// requiresJWT reports whether a DENY policy denies requests without a
// request principal (Kubeflow's istio-ingressgateway-require-jwt).
func requiresJWT(ap *authorizationPolicy) bool {
	for _, r := range ap.Spec.Rules {
		for _, f := range r.From {
			for _, p := range f.Source["notRequestPrincipals"] {
				if p == "*" {
					return true
				}
			}
		}
	}
	return false
}

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

// jwtExtension translates a RequestAuthentication into a GatewayExtension
// with one JWT provider per rule; it returns the claim headers it sets.
func (c *converter) jwtExtension(o *fn.KubeObject, ra *requestAuthentication) (*fn.KubeObject, []string, bool) {
	gw := c.cfg.Gateway
	var providers []any
	var headers []string
	for i, r := range ra.Spec.JWTRules {
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
		switch {
		case r.Jwks != "":
			p["jwks"] = map[string]any{"local": map[string]any{"inline": r.Jwks}}
		default:
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
				continue
			}
			p["jwks"] = map[string]any{"remote": map[string]any{"url": uri, "backendRef": ref}}
		}
		providers = append(providers, p)
	}
	if len(providers) == 0 {
		return nil, nil, false
	}
	spec := map[string]any{"jwt": map[string]any{"providers": providers}}
	obj, err := newObject(kgatewayVersion, "GatewayExtension", gw.Namespace, o.GetName(), managedLabels, nil, spec)
	if err != nil {
		return nil, nil, false
	}
	c.info(o, "", "translated into GatewayExtension %s/%s (claims to headers %v)", gw.Namespace, o.GetName(), headers)
	return obj, headers, true
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

// exemptions emits, per converted HTTPRoute, a TrafficPolicy disabling the
// auth steps whose Istio policy exempted all the paths of some rules.
func (c *converter) exemptions(converted []*Conversion, extAuth, jwt exemption) []*fn.KubeObject {
	var out []*fn.KubeObject
	for _, cv := range converted {
		for _, route := range slices.Sorted(maps.Keys(cv.rules)) {
			rules := cv.rules[route]
			type combo struct{ ext, jwt bool }
			targets := map[combo][]string{}
			for _, r := range rules {
				k := combo{allCovered(extAuth, r.origins), allCovered(jwt, r.origins)}
				if (!k.ext && anyCovered(extAuth, r.origins)) || (!k.jwt && anyCovered(jwt, r.origins)) {
					c.warn(cv.vs.obj, httpPath(r.httpIndex)+".match", "rule %s of HTTPRoute %s mixes paths exempt from authentication with others: authentication stays on for all of them; split the route", *r.Name, route)
				}
				if k.ext || k.jwt {
					targets[k] = append(targets[k], string(*r.Name))
				}
			}
			for _, k := range []combo{{true, true}, {true, false}, {false, true}} {
				names := targets[k]
				if len(names) == 0 {
					continue
				}
				spec := map[string]any{}
				suffix := "-no"
				if k.ext {
					spec["extAuth"] = map[string]any{"disable": map[string]any{}}
					suffix += "-extauth"
				}
				if k.jwt {
					spec["jwtAuth"] = map[string]any{"disable": map[string]any{}}
					suffix += "-jwt"
				}
				var refs []any
				if len(names) == len(rules) {
					refs = []any{map[string]any{"group": kit.GroupGatewayAPI, "kind": "HTTPRoute", "name": route}}
				} else {
					for _, n := range names {
						refs = append(refs, map[string]any{"group": kit.GroupGatewayAPI, "kind": "HTTPRoute", "name": route, "sectionName": n})
					}
				}
				spec["targetRefs"] = refs
				if p, err := newObject(kgatewayVersion, "TrafficPolicy", cv.vs.obj.GetNamespace(), route+suffix, managedLabels, nil, spec); err == nil {
					out = append(out, p)
				}
			}
		}
	}
	return out
}

func anyCovered(e exemption, origins []uriOrigin) bool {
	for _, o := range origins {
		if e.covers(o) {
			return true
		}
	}
	return false
}

func allCovered(e exemption, origins []uriOrigin) bool {
	if len(e) == 0 || len(origins) == 0 {
		return false
	}
	for _, o := range origins {
		if !e.covers(o) {
			return false
		}
	}
	return true
}

// listenerPolicy strips the identity headers clients could forge before any
// filter runs and enables websocket upgrades.
func (c *converter) listenerPolicy(strip []string) *fn.KubeObject {
	gw := c.cfg.Gateway
	seen := map[string]bool{}
	var remove []string
	for _, h := range strip {
		h = strings.ToLower(h)
		if !seen[h] {
			seen[h] = true
			remove = append(remove, h)
		}
	}
	sort.Strings(remove)
	settings := map[string]any{}
	if len(remove) > 0 {
		settings["earlyRequestHeaderModifier"] = map[string]any{"remove": toAny(remove)}
	}
	if c.cfg.Websockets {
		settings["upgradeConfig"] = map[string]any{"enabledUpgrades": []any{"websocket"}}
	}
	if len(settings) == 0 {
		return nil
	}
	spec := map[string]any{
		"targetRefs": []any{map[string]any{"group": kit.GroupGatewayAPI, "kind": "Gateway", "name": gw.Name}},
		"default":    map[string]any{"httpSettings": settings},
	}
	p, err := newObject(kgatewayVersion, "ListenerPolicy", gw.Namespace, gw.Name, managedLabels, nil, spec)
	if err != nil {
		return nil
	}
	return p
}
