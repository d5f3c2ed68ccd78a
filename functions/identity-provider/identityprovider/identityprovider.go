// Package identityprovider points Kubeflow's authentication at an external
// OIDC provider: as an OIDC connector of the bundled dex (dex still issues
// the tokens the gateway checks), or with oauth2-proxy and the
// RequestAuthentication straight at the provider (kgateway-route then
// translates the external issuer, key set and claims into the Gateway's JWT
// provider). Mode dex, the default, changes nothing.
package identityprovider

import (
	"fmt"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// FunctionName is the function's name.
const FunctionName = "identity-provider"

// Function is identity-provider.
var Function = kit.Definition[Config]{
	FunctionName: FunctionName,
	Kind:         Kind,
	Defaults:     Defaults,
	Run:          Run,
	Removes:      removable,
}

// Run edits rl for the configured mode.
func Run(rl *fn.ResourceList, cfg *Config) error {
	s := resolve(cfg)
	if s.mode == ModeDex {
		kit.Summary(&rl.Results, "%s: mode dex: the bundle's dex and its users are kept, nothing changed; set mode %s or %s with an issuer to sign in with an external OIDC provider",
			FunctionName, ModeDexConnector, ModeOIDC)
		return nil
	}
	b, err := findBundle(kit.EditableItems(rl.Items), s)
	if err != nil {
		return err
	}
	r := &run{rl: rl, s: s, b: b}
	if s.mode == ModeDexConnector {
		err = r.dexConnector()
	} else {
		err = r.oidc()
	}
	if err != nil {
		return err
	}
	kit.Summary(&rl.Results, "%s: mode %s, issuer %s, %s from claim %s and %s from claim %s%s",
		FunctionName, s.mode, s.Issuer, userIDHeader, r.userIDClaim(), groupsHeader, r.groupsClaim(), r.summary)
	return nil
}

// run is one run's state.
type run struct {
	rl      *fn.ResourceList
	s       settings
	b       *bundle
	summary string
}

// The claims of the token the gateway checks: dex's own in mode
// dexConnector (the connector maps the provider's claims to them).
func (r *run) userIDClaim() string {
	if r.s.mode == ModeDexConnector {
		return "email"
	}
	return r.s.userIDClaim
}

func (r *run) groupsClaim() string {
	if r.s.mode == ModeDexConnector {
		return "groups"
	}
	return r.s.groupsClaim
}

func (r *run) info(o *fn.KubeObject, field, format string, a ...any) {
	kit.Info(&r.rl.Results, o, field, format, a...)
}

// dexConnector adds the connector to dex and gives dex's container the
// client secret from the Secret.
func (r *run) dexConnector() error {
	d, s := r.b.dex, r.s
	if d == nil {
		r.absent("dex's config %s/%s", s.Dex.Config.Namespace, s.Dex.Config.Name)
		return nil
	}
	if err := d.setConnector(s); err != nil {
		return err
	}
	r.info(d.obj, "data."+d.key+".connectors", "OIDC connector %s (%s) for issuer %s, client %s, secret from $%s; register %s as its redirect URI at the provider",
		s.connectorID, s.connectorName, s.Issuer, s.ClientID, connectorSecretEnv, s.Connector.RedirectURI)
	if err := setEnv(r.b.dexDeploy, s.Dex.Container, envVar{name: connectorSecretEnv, secret: s.ClientSecret}); err != nil {
		return kit.Errorf(r.b.dexDeploy, "spec.template.spec.containers", "%v", err)
	}
	r.info(r.b.dexDeploy, "spec.template.spec.containers", "%s from Secret %s/%s key %s (create it outside Git, e.g. with a sealed or external secret)",
		connectorSecretEnv, s.Dex.Namespace, s.ClientSecret.Name, s.ClientSecret.Key)
	if err := r.removeStaticUsers(); err != nil {
		return err
	}
	if err := d.literalSecrets(); err != nil {
		return err
	}
	return d.write()
}

// oidc points oauth2-proxy and the JWT check at the issuer, and keeps dex
// without its users or removes it.
func (r *run) oidc() error {
	s, b := r.s, r.b
	if b.proxy == nil {
		r.absent("oauth2-proxy's config %s/%s", s.OAuth2Proxy.Config.Namespace, s.OAuth2Proxy.Config.Name)
	} else {
		changed, err := pointProxyAtIssuer(b.proxy, b.proxyDeploy, s)
		if err != nil {
			return err
		}
		r.info(b.proxy.obj, "data."+b.proxy.key, "oauth2-proxy signs in at %s (client %s, scopes %s)%s", s.Issuer, s.ClientID, strings.Join(s.scopes, " "), listed("; ", changed))
		r.info(b.proxyDeploy, "spec.template.spec.containers", "OAUTH2_PROXY_CLIENT_SECRET from Secret %s/%s key %s (create it outside Git)", s.OAuth2Proxy.Namespace, s.ClientSecret.Name, s.ClientSecret.Key)
	}
	issuers := []string{s.Issuer}
	if b.dex != nil {
		iss, err := b.dex.issuer()
		if err != nil {
			return err
		}
		issuers = append([]string{iss}, issuers...)
	}
	edited, err := pointJWTAtIssuer(kit.EditableItems(r.rl.Items), issuers, s)
	if err != nil {
		return err
	}
	if len(edited) == 0 {
		r.absent("a RequestAuthentication rule of issuer %s", strings.Join(issuers, " or "))
	}
	for _, o := range edited {
		r.info(o, "spec.jwtRules", "issuer %s, key set %s, audience %s; %s from claim %s, %s from claim %s", s.Issuer, s.JWKSURI, s.ClientID, userIDHeader, s.userIDClaim, groupsHeader, s.groupsClaim)
	}
	if err := r.userIDPrefix(); err != nil {
		return err
	}
	if s.RemoveDex {
		return r.removeDex()
	}
	if b.dex == nil {
		return nil
	}
	if err := r.removeStaticUsers(); err != nil {
		return err
	}
	if err := b.dex.literalSecrets(); err != nil {
		return err
	}
	return b.dex.write()
}

// removeStaticUsers removes dex's static users, its password database and
// the Secret of their password hashes, when configured to.
func (r *run) removeStaticUsers() error {
	if !r.s.removeStaticUsers {
		return nil
	}
	d := r.b.dex
	emails, err := d.removeStaticUsers()
	if err != nil || len(emails) == 0 && len(d.hash) == 0 {
		return err
	}
	r.info(d.obj, "data."+d.key+".staticPasswords", "removed the static users %s and the password database", strings.Join(emails, ", "))
	drop := map[*fn.KubeObject]bool{}
	for _, sec := range hashSecrets(r.rl.Items, r.b.dexDeploy, r.s.Dex.Container, d.hash) {
		if err := removeEnvFromSecret(r.b.dexDeploy, r.s.Dex.Container, sec.GetName()); err != nil {
			return kit.Errorf(r.b.dexDeploy, "spec.template.spec.containers.envFrom", "%v", err)
		}
		r.info(sec, "", "removed: it held only the removed static users' password hashes")
		drop[sec] = true
	}
	r.rl.Items = kit.RemoveItems(r.rl.Items, drop)
	return nil
}

// removeDex removes dex's objects, after the settings that named it were
// pointed elsewhere, and fails closed on anything still naming it.
func (r *run) removeDex() error {
	drop, err := dexObjects(r.rl.Items, r.s.Dex.Namespace)
	if err != nil {
		return err
	}
	policies, err := dropDexExemptions(r.rl.Items)
	if err != nil {
		return err
	}
	for _, o := range policies {
		r.info(o, "spec.rules", "dex's paths /dex/ removed from the exempt paths")
	}
	hosts := serviceHosts(drop)
	var kept fn.KubeObjects
	for _, o := range kit.EditableItems(r.rl.Items) {
		if !drop[o] {
			kept = append(kept, o)
		}
	}
	if err := dexReferences(kept, hosts); err != nil {
		return err
	}
	for _, o := range kit.EditableItems(r.rl.Items) {
		if drop[o] {
			r.info(o, "", "removed with dex (removeDex)")
		}
	}
	r.rl.Items = kit.RemoveItems(r.rl.Items, drop)
	r.summary = fmt.Sprintf("; dex removed (%d objects)", len(drop))
	return nil
}

// userIDPrefix sets the components' user-id prefix to the claim's.
func (r *run) userIDPrefix() error {
	changed, err := setUserIDPrefix(r.rl.Items, r.s.Claims.UserIDPrefix)
	if err != nil {
		return err
	}
	for _, o := range changed {
		r.info(o, "", "user-id prefix set to %q", r.s.Claims.UserIDPrefix)
	}
	return nil
}

// absent reports a part of the platform the bundle does not hold; it
// stays on dex until the function runs over the bundle that holds it.
func (r *run) absent(format string, a ...any) {
	kit.Summary(&r.rl.Results, "%s: no %s in this bundle: nothing changed there; run the function over the bundle that holds it (until then it stays on dex, whose issuer does not accept the provider's tokens)",
		FunctionName, fmt.Sprintf(format, a...))
}

func listed(sep string, items []string) string {
	if len(items) == 0 {
		return ""
	}
	return sep + strings.Join(items, ", ")
}
