package identityprovider

import (
	"fmt"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// connectorSecretEnv is the dex container's variable holding the
// connector's client secret: dex expands $VARIABLES in each connector's
// config (unless DEX_EXPAND_ENV is false), so the config in Git names the
// variable and the Deployment takes its value from the Secret.
const connectorSecretEnv = "DEX_CONNECTOR_CLIENT_SECRET"

// dexConfig is dex's config file in the bundle, parsed.
type dexConfig struct {
	obj  *fn.KubeObject
	key  string
	doc  *yaml.RNode
	hash []string // the env variables of the static users removed
}

func readDexConfig(o *fn.KubeObject, key string) (*dexConfig, error) {
	field := "data." + key
	s, found, err := o.NestedString("data", key)
	if err != nil || !found {
		return nil, kit.Errorf(o, field, "dex's config file is missing (%v)", err)
	}
	rn, err := yaml.Parse(s)
	if err != nil || rn.YNode().Kind != yaml.MappingNode {
		return nil, kit.Errorf(o, field, "dex's config is not a YAML mapping (%v)", err)
	}
	return &dexConfig{obj: o, key: key, doc: rn}, nil
}

// issuer is dex's issuer URL (its tokens' iss).
func (d *dexConfig) issuer() (string, error) {
	n := d.doc.Field("issuer")
	if n == nil || n.Value.YNode().Kind != yaml.ScalarNode || n.Value.YNode().Value == "" {
		return "", kit.Errorf(d.obj, "data."+d.key+".issuer", "dex's config has no issuer")
	}
	return n.Value.YNode().Value, nil
}

// write stores the edited document back in the ConfigMap.
func (d *dexConfig) write() error {
	out, err := d.doc.String()
	if err != nil {
		return kit.Errorf(d.obj, "data."+d.key, "%v", err)
	}
	return d.obj.SetNestedString(out, "data", d.key)
}

// setConnector adds the OIDC connector, or replaces the one of the same id
// (a re-run), keeping every other connector.
func (d *dexConfig) setConnector(s settings) error {
	entry, err := yaml.FromMap(connectorEntry(s))
	if err != nil {
		return kit.Errorf(d.obj, "data."+d.key+".connectors", "%v", err)
	}
	list := d.doc.Field("connectors")
	if list == nil {
		seq := yaml.NewListRNode()
		seq.YNode().Content = []*yaml.Node{entry.YNode()}
		return d.doc.PipeE(yaml.SetField("connectors", seq))
	}
	if list.Value.YNode().Kind != yaml.SequenceNode {
		return kit.Errorf(d.obj, "data."+d.key+".connectors", "not a list")
	}
	items := list.Value.YNode().Content
	for i, c := range items {
		if id := yaml.NewRNode(c).Field("id"); id != nil && id.Value.YNode().Value == s.connectorID {
			items[i] = entry.YNode()
			return nil
		}
	}
	list.Value.YNode().Content = append(items, entry.YNode())
	return nil
}

// connectorEntry is dex's connector of type oidc (connector/oidc Config):
// the client secret as a variable the container has.
func connectorEntry(s settings) map[string]any {
	cfg := map[string]any{
		"issuer":       s.Issuer,
		"clientID":     s.ClientID,
		"clientSecret": "$" + connectorSecretEnv,
		"redirectURI":  s.Connector.RedirectURI,
		// dex asks for openid itself.
		"scopes":               toAny(without(s.scopes, "openid")),
		"insecureEnableGroups": true,
	}
	mapping := map[string]any{}
	if s.userIDClaim != "email" {
		mapping["email"] = s.userIDClaim
	}
	if s.groupsClaim != "groups" {
		mapping["groups"] = s.groupsClaim
	}
	if len(mapping) > 0 {
		// Without the override dex reads the mapped claim only when the
		// standard one is absent, and Entra ID sends an email that is not
		// the sign-in name.
		cfg["claimMapping"] = mapping
		cfg["overrideClaimMapping"] = true
	}
	c := s.Connector
	for k, v := range map[string]string{"userIDKey": c.UserIDKey, "userNameKey": c.UserNameKey} {
		if v != "" {
			cfg[k] = v
		}
	}
	for k, v := range map[string]bool{"insecureSkipEmailVerified": c.InsecureSkipEmailVerified, "getUserInfo": c.GetUserInfo} {
		if v {
			cfg[k] = true
		}
	}
	if len(c.AllowedGroups) > 0 {
		cfg["allowedGroups"] = toAny(c.AllowedGroups)
	}
	return map[string]any{"type": "oidc", "id": s.connectorID, "name": s.connectorName, "config": cfg}
}

// removeStaticUsers drops dex's static users and turns its password
// database off; it returns the users' e-mails.
func (d *dexConfig) removeStaticUsers() ([]string, error) {
	var emails []string
	if users := d.doc.Field("staticPasswords"); users != nil {
		for _, u := range users.Value.YNode().Content {
			rn := yaml.NewRNode(u)
			if e := rn.Field("email"); e != nil {
				emails = append(emails, e.Value.YNode().Value)
			}
			if h := rn.Field("hashFromEnv"); h != nil {
				d.hash = append(d.hash, h.Value.YNode().Value)
			}
		}
		if _, err := d.doc.Pipe(yaml.Clear("staticPasswords")); err != nil {
			return nil, kit.Errorf(d.obj, "data."+d.key+".staticPasswords", "%v", err)
		}
	}
	if d.doc.Field("enablePasswordDB") != nil {
		if _, err := d.doc.Pipe(yaml.Clear("enablePasswordDB")); err != nil {
			return nil, kit.Errorf(d.obj, "data."+d.key+".enablePasswordDB", "%v", err)
		}
	}
	return emails, nil
}

// literalSecrets fails closed on a connector whose secret is written in the
// config instead of taken from the environment.
func (d *dexConfig) literalSecrets() error {
	list := d.doc.Field("connectors")
	if list == nil {
		return nil
	}
	for i, c := range list.Value.YNode().Content {
		cfg := yaml.NewRNode(c).Field("config")
		if cfg == nil {
			continue
		}
		for _, key := range []string{"clientSecret", "bindPW", "password"} {
			if v := cfg.Value.Field(key); v != nil && !strings.HasPrefix(v.Value.YNode().Value, "$") {
				return kit.Errorf(d.obj, fmt.Sprintf("data.%s.connectors[%d].config.%s", d.key, i, key),
					"a literal secret in dex's config would go to Git: write $VARIABLE and give the container the variable from a Secret")
			}
		}
	}
	return nil
}

func without(list []string, drop string) []string {
	var out []string
	for _, v := range list {
		if v != drop {
			out = append(out, v)
		}
	}
	return out
}

func toAny(list []string) []any {
	out := make([]any, len(list))
	for i, v := range list {
		out[i] = v
	}
	return out
}
