package verify_test

import (
	"bytes"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/kfgitops/kfgitops/functions/kubeflow-gitops/chain"
	"github.com/kfgitops/kfgitops/functions/verify/verify"
	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/corpus"
	"github.com/kfgitops/kfgitops/kit/golden"
	"github.com/kfgitops/kfgitops/kit/istio"
	"github.com/kfgitops/kfgitops/kit/krmio"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// TestPipelineOnCorpus runs every function of the chain (chain.Steps, in
// pipeline order) over each platform render, in process, and then verify.
// The output must verify clean. A finding fails the test when the function
// responsible for it is part of the chain (or when nobody but upstream is):
// findings that wait for a function not yet in the chain are logged.
func TestPipelineOnCorpus(t *testing.T) {
	present := map[string]bool{"upstream": true}
	var steps []kit.Function
	for _, s := range chain.Steps {
		if s.Name() == verify.Function.Name() {
			continue
		}
		steps = append(steps, s)
		present[s.Name()] = true
	}
	for _, file := range []string{corpus.Master, corpus.Release} {
		t.Run(file, func(t *testing.T) {
			data := corpus.ResourceList(t, file)
			for _, s := range steps {
				out, stderr, code := krmio.Process(s, data)
				if code != 0 {
					t.Errorf("%s failed (exit %d):\n%s", s.Name(), code, stderr)
				}
				data = golden.ItemsOnly(t, out)
			}
			out, stderr, code := krmio.Process(verify.Function, data)
			if strings.Contains(stderr, "[error]") && code == 0 {
				t.Errorf("an error on stderr without failure: %s", stderr)
			}
			if !bytes.Equal(golden.ItemsOnly(t, out), data) {
				t.Error("verify changed the items")
			}
			again, _, _ := krmio.Process(verify.Function, data)
			if !bytes.Equal(out, again) {
				t.Error("output is not byte-deterministic")
			}
			rl, err := krmio.Read(out)
			if err != nil {
				t.Fatal(err)
			}
			pending := map[string]int{}
			for _, r := range rl.Results {
				if r.Severity != fn.Error {
					if r.ResourceRef == nil {
						t.Log(r.Message)
					}
					continue
				}
				o := owner(r)
				if present[o] {
					t.Errorf("%s (responsible: %s)", oneLine(r.String()), o)
				} else {
					pending[o]++
				}
			}
			for _, o := range slices.Sorted(maps.Keys(pending)) {
				t.Logf("%d findings wait for %s, which is not in the chain yet", pending[o], o)
			}
		})
	}
}

// owner names the function responsible for an error result: the one that
// establishes the invariant the check verifies.
func owner(r *fn.Result) string {
	check, _, _ := strings.Cut(r.Message, ":")
	group := ""
	if r.ResourceRef != nil {
		group = kit.GroupOf(r.ResourceRef.APIVersion)
	}
	switch check {
	case "crd-waves", "webhook-waves":
		return "set-sync-wave"
	case "sidecar-keys":
		return "strip-istio-sidecar"
	case "ambient-l7", "waypoints":
		return "ambient-mesh"
	case "route-parents", "route-backends", "reference-grants", "gateway-certificates":
		return "kgateway-route"
	case "policy-targets":
		if strings.HasSuffix(group, "istio.io") {
			return "ambient-mesh"
		}
		return "kgateway-route"
	case "crd-schema", "field-types", "object-meta", "builtin-schema", "kustomize-vars", "namespaces":
		switch group {
		case kit.GroupGatewayAPI, "gateway.kgateway.dev":
			return "kgateway-route"
		case istio.GroupSecurity:
			return "ambient-mesh"
		case "argoproj.io":
			return "argocd-apps"
		}
	}
	return "upstream"
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
