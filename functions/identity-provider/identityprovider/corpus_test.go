package identityprovider_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kfgitops/kfgitops/functions/identity-provider/identityprovider"
	"github.com/kfgitops/kfgitops/kit/corpus"
	"github.com/kfgitops/kfgitops/kit/golden"
	"github.com/kfgitops/kfgitops/kit/krmio"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// Each external mode on both real renders (the configs the translator
// suite and the declared-profile walk also run): it succeeds without
// warnings, is idempotent, leaves no secret value and no static user, and
// points what the mode edits at the issuer. What the gateway makes of it is
// checked on the chain's output by tests/translators and tests/krm.
func TestModesOnCorpus(t *testing.T) {
	corpus.Require(t)
	for _, m := range []struct {
		name, config, issuer string
		removed              int // objects the run removes
	}{
		{"dexConnector", "tests/translators/testdata/identity-dex-connector.yaml", "", 1},
		{"oidc", "pipelines/kubeflow-day2/identity-provider.yaml", "https://idp.example.com", 1},
		{"oidc-removeDex", "tests/translators/testdata/identity-oidc-remove-dex.yaml", "https://login.idp.example.com/tenant/v2.0", 13},
	} {
		config, err := os.ReadFile(filepath.Join("..", "..", "..", m.config))
		if err != nil {
			t.Fatal(err)
		}
		for _, file := range []string{corpus.Master, corpus.Release} {
			t.Run(m.name+"/"+file, func(t *testing.T) {
				in := corpus.WithFunctionConfig(corpus.ResourceList(t, file), string(config))
				out, stderr, code := krmio.Process(identityprovider.Function, in)
				if code != 0 || strings.Contains(stderr, "[warning]") {
					t.Fatalf("exit %d:\n%s", code, stderr)
				}
				golden.AssertIdempotent(t, identityprovider.Function, out)
				before, after := parse(t, in), parse(t, out)
				if n := len(before.Items) - len(after.Items); n != m.removed {
					t.Errorf("%d objects removed, want %d", n, m.removed)
				}
				checkOutput(t, after, m.issuer)
			})
		}
	}
}

func parse(t *testing.T, b []byte) *fn.ResourceList {
	t.Helper()
	rl, err := fn.ParseResourceList(b)
	if err != nil {
		t.Fatal(err)
	}
	return rl
}

// checkOutput: no static user or password hash is left, no connector
// holds a secret value, and every RequestAuthentication rule of the bundle
// has the issuer (mode oidc).
func checkOutput(t *testing.T, rl *fn.ResourceList, issuer string) {
	t.Helper()
	for _, o := range rl.Items {
		switch {
		case o.GetKind() == "ConfigMap" && o.GetNamespace() == "auth" && o.GetName() == "dex":
			cfg, _, _ := o.NestedString("data", "config.yaml")
			for _, gone := range []string{"staticPasswords", "enablePasswordDB", "hashFromEnv"} {
				if strings.Contains(cfg, gone) {
					t.Errorf("dex's config still has %s", gone)
				}
			}
		case o.GetKind() == "Secret" && o.GetName() == "dex-passwords":
			t.Error("Secret dex-passwords (the example user's hash) is still there")
		case o.GetKind() == "RequestAuthentication" && issuer != "":
			rules, _, _ := o.NestedSlice("spec", "jwtRules")
			for _, r := range rules {
				if iss, _, _ := r.NestedString("issuer"); iss != issuer {
					t.Errorf("%s: rule of issuer %s, want %s", o.GetName(), iss, issuer)
				}
			}
		}
	}
}
