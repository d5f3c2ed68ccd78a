package identityprovider

import (
	"encoding/json"
	"fmt"

	"github.com/kfgitops/kfgitops/kit"
)

// Kind is the typed functionConfig kind.
const Kind = "IdentityProvider"

// Modes: who signs users in.
const (
	// ModeDex keeps the bundle's dex with its own users: nothing changes.
	ModeDex = "dex"
	// ModeDexConnector adds the external provider to dex as an OIDC
	// connector: dex still issues the tokens the gateway checks.
	ModeDexConnector = "dexConnector"
	// ModeOIDC points oauth2-proxy and the JWT check straight at the
	// external provider.
	ModeOIDC = "oidc"
)

// Config is the functionConfig. The zero value (no mode, no issuer) is
// mode dex: nothing changes.
type Config struct {
	// Diagnostics is failOn: error (the default) or warning.
	kit.Diagnostics
	// Mode is dex, dexConnector or oidc ("": dex).
	Mode string `json:"mode,omitempty"`
	// Issuer is the external provider's OIDC issuer URL (https).
	Issuer string `json:"issuer,omitempty"`
	// JWKSURI is the provider's key set URL (https; mode oidc): the gateway
	// fetches it to check tokens, and it differs per provider.
	JWKSURI string `json:"jwksURI,omitempty"`
	// ClientID is the client registered at the provider for Kubeflow.
	ClientID string `json:"clientID,omitempty"`
	// ClientSecret is the Secret key holding that client's secret, never
	// the secret itself.
	ClientSecret *SecretKeyRef `json:"clientSecret,omitempty"`
	// Scopes are requested at sign-in (default openid, profile, email,
	// groups; dex adds openid itself).
	Scopes []string `json:"scopes,omitempty"`
	// Claims says which token claims carry the user and the groups.
	Claims Claims `json:"claims"`
	// Connector is dex's connector entry (mode dexConnector).
	Connector Connector `json:"connector"`
	// DisplayName is the provider's name on the sign-in page.
	DisplayName string `json:"displayName,omitempty"`
	// CookieRefresh is oauth2-proxy's cookie_refresh (mode oidc, a Go
	// duration): shorter than the provider's ID token lifetime, so that the
	// token the gateway checks is renewed before it expires.
	CookieRefresh string `json:"cookieRefresh,omitempty"`
	// RemoveStaticUsers removes dex's static example users and its password
	// database (default true with an external provider).
	RemoveStaticUsers *bool `json:"removeStaticUsers,omitempty"`
	// RemoveDex removes dex altogether (mode oidc).
	RemoveDex bool `json:"removeDex,omitempty"`
	// Dex and OAuth2Proxy name the objects edited.
	Dex         Workload `json:"dex"`
	OAuth2Proxy Workload `json:"oauth2Proxy"`
}

// Claims maps token claims to Kubeflow's identity headers.
type Claims struct {
	// UserID is the claim whose value goes in the user-id header (default
	// email; Entra ID: preferred_username).
	UserID string `json:"userID,omitempty"`
	// Groups is the claim listing the user's groups (default groups).
	Groups string `json:"groups,omitempty"`
	// UserIDPrefix is the prefix the user-id claim's values carry, which
	// Kubeflow's components strip (their USERID_PREFIX).
	UserIDPrefix string `json:"userIDPrefix,omitempty"`
}

// Connector is dex's OIDC connector entry (dex's connectors/oidc config).
type Connector struct {
	// ID is the connector id (default "oidc"); Name its button on dex's
	// login page (default: displayName, else "Single sign-on").
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
	// RedirectURI is dex's callback as the browser reaches it:
	// https://<host>/dex/callback, registered at the provider.
	RedirectURI string `json:"redirectURI,omitempty"`
	// InsecureSkipEmailVerified accepts tokens without email_verified
	// (Entra ID sends none).
	InsecureSkipEmailVerified bool `json:"insecureSkipEmailVerified,omitempty"`
	// GetUserInfo reads the claims from the userinfo endpoint too.
	GetUserInfo bool `json:"getUserInfo,omitempty"`
	// UserIDKey and UserNameKey are dex's claim keys for the user's id
	// and name (dex's defaults: sub, name).
	UserIDKey   string `json:"userIDKey,omitempty"`
	UserNameKey string `json:"userNameKey,omitempty"`
	// AllowedGroups lets in only members of these groups.
	AllowedGroups []string `json:"allowedGroups,omitempty"`
}

// Workload names a Deployment and the ConfigMap holding its config file.
type Workload struct {
	Namespace  string `json:"namespace"`
	Deployment string `json:"deployment"`
	// Container is the container edited (default: the Deployment's name).
	Container string `json:"container"`
	// Config is the ConfigMap (kustomize's hash suffix matched) and key.
	Config kit.ConfigMapRef `json:"config"`
}

// SecretKeyRef names a key of a Secret in the namespace of the workload
// that reads it.
type SecretKeyRef struct {
	Name string `json:"name"`
	Key  string `json:"key"`
}

// UnmarshalJSON refuses a literal secret where a reference belongs: the
// output goes to Git.
func (r *SecretKeyRef) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		return fmt.Errorf("a literal secret is refused (the output goes to Git): give the Secret's name and key, e.g. {name: kubeflow-oidc, key: client-secret}")
	}
	type plain SecretKeyRef
	return kit.DecodeStrictJSON(b, (*plain)(r))
}

// Defaults is the configuration for upstream Kubeflow: mode dex, dex in
// auth and oauth2-proxy in oauth2-proxy as the manifests install them.
func Defaults() Config {
	return Config{
		Dex: Workload{Namespace: "auth", Deployment: "dex", Container: "dex",
			Config: kit.ConfigMapRef{Namespace: "auth", Name: "dex", Key: "config.yaml"}},
		OAuth2Proxy: Workload{Namespace: "oauth2-proxy", Deployment: "oauth2-proxy", Container: "oauth2-proxy",
			Config: kit.ConfigMapRef{Namespace: "oauth2-proxy", Name: "oauth2-proxy", Key: "oauth2_proxy.cfg"}},
	}
}

// settings is the config with its defaults resolved.
type settings struct {
	*Config
	mode              string
	scopes            []string
	userIDClaim       string
	groupsClaim       string
	removeStaticUsers bool
	connectorID       string
	connectorName     string
	displayName       string
}

func resolve(c *Config) settings {
	s := settings{Config: c, mode: c.Mode, scopes: c.Scopes, userIDClaim: c.Claims.UserID, groupsClaim: c.Claims.Groups,
		connectorID: c.Connector.ID, connectorName: c.Connector.Name, displayName: c.DisplayName}
	if s.mode == "" {
		s.mode = ModeDex
	}
	if s.scopes == nil {
		s.scopes = []string{"openid", "profile", "email", "groups"}
	}
	s.userIDClaim = orDefault(s.userIDClaim, "email")
	s.groupsClaim = orDefault(s.groupsClaim, "groups")
	s.removeStaticUsers = s.mode != ModeDex && (c.RemoveStaticUsers == nil || *c.RemoveStaticUsers)
	s.connectorID = orDefault(s.connectorID, "oidc")
	s.displayName = orDefault(s.displayName, "Single sign-on")
	s.connectorName = orDefault(s.connectorName, s.displayName)
	return s
}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}
