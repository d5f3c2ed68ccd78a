package identityprovider

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/istio"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// The identity headers Kubeflow's components read (the profile
// controller's and the web apps' USERID_HEADER, kfam's groups header).
const (
	userIDHeader = "kubeflow-userid"
	groupsHeader = "kubeflow-groups"
)

// dexOnlySettings are the oauth2-proxy settings that exist for dex alone:
// the login and token URLs written by hand because dex's in-cluster issuer
// is not what the browser reaches, and prompt=none, which dex needs and an
// external provider answers with login_required when it holds no session.
var dexOnlySettings = []string{"skip_oidc_discovery", "login_url", "redeem_url", "oidc_jwks_url", "prompt"}

// pointProxyAtIssuer points oauth2-proxy's OIDC settings and client at
// the external issuer.
func pointProxyAtIssuer(p *proxyConfig, deploy *fn.KubeObject, s settings) ([]string, error) {
	var changed []string
	for _, k := range dexOnlySettings {
		if p.remove(k) {
			changed = append(changed, "removed "+k)
		}
	}
	set := [][2]string{
		{"oidc_issuer_url", s.Issuer}, {"scope", strings.Join(s.scopes, " ")},
		{"oidc_email_claim", s.userIDClaim}, {"oidc_groups_claim", s.groupsClaim},
		{"provider_display_name", s.displayName},
	}
	if s.CookieRefresh != "" {
		set = append(set, [2]string{"cookie_refresh", s.CookieRefresh})
	}
	for _, kv := range set {
		if err := p.set(kv[0], kv[1]); err != nil {
			return nil, err
		}
	}
	if s.RemoveDex && p.removeListEntry("skip_auth_routes", "^/dex/") {
		changed = append(changed, "skip_auth_routes without ^/dex/")
	}
	if err := p.write(); err != nil {
		return nil, err
	}
	w := s.OAuth2Proxy
	err := setEnv(deploy, w.Container,
		envVar{name: "OAUTH2_PROXY_CLIENT_ID", value: s.ClientID},
		envVar{name: "OAUTH2_PROXY_CLIENT_SECRET", secret: s.ClientSecret})
	if err != nil {
		return nil, kit.Errorf(deploy, "spec.template.spec.containers", "%v", err)
	}
	return changed, nil
}

// pointJWTAtIssuer rewrites the RequestAuthentication rules of dex's
// issuer (or of the external one, on a re-run) to the external issuer, its
// key set, the client as audience (an issuer such as Google's signs tokens
// for every client) and the configured claims; kgateway-route translates
// them into the Gateway's JWT provider. It returns the policies rewritten
// (none: the bundle holds none of them).
func pointJWTAtIssuer(items fn.KubeObjects, issuers []string, s settings) ([]*fn.KubeObject, error) {
	var edited []*fn.KubeObject
	for _, o := range items {
		if !istio.RequestAuthenticationKind.Is(o) {
			continue
		}
		rules, _, err := o.NestedSlice("spec", "jwtRules")
		if err != nil {
			return nil, kit.Errorf(o, "spec.jwtRules", "%v", err)
		}
		for i, r := range rules {
			iss, _, _ := r.NestedString("issuer")
			if !slices.Contains(issuers, iss) {
				continue
			}
			if err := rewriteRule(o, i, r, s); err != nil {
				return nil, err
			}
			if !slices.Contains(edited, o) {
				edited = append(edited, o)
			}
		}
	}
	return edited, nil
}

func rewriteRule(o *fn.KubeObject, i int, r *fn.SubObject, s settings) error {
	field := fmt.Sprintf("spec.jwtRules[%d]", i)
	for _, set := range []struct {
		value  any
		fields []string
	}{
		{s.Issuer, []string{"issuer"}}, {s.JWKSURI, []string{"jwksUri"}}, {[]string{s.ClientID}, []string{"audiences"}},
	} {
		if err := r.SetNestedField(set.value, set.fields...); err != nil {
			return kit.Errorf(o, field+"."+set.fields[0], "%v", err)
		}
	}
	if _, found, _ := r.NestedString("jwks"); found {
		if _, err := r.RemoveNestedField("jwks"); err != nil {
			return kit.Errorf(o, field+".jwks", "%v", err)
		}
	}
	claims, _, err := r.NestedSlice("outputClaimToHeaders")
	if err != nil {
		return kit.Errorf(o, field+".outputClaimToHeaders", "%v", err)
	}
	userID := false
	for _, c := range claims {
		h, _, _ := c.NestedString("header")
		claim := map[string]string{userIDHeader: s.userIDClaim, groupsHeader: s.groupsClaim}[strings.ToLower(h)]
		if claim == "" {
			continue
		}
		userID = userID || strings.EqualFold(h, userIDHeader)
		if err := c.SetNestedString(claim, "claim"); err != nil {
			return kit.Errorf(o, field+".outputClaimToHeaders", "%v", err)
		}
	}
	if !userID {
		return kit.Errorf(o, field+".outputClaimToHeaders", "no claim goes to %s: Kubeflow would not know the user", userIDHeader)
	}
	return nil
}
