package translators

import (
	"fmt"
	"path/filepath"
	"slices"
)

// identityModes are identity-provider's modes run before the chain on the
// corpus renders: the config file (relative to the repository root) and
// the JWT provider the Gateway must then have.
var identityModes = []struct {
	name, config string
	want         jwtWant
}{
	{"dex-connector", "tests/translators/testdata/identity-dex-connector.yaml", jwtWant{"http://dex.auth.svc.cluster.local:5556/dex", "email"}},
	{"oidc", "pipelines/kubeflow-day2/identity-provider.yaml", jwtWant{"https://idp.example.com", "email"}},
	{"oidc-remove-dex", "tests/translators/testdata/identity-oidc-remove-dex.yaml", jwtWant{"https://login.idp.example.com/tenant/v2.0", "preferred_username"}},
}

// jwtWant is the issuer of the Gateway's JWT provider and the claim it
// writes into the user-id header.
type jwtWant struct{ issuer, userIDClaim string }

// identityCases are the corpus renders through identity-provider (each
// mode), then the whole chain.
func identityCases(root, dir string) ([]inputCase, error) {
	var out []inputCase
	for _, f := range corpusRenders {
		items, err := readFileObjects(filepath.Join(dir, f))
		if err != nil {
			return nil, err
		}
		for _, m := range identityModes {
			cfg, err := readFileObjects(filepath.Join(root, m.config))
			if err != nil {
				return nil, err
			}
			pre, _, err := runFunction("identity-provider", items, cfg[0])
			if err != nil {
				return nil, err
			}
			want := m.want
			out = append(out, inputCase{name: "identity-" + m.name + "/" + f, items: pre, function: "kubeflow-gitops", jwt: &want})
		}
	}
	return out, nil
}

// checkJWTProvider: a provider of the listener's JWT filter has the wanted
// issuer, writes the wanted claim into kubeflow-userid and fetches its key
// set from a cluster of the gateway.
func checkJWTProvider(hcm *connectionManager, want jwtWant) []string {
	jwt := findAuthFilter(hcm, jwtType)
	if jwt.index < 0 {
		return []string{"no jwt_authn filter"}
	}
	var seen []string
	for name, p := range mapOf(jwt.config["providers"]) {
		prov := mapOf(p)
		seen = append(seen, fmt.Sprintf("%s: %v", name, prov["issuer"]))
		if prov["issuer"] != want.issuer {
			continue
		}
		userID := slices.ContainsFunc(list(prov["claimToHeaders"]), func(c any) bool {
			return mapOf(c)["headerName"] == "kubeflow-userid" && mapOf(c)["claimName"] == want.userIDClaim
		})
		if !userID {
			return []string{fmt.Sprintf("JWT provider %s (issuer %s): kubeflow-userid not from claim %s: %v", name, want.issuer, want.userIDClaim, prov["claimToHeaders"])}
		}
		if firstString(prov["remoteJwks"], "cluster") == "" {
			return []string{fmt.Sprintf("JWT provider %s: no remote key set cluster: %v", name, prov)}
		}
		return nil
	}
	return []string{fmt.Sprintf("no JWT provider of issuer %s (providers %v)", want.issuer, seen)}
}
