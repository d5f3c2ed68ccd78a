package apiserver

import (
	"strings"
	"testing"
	"time"

	"github.com/kfgitops/kfgitops/functions/kubeflow-gitops/chain"
	"github.com/kfgitops/kfgitops/kit/corpus"
	"github.com/kfgitops/kfgitops/kit/krmio"
)

// knativeRemovedConfig is the kubeflow-gitops config that drops Knative
// Serving and net-istio (kserve-gateway's knativeServing: remove).
const knativeRemovedConfig = `apiVersion: fn.kfgitops.dev/v1alpha1
kind: KubeflowGitops
metadata:
  name: kubeflow-gitops
kserveGateway:
  knativeServing: remove
`

// knativeRemoved: the in-process chain over the master render without
// Knative Serving; nothing of Knative is left in the output, and every
// object is admitted by a cluster that has no Knative either (KServe's
// RBAC on serving.knative.dev and its config naming the local gateway are
// admitted as they are).
func knativeRemoved(t *testing.T, root, bin string) {
	start := time.Now()
	out, stderr, code := krmio.Process(chain.Function, corpus.WithFunctionConfig(corpus.ResourceList(t, corpus.Master), knativeRemovedConfig))
	if code != 0 {
		t.Fatalf("kubeflow-gitops: exit %d\n%s", code, stderr)
	}
	objs, err := gitFiles(out)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("chain: %d objects in %s", len(objs), time.Since(start).Round(time.Millisecond))
	for _, o := range objs {
		group, _, _ := strings.Cut(o.crdGroupKind, "/")
		if o.namespace == "knative-serving" || o.kind == "Namespace" && o.name == "knative-serving" || strings.HasSuffix(group, ".knative.dev") {
			t.Errorf("%s %s/%s: Knative Serving left in the output", o.kind, o.namespace, o.name)
		}
	}
	c := startPlatform(t, root, bin, objs)
	applyAll(t, c, objs)
}
