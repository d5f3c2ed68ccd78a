package kservegateway_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kfgitops/kfgitops/functions/kserve-gateway/kservegateway"
	"github.com/kfgitops/kfgitops/kit/corpus"
	"github.com/kfgitops/kfgitops/kit/krmio"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

const removeConfig = `apiVersion: fn.kfgitops.dev/v1alpha1
kind: KServeGateway
metadata:
  name: kserve-gateway
knativeServing: remove
`

// On both full renders, knativeServing: remove takes out exactly the
// objects of upstream's Knative Serving component (the component render
// components/knative-serving.yaml), reports each, and leaves every other
// object in place.
func TestKnativeRemovalOnCorpus(t *testing.T) {
	dir := corpus.Require(t)
	component, err := os.ReadFile(filepath.Join(dir, "components", "knative-serving.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	want := identities(t, corpus.Wrap(component))
	for _, render := range []string{corpus.Master, corpus.Release} {
		t.Run(render, func(t *testing.T) {
			in := corpus.ResourceList(t, render)
			out, stderr, code := krmio.Process(kservegateway.Function, corpus.WithFunctionConfig(in, removeConfig))
			if code != 0 {
				t.Fatalf("exit %d\n%s", code, stderr)
			}
			before, after := identities(t, in), identities(t, out)
			var removed []string
			for _, id := range before {
				if !slices.Contains(after, id) {
					removed = append(removed, id)
				}
			}
			if !slices.Equal(removed, want) {
				t.Errorf("removed %d objects, the component has %d:\nremoved %v\nwant    %v", len(removed), len(want), removed, want)
			}
			rl, err := fn.ParseResourceList(out)
			if err != nil {
				t.Fatal(err)
			}
			reported := 0
			for _, r := range rl.Results {
				if strings.HasPrefix(r.Message, "removed: part of Knative Serving") {
					reported++
				}
			}
			if reported != len(want) {
				t.Errorf("%d removal results, want one per removed object (%d)", reported, len(want))
			}
		})
	}
}

// identities lists a ResourceList's objects as kind namespace/name, sorted.
func identities(t *testing.T, rlYAML []byte) []string {
	t.Helper()
	rl, err := fn.ParseResourceList(rlYAML)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, o := range rl.Items {
		ids = append(ids, o.GetAPIVersion()+" "+o.GetKind()+" "+o.GetNamespace()+"/"+o.GetName())
	}
	slices.Sort(ids)
	return ids
}
