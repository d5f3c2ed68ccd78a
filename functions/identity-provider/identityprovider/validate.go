package identityprovider

import (
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/kfgitops/kfgitops/kit"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Validate checks every field on its own; what depends on the bundle (the
// dex config, the RequestAuthentication) is checked by Run.
func (c *Config) Validate() error {
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	s := resolve(c)
	switch s.mode {
	case ModeDex:
		add(onlyExternal(c))
	case ModeDexConnector, ModeOIDC:
		add(checkHTTPSURL("issuer", c.Issuer))
		add(checkToken("clientID", c.ClientID))
		add(c.ClientSecret.check("clientSecret"))
		for i, sc := range c.Scopes {
			add(checkToken(fmt.Sprintf("scopes[%d]", i), sc))
		}
		add(checkToken("claims.userID", s.userIDClaim))
		add(checkToken("claims.groups", s.groupsClaim))
		if p := c.Claims.UserIDPrefix; strings.ContainsAny(p, " \t\r\n") {
			add(fmt.Errorf("claims.userIDPrefix %q: no whitespace", p))
		}
		add(c.Dex.check("dex"))
		add(c.OAuth2Proxy.check("oauth2Proxy"))
		if s.mode == ModeDexConnector {
			add(c.checkDexConnector())
		} else {
			add(c.checkOIDC(s))
		}
	default:
		add(fmt.Errorf("mode %q: want %s, %s or %s", c.Mode, ModeDex, ModeDexConnector, ModeOIDC))
	}
	return joined(errs)
}

// onlyExternal rejects the fields of an external provider in mode dex,
// which changes nothing: a field that would do nothing is a mistake.
func onlyExternal(c *Config) error {
	d := Defaults()
	var set []string
	for _, f := range []struct {
		name  string
		given bool
	}{
		{"issuer", c.Issuer != ""}, {"jwksURI", c.JWKSURI != ""}, {"clientID", c.ClientID != ""},
		{"clientSecret", c.ClientSecret != nil}, {"scopes", c.Scopes != nil}, {"claims", c.Claims != Claims{}},
		{"connector", !reflect.DeepEqual(c.Connector, Connector{})}, {"displayName", c.DisplayName != ""},
		{"cookieRefresh", c.CookieRefresh != ""}, {"removeStaticUsers", c.RemoveStaticUsers != nil},
		{"removeDex", c.RemoveDex}, {"dex", c.Dex != d.Dex}, {"oauth2Proxy", c.OAuth2Proxy != d.OAuth2Proxy},
	} {
		if f.given {
			set = append(set, f.name)
		}
	}
	if len(set) > 0 {
		return fmt.Errorf("mode %s keeps the bundle's dex and changes nothing: %s apply to mode %s or %s (with an issuer)",
			ModeDex, strings.Join(set, ", "), ModeDexConnector, ModeOIDC)
	}
	return nil
}

func (c *Config) checkDexConnector() error {
	var errs []error
	if c.JWKSURI != "" {
		errs = append(errs, fmt.Errorf("jwksURI: mode %s: dex finds the provider's keys itself (OIDC discovery); the gateway checks dex's tokens", ModeDexConnector))
	}
	if c.RemoveDex {
		errs = append(errs, fmt.Errorf("removeDex: mode %s needs dex", ModeDexConnector))
	}
	if c.CookieRefresh != "" {
		errs = append(errs, fmt.Errorf("cookieRefresh: mode %s keeps oauth2-proxy's settings for dex's tokens", ModeDexConnector))
	}
	if c.Claims.UserIDPrefix != "" {
		errs = append(errs, fmt.Errorf("claims.userIDPrefix: mode %s: the gateway reads dex's email claim, which has no prefix", ModeDexConnector))
	}
	if err := checkHTTPSURL("connector.redirectURI", c.Connector.RedirectURI); err != nil {
		errs = append(errs, err)
	} else if u, _ := url.Parse(c.Connector.RedirectURI); !strings.HasSuffix(u.Path, "/dex/callback") {
		errs = append(errs, fmt.Errorf("connector.redirectURI %q: want dex's callback, https://<host>/dex/callback", c.Connector.RedirectURI))
	}
	if id := c.Connector.ID; id != "" {
		errs = append(errs, kit.CheckDNSLabel("connector.id", id))
	}
	for i, g := range c.Connector.AllowedGroups {
		if g == "" {
			errs = append(errs, fmt.Errorf("connector.allowedGroups[%d]: empty", i))
		}
	}
	for name, v := range map[string]string{"connector.userIDKey": c.Connector.UserIDKey, "connector.userNameKey": c.Connector.UserNameKey} {
		if v != "" {
			errs = append(errs, checkToken(name, v))
		}
	}
	return joined(errs)
}

func (c *Config) checkOIDC(s settings) error {
	var errs []error
	errs = append(errs, checkHTTPSURL("jwksURI", c.JWKSURI))
	if !reflect.DeepEqual(c.Connector, Connector{}) {
		errs = append(errs, fmt.Errorf("connector: mode %s adds no dex connector", ModeOIDC))
	}
	if !slices.Contains(s.scopes, "openid") {
		errs = append(errs, fmt.Errorf("scopes %v: mode %s needs openid (oauth2-proxy asks the provider for an ID token)", s.scopes, ModeOIDC))
	}
	if d := c.CookieRefresh; d != "" {
		if v, err := time.ParseDuration(d); err != nil || v <= 0 {
			errs = append(errs, fmt.Errorf("cookieRefresh %q: want a positive Go duration such as 30m", d))
		}
	}
	return joined(errs)
}

// joined is one error of every error in errs ("; " apart: results are
// one line), nil when none.
func joined(errs []error) error {
	var msgs []string
	for _, err := range errs {
		if err != nil {
			msgs = append(msgs, err.Error())
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return errors.New(strings.Join(msgs, "; "))
}

// checkHTTPSURL requires an absolute https URL whose host is a DNS name,
// without credentials, query or fragment.
func checkHTTPSURL(field, raw string) error {
	if raw == "" {
		return fmt.Errorf("%s: required", field)
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return fmt.Errorf("%s %q: %v", field, raw, err)
	case u.Scheme != "https":
		return fmt.Errorf("%s %q: want an https URL", field, raw)
	case u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "":
		return fmt.Errorf("%s %q: no credentials, query or fragment", field, raw)
	}
	if errs := validation.IsDNS1123Subdomain(u.Hostname()); len(errs) > 0 || !strings.Contains(u.Hostname(), ".") {
		return fmt.Errorf("%s %q: host %q is not a DNS name", field, raw, u.Hostname())
	}
	return nil
}

// checkToken requires a non-empty value without whitespace or quotes (it
// is written into config files).
func checkToken(field, v string) error {
	if v == "" {
		return fmt.Errorf("%s: required", field)
	}
	if strings.ContainsAny(v, " \t\r\n\"'\\$") {
		return fmt.Errorf("%s %q: no whitespace, quotes, backslashes or $", field, v)
	}
	return nil
}

func (r *SecretKeyRef) check(field string) error {
	if r == nil {
		return fmt.Errorf("%s: required: the Secret's name and key", field)
	}
	var errs []error
	errs = append(errs, kit.CheckDNSSubdomain(field+".name", r.Name))
	if len(validation.IsConfigMapKey(r.Key)) > 0 {
		errs = append(errs, fmt.Errorf("%s.key %q: not a Secret key (letters, digits, '-', '_' and '.')", field, r.Key))
	}
	return joined(errs)
}

func (w Workload) check(field string) error {
	var errs []error
	errs = append(errs, kit.CheckDNSLabel(field+".namespace", w.Namespace), kit.CheckDNSSubdomain(field+".deployment", w.Deployment),
		kit.CheckDNSLabel(field+".container", w.Container))
	if err := w.Config.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("%s.config: %w", field, err))
	}
	return joined(errs)
}
