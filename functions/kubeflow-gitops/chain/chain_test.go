package chain_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kfgitops/kfgitops/functions/kubeflow-gitops/chain"
	"github.com/kfgitops/kfgitops/kit/corpus"
	"github.com/kfgitops/kfgitops/kit/golden"
	"github.com/kfgitops/kfgitops/kit/krmio"
)

const items = `apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- apiVersion: v1
  kind: Namespace
  metadata:
    name: kubeflow
    labels:
      istio-injection: enabled
`

func TestConfig(t *testing.T) {
	cases := []struct {
		name, config, wantErr string
	}{
		{"defaults", "", ""},
		{"step config", "stripIstioSidecar:\n  optOutLabel: \"\"\n", ""},
		{"skip", "skip: [argocd-apps, set-sync-wave]\n", ""},
		{"unknown step", "stripSidecars: {}\n", `unknown field "stripSidecars"`},
		{"unknown skip", "skip: [nothing]\n", `no step "nothing"`},
		{"unknown field in a step", "setSyncWave:\n  nope: 1\n", `unknown field "nope"`},
		{"wrong type in a step", "stripIstioSidecar:\n  removeSidecars: maybe\n", `field "removeSidecars"`},
		{"failOn error", "failOn: error\n", ""},
		{"failOn unknown", "failOn: never\n", `failOn "never": want "error" or "warning"`},
		{"failOn in a step", "setSyncWave:\n  failOn: bogus\n", `failOn "bogus"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := []byte(items)
			if c.config != "" {
				in = corpus.WithFunctionConfig(in, "apiVersion: fn.kfgitops.dev/v1alpha1\nkind: KubeflowGitops\nmetadata:\n  name: c\n"+c.config)
			}
			_, stderr, code := krmio.Process(chain.Function, in)
			if c.wantErr == "" {
				if code != 0 {
					t.Fatalf("exit %d: %s", code, stderr)
				}
				return
			}
			if code == 0 || !strings.Contains(stderr, c.wantErr) {
				t.Fatalf("exit %d, stderr %q; want an error containing %q", code, stderr, c.wantErr)
			}
		})
	}
}

func TestConfigKeys(t *testing.T) {
	var keys []string
	for _, s := range chain.Steps {
		keys = append(keys, chain.ConfigKey(s))
	}
	if got := strings.Join(keys, ","); got != "stripIstioSidecar,profiles,ambientMesh,kserveGateway,kgatewayRoute,setSyncWave,argocdApps" {
		t.Errorf("step keys %s", got)
	}
}

func TestGolden(t *testing.T) {
	golden.Run(t, "testdata", chain.Function)
}

// The chain reports each step on stderr exactly as the step reports itself
// when it runs alone on the previous step's output (cases without a chain
// config, which the steps alone would not take).
func TestStderrPerStep(t *testing.T) {
	cases, err := filepath.Glob(filepath.Join("testdata", "*"))
	if err != nil || len(cases) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, dir := range cases {
		if _, err := os.Stat(filepath.Join(dir, "_fnconfig.yaml")); err == nil {
			continue
		}
		t.Run(filepath.Base(dir), func(t *testing.T) {
			in := golden.Input(t, dir)
			_, chained, _ := krmio.Process(chain.Function, in)
			var alone strings.Builder
			for _, s := range chain.Steps {
				out, stderr, code := krmio.Process(s, in)
				alone.WriteString(stderr)
				if code != 0 {
					break
				}
				in = golden.ItemsOnly(t, out)
			}
			if chained != alone.String() {
				t.Errorf("chain stderr:\n%s\nsteps alone:\n%s", chained, alone.String())
			}
		})
	}
}
