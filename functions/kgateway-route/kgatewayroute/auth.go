package kgatewayroute

import (
	"slices"
	"sort"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/istio"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/yaml"
)

// authOutput is what translateAuth emits and the Istio objects it translated.
type authOutput struct {
	objects []*fn.KubeObject
	sources []*fn.KubeObject
}

// authTranslation is what translateAuth collects from the policies of the
// Istio ingress gateway.
type authTranslation struct {
	authOutput
	// strip are the request headers the listener removes.
	strip []string
	// gatewayPolicy is the spec of the Gateway's auth TrafficPolicy.
	gatewayPolicy map[string]any
	// extAuthExempt and jwtExempt are the paths where each step is off.
	extAuthExempt, jwtExempt exemption
	jwtExt                   *fn.KubeObject
	// requireJWT is the DENY policy that requires a JWT, translated into
	// Strict validation by the JWT provider.
	requireJWT *fn.KubeObject
	// allowAll is set when an ALLOW policy allows every request: other
	// ALLOW policies then restrict nothing.
	allowAll bool
	// allowPolicies are the ALLOW policies that restrict requests.
	allowPolicies []*fn.KubeObject
}

// translateAuth turns the ext-authz provider, the CUSTOM and require-JWT
// AuthorizationPolicies and the RequestAuthentication that apply to the
// Istio ingress gateway's pods into kgateway GatewayExtensions and
// TrafficPolicies, and emits the ListenerPolicy (identity headers stripped,
// websockets).
func (c *converter) translateAuth(items fn.KubeObjects, converted []*Conversion) (authOutput, error) {
	t := &authTranslation{strip: c.strippedHeaders(items), gatewayPolicy: map[string]any{}}
	if c.cfg.Auth {
		if err := c.classifyAuth(items, t); err != nil {
			return authOutput{}, err
		}
		if err := t.enforceable(); err != nil {
			return authOutput{}, err
		}
		if err := t.chooseJWTMode(); err != nil {
			return authOutput{}, err
		}
	}
	if len(t.gatewayPolicy) > 0 {
		if err := c.emitGatewayAuth(t, converted); err != nil {
			return authOutput{}, err
		}
	}
	lp, err := c.listenerPolicy(t.strip)
	if err != nil {
		return authOutput{}, err
	}
	if lp != nil {
		t.objects = append(t.objects, lp)
	}
	return t.authOutput, nil
}

// strippedHeaders are the configured identity headers and the claim headers
// of JWT providers already in the bundle (from an earlier run whose
// RequestAuthentication is gone), which stay stripped.
func (c *converter) strippedHeaders(items fn.KubeObjects) []string {
	strip := append([]string(nil), c.cfg.StripRequestHeaders...)
	for _, o := range items {
		if !gatewayExtensionKind.Is(o) || o.GetNamespace() != c.cfg.Gateway.Namespace {
			continue
		}
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
	return strip
}

// classifyAuth finds the policies that apply to the Istio ingress gateway's
// pods and translates them; one that kgateway would not enforce as Istio
// did is an error, never skipped: the Istio policies are removed once
// translated, and traffic no longer passes the Istio ingress.
func (c *converter) classifyAuth(items fn.KubeObjects, t *authTranslation) error {
	ic, err := c.ingressContext(items)
	if err != nil {
		return err
	}
	for _, o := range items {
		var err error
		var ok bool
		switch {
		case istio.AuthorizationPolicyKind.Is(o):
			ap := &authorizationPolicy{}
			if ok, err = ic.selects(o, ap); ok {
				err = c.translateAuthorizationPolicy(o, ap, ic, t)
			}
		case istio.RequestAuthenticationKind.Is(o):
			ra := &requestAuthentication{}
			if ok, err = ic.selects(o, ra); ok {
				err = c.translateRequestAuthentication(o, ra, t)
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// translateAuthorizationPolicy translates a CUSTOM policy into the Gateway's
// ext-auth and a require-JWT DENY policy into Strict JWT validation.
func (c *converter) translateAuthorizationPolicy(o *fn.KubeObject, ap *authorizationPolicy, ic ingressContext, t *authTranslation) error {
	switch ap.Spec.Action {
	case "CUSTOM":
		if ap.Spec.Provider == nil {
			return kit.Errorf(o, "spec.provider", "a CUSTOM policy needs a provider")
		}
		if _, taken := t.gatewayPolicy["extAuth"]; taken {
			return kit.Errorf(o, "spec.provider", "a second CUSTOM policy on the Istio ingress gateway cannot be translated: kgateway takes one ext-auth per Gateway; merge the policies")
		}
		ext, exempt, err := c.extAuth(o, ap, ic.mesh, ic.meshObj)
		if err != nil {
			return err
		}
		t.objects = append(t.objects, ext)
		t.sources = append(t.sources, o)
		t.extAuthExempt = exempt
		t.gatewayPolicy["extAuth"] = map[string]any{"extensionRef": map[string]any{"name": ext.GetName()}}
	case "DENY":
		if !requiresJWT(ap) {
			return kit.Errorf(o, "spec.rules", "a DENY policy on the Istio ingress gateway cannot be translated: kgateway would let the requests it denies through (only Kubeflow's require-JWT policy, notRequestPrincipals: [\"*\"], is translated)")
		}
		t.sources = append(t.sources, o)
		t.requireJWT = o
		t.jwtExempt = notPaths(ap)
		c.info(o, "spec", "translated: requests without a valid JWT are rejected by the Strict JWT provider, except on the routes of paths %v", t.jwtExempt)
	case "", "ALLOW":
		if slices.ContainsFunc(ap.Spec.Rules, authorizationRule.matchesAll) {
			t.allowAll = true
		} else {
			t.allowPolicies = append(t.allowPolicies, o)
		}
	}
	// AUDIT policies decide nothing.
	return nil
}

// enforceable checks that what was translated enforces what the Istio
// policies enforced together.
func (t *authTranslation) enforceable() error {
	if t.requireJWT != nil && t.jwtExt == nil {
		return kit.Errorf(t.requireJWT, "spec.rules", "requires a JWT, but no RequestAuthentication on the Istio ingress gateway was translated into a JWT provider: kgateway would let requests without one through")
	}
	if !t.allowAll && len(t.allowPolicies) > 0 {
		return kit.Errorf(t.allowPolicies[0], "spec.rules", "an ALLOW policy on the Istio ingress gateway that restricts requests cannot be translated: kgateway would let the requests it does not allow through")
	}
	return nil
}

// translateRequestAuthentication translates the RequestAuthentication into
// the Gateway's JWT providers.
func (c *converter) translateRequestAuthentication(o *fn.KubeObject, ra *requestAuthentication, t *authTranslation) error {
	if t.jwtExt != nil {
		return kit.Errorf(o, "spec", "a second RequestAuthentication on the Istio ingress gateway cannot be translated: merge its rules into %s", t.jwtExt.GetName())
	}
	objs, headers, err := c.jwtExtension(o, ra)
	if err != nil {
		return err
	}
	ext := objs[0]
	t.objects = append(t.objects, objs...)
	t.sources = append(t.sources, o)
	t.jwtExt = ext
	t.strip = append(t.strip, headers...)
	t.gatewayPolicy["jwtAuth"] = map[string]any{"extensionRef": map[string]any{"name": ext.GetName()}}
	return nil
}

// chooseJWTMode validates JWTs strictly only where Istio denied requests
// without a principal.
func (t *authTranslation) chooseJWTMode() error {
	if t.jwtExt == nil {
		return nil
	}
	mode := "AllowMissing"
	if t.jwtExempt != nil {
		mode = "Strict"
	}
	if err := t.jwtExt.SetNestedString(mode, "spec", "jwt", "validationMode"); err != nil {
		return kit.Errorf(t.jwtExt, "spec.jwt.validationMode", "%v", err)
	}
	return nil
}

// emitGatewayAuth emits the Gateway's auth TrafficPolicy and the
// TrafficPolicies that turn each step off on the exempt routes.
func (c *converter) emitGatewayAuth(t *authTranslation, converted []*Conversion) error {
	gw := c.cfg.Gateway
	t.gatewayPolicy["targetRefs"] = []any{map[string]any{"group": kit.GroupGatewayAPI, "kind": "Gateway", "name": gw.Name}}
	p, err := newObject(kgatewayVersion, "TrafficPolicy", gw.Namespace, gw.Name+"-auth", managedLabels, nil, t.gatewayPolicy)
	if err != nil {
		return err
	}
	t.objects = append(t.objects, p)
	extAuthExempt, jwtExempt := t.extAuthExempt, t.jwtExempt
	if _, on := t.gatewayPolicy["extAuth"]; !on {
		extAuthExempt = nil
	}
	if _, on := t.gatewayPolicy["jwtAuth"]; !on {
		jwtExempt = nil
	}
	exemptions, err := c.exemptions(converted, extAuthExempt, jwtExempt)
	if err != nil {
		return err
	}
	t.objects = append(t.objects, exemptions...)
	return nil
}

// ingressContext is what the auth translation knows of the Istio ingress:
// the labels of its pods and where policies that select them live.
type ingressContext struct {
	namespace string // the pods' namespace
	labels    map[string]string
	root      string // the mesh root namespace
	mesh      *meshConfig
	meshObj   *fn.KubeObject
}

// selects decodes policy o into p and reports whether it applies to the
// ingress pods: it is in the root namespace or theirs and its selector
// picks them. A policy of those namespaces that cannot be decoded is an
// error: it might apply.
func (ic ingressContext) selects(o *fn.KubeObject, p selectingPolicy) (bool, error) {
	if o.GetNamespace() != ic.root && o.GetNamespace() != ic.namespace {
		return false, nil
	}
	if err := o.As(p); err != nil {
		return false, kit.Errorf(o, "spec", "cannot read the policy, which may apply to the Istio ingress gateway: %v", err)
	}
	sel := p.selector()
	return sel != nil && ic.labels != nil && len(sel.MatchLabels) > 0 && kit.MatchLabels(sel.MatchLabels, ic.labels), nil
}

// selectingPolicy is an Istio policy with a workload selector.
type selectingPolicy interface{ selector() *labelSelector }

func (ap *authorizationPolicy) selector() *labelSelector   { return ap.Spec.Selector }
func (ra *requestAuthentication) selector() *labelSelector { return ra.Spec.Selector }

// ingressContext finds the labels of the Istio ingress gateway pods (the
// Deployment that the Istio Gateway's selector picks), the mesh root
// namespace and the mesh config.
func (c *converter) ingressContext(items fn.KubeObjects) (ingressContext, error) {
	ns, name, _ := strings.Cut(c.istioGateway, "/")
	var selector map[string]string
	ic := ingressContext{root: "istio-system"}
	for _, o := range items {
		switch {
		case istio.GatewayKind.Is(o) && o.GetNamespace() == ns && o.GetName() == name:
			selector, _, _ = o.NestedStringMap("spec", "selector")
		case c.cfg.MeshConfig.Matches(o):
			doc, _, _ := o.NestedString("data", c.cfg.MeshConfig.Key)
			m := &meshConfig{}
			if err := yaml.Unmarshal([]byte(doc), m); err != nil {
				return ingressContext{}, kit.Errorf(o, "data."+c.cfg.MeshConfig.Key, "mesh config is not readable: %v", err)
			}
			ic.mesh, ic.meshObj = m, o
		}
	}
	if ic.mesh != nil && ic.mesh.RootNamespace != "" {
		ic.root = ic.mesh.RootNamespace
	}
	if selector != nil {
		ic.namespace, ic.labels = ingressPods(items, selector)
	}
	return ic, nil
}

// ingressPods finds the namespace and labels of the pods a selector picks:
// those of the Deployment it selects, else of a Service selecting the same
// pods (which tells more of their labels), else the selector itself.
func ingressPods(items fn.KubeObjects, selector map[string]string) (string, map[string]string) {
	for _, o := range items {
		if !kit.DeploymentKind.Is(o) {
			continue
		}
		labels, _, _ := o.NestedStringMap("spec", "template", "metadata", "labels")
		if len(selector) > 0 && kit.MatchLabels(selector, labels) {
			return o.GetNamespace(), labels
		}
	}
	for _, o := range items {
		if sel, _, _ := o.NestedStringMap("spec", "selector"); kit.ServiceKind.Is(o) && len(selector) > 0 && kit.MatchLabels(selector, sel) {
			return o.GetNamespace(), sel
		}
	}
	return "", selector
}

// listenerPolicy strips the identity headers clients could forge before any
// filter runs and enables websocket upgrades.
func (c *converter) listenerPolicy(strip []string) (*fn.KubeObject, error) {
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
		return nil, nil
	}
	spec := map[string]any{
		"targetRefs": []any{map[string]any{"group": kit.GroupGatewayAPI, "kind": "Gateway", "name": gw.Name}},
		"default":    map[string]any{"httpSettings": settings},
	}
	return newObject(kgatewayVersion, "ListenerPolicy", gw.Namespace, gw.Name, managedLabels, nil, spec)
}
