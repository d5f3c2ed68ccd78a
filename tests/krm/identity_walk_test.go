package krm

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/kfgitops/kfgitops/functions/identity-provider/identityprovider"
	"github.com/kfgitops/kfgitops/functions/kubeflow-gitops/chain"
	"github.com/kfgitops/kfgitops/kit/corpus"
	"github.com/kfgitops/kfgitops/kit/krmio"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// The declared-profile walk with identity-provider run before the chain in
// each external mode: the user-id header is set from the mode's claim of a
// token of the mode's issuer, and only then does the owner or a member get
// in. A token of any other issuer (dex's, once the provider is external) is
// refused at the Gateway, and a claim other than the configured one (an
// e-mail in claim email when the user id is preferred_username) never
// becomes the user id.
// The configs are the translator suite's (tests/translators/testdata) and
// the day-2 pipeline's, so that both suites check the same outputs.
func TestIdentityModesWalk(t *testing.T) {
	const decoy = "decoy@example.com"
	for _, m := range []struct {
		name, config, issuer, claim string
	}{
		{"dexConnector", "../translators/testdata/identity-dex-connector.yaml", "http://dex.auth.svc.cluster.local:5556/dex", "email"},
		{"oidc", "../../pipelines/kubeflow-day2/identity-provider.yaml", "https://idp.example.com", "email"},
		{"oidc-removeDex", "../translators/testdata/identity-oidc-remove-dex.yaml", "https://login.idp.example.com/tenant/v2.0", "preferred_username"},
	} {
		t.Run(m.name, func(t *testing.T) {
			out := identityChainOutput(t, m.config)
			token := func(email string) (string, map[string]string) {
				claims := map[string]string{m.claim: email}
				if m.claim != "email" {
					claims["email"] = decoy
				}
				return m.issuer, claims
			}
			var refused tokenOf
			if issuer, _ := dexToken(""); m.issuer != issuer {
				refused = dexToken
			}
			if m.claim != "email" {
				// The owner's e-mail only in claim email, the configured
				// claim holding someone else.
				refused = func(email string) (string, map[string]string) {
					return m.issuer, map[string]string{"email": email, m.claim: decoy}
				}
			}
			walkDeclared(t, out, token, refused)
		})
	}
}

// identityChainOutput is identity-provider with the config file over the
// master render, then the chain with declared-profiles.yaml.
func identityChainOutput(t *testing.T, config string) fn.KubeObjects {
	t.Helper()
	idCfg, err := os.ReadFile(config)
	if err != nil {
		t.Fatal(err)
	}
	in := corpus.WithFunctionConfig(corpus.ResourceList(t, corpus.Master), string(idCfg))
	mid, stderr, code := krmio.Process(identityprovider.Function, in)
	if code != 0 {
		t.Fatalf("identity-provider: exit %d: %s", code, stderr)
	}
	declared, err := os.ReadFile(filepath.Join("testdata", "declared-profiles.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	rl, err := fn.ParseResourceList(mid)
	if err != nil {
		t.Fatal(err)
	}
	if rl.FunctionConfig, err = fn.ParseKubeObject(declared); err != nil {
		t.Fatal(err)
	}
	rl.Results = nil
	if !chain.Function.Process(rl) {
		t.Fatalf("chain failed: %v", rl.Results)
	}
	return rl.Items
}
