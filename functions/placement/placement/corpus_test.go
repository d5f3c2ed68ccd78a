package placement_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kfgitops/kfgitops/functions/placement/placement"
	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/corpus"
	"github.com/kfgitops/kfgitops/kit/krmio"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	sigsjson "sigs.k8s.io/json"
	sigsyaml "sigs.k8s.io/yaml"
)

// productionProfile is the config pipelines/kubeflow-day2 runs.
func productionProfile(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "pipelines", "kubeflow-day2", "placement.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The production profile on both real renders: it succeeds, every
// autoscaler and budget it renders decodes strictly as the Kubernetes API
// type and points at a workload of the bundle the way the controllers read
// it, and a second run changes nothing.
func TestProductionProfileOnCorpus(t *testing.T) {
	corpus.Require(t)
	config := productionProfile(t)
	for _, c := range []struct {
		file       string
		hpas, pdbs int
	}{{corpus.Master, 8, 13}, {corpus.Release, 7, 12}} {
		file := c.file
		t.Run(file, func(t *testing.T) {
			in := corpus.WithFunctionConfig(corpus.ResourceList(t, file), config)
			out, stderr, code := krmio.Process(placement.Function, in)
			if code != 0 {
				t.Fatalf("exit %d:\n%s", code, stderr)
			}
			if strings.Contains(stderr, "[warning]") {
				t.Errorf("warnings on upstream Kubeflow:\n%s", stderr)
			}
			again, _, code := krmio.Process(placement.Function, out)
			if code != 0 || !bytes.Equal(items(t, again), items(t, out)) {
				t.Error("a second run changes the items")
			}
			rl, err := fn.ParseResourceList(out)
			if err != nil {
				t.Fatal(err)
			}
			hpas, pdbs := checkRendered(t, rl.Items)
			if hpas != c.hpas || pdbs != c.pdbs {
				t.Errorf("%d HorizontalPodAutoscalers and %d PodDisruptionBudgets, want %d and %d", hpas, pdbs, c.hpas, c.pdbs)
			}
		})
	}
}

// items is the output's items, without the results.
func items(t *testing.T, out []byte) []byte {
	t.Helper()
	rl, err := fn.ParseResourceList(out)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	for _, o := range rl.Items {
		b.WriteString(o.String() + "---\n")
	}
	return b.Bytes()
}

// checkRendered checks every object the function rendered and counts them.
func checkRendered(t *testing.T, items fn.KubeObjects) (hpas, pdbs int) {
	t.Helper()
	workloads := map[kit.ObjectID]*appsv1.Deployment{}
	for _, o := range items {
		if kit.DeploymentKind.Is(o) {
			var d appsv1.Deployment
			decodeStrict(t, o, &d)
			workloads[kit.IDOf(o)] = &d
		}
	}
	for _, o := range items {
		if o.GetLabel(kit.ManagedByLabel) != placement.ManagedBy {
			continue
		}
		switch {
		case kit.HorizontalPodAutoscalerKind.Is(o):
			hpas++
			var h autoscalingv2.HorizontalPodAutoscaler
			decodeStrict(t, o, &h)
			d := workloads[kit.ObjectID{GroupKind: kit.DeploymentKind, Namespace: h.Namespace, Name: h.Spec.ScaleTargetRef.Name}]
			if d == nil {
				t.Errorf("%s: targets no Deployment of the bundle", kit.Describe(o))
				continue
			}
			if d.Spec.Replicas != nil {
				t.Errorf("%s: the Deployment keeps spec.replicas", kit.Describe(o))
			}
			for _, c := range d.Spec.Template.Spec.Containers {
				if c.Resources.Requests.Cpu().IsZero() {
					t.Errorf("%s: container %s requests no cpu", kit.Describe(o), c.Name)
				}
			}
		case kit.PodDisruptionBudgetKind.Is(o):
			pdbs++
			var b policyv1.PodDisruptionBudget
			decodeStrict(t, o, &b)
			d := workloads[kit.ObjectID{GroupKind: kit.DeploymentKind, Namespace: b.Namespace, Name: b.Name}]
			if d == nil || !equality.Semantic.DeepEqual(b.Spec.Selector, d.Spec.Selector) {
				t.Errorf("%s: selector is not its Deployment's", kit.Describe(o))
			}
		}
	}
	return hpas, pdbs
}

// decodeStrict decodes the object as the API server's strict field
// validation does: an unknown or duplicate field is an error.
func decodeStrict(t *testing.T, o *fn.KubeObject, v any) {
	t.Helper()
	j, err := sigsyaml.YAMLToJSON([]byte(o.String()))
	if err != nil {
		t.Fatal(err)
	}
	strict, err := sigsjson.UnmarshalStrict(j, v)
	if err != nil || len(strict) > 0 {
		t.Errorf("%s: %v %v", kit.Describe(o), err, strict)
	}
}
