package kservegateway_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kfgitops/kfgitops/functions/kserve-gateway/kservegateway"
	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/corpus"
	"github.com/kfgitops/kfgitops/kit/krmio"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	"k8s.io/apimachinery/pkg/util/validation"
)

// On both Kubeflow renders: the output's inferenceservice-config is what
// KServe v0.16.0 loads (every key of the edited documents in the pinned
// table with its JSON type, the checks of NewIngressConfig and
// NewDeployConfig hold), Standard on kgateway-route's Gateway; nothing else
// in the bundle changes; and a second run changes nothing.
func TestCorpusConfigValidForKServe(t *testing.T) {
	for _, file := range []string{corpus.Master, corpus.Release} {
		t.Run(file, func(t *testing.T) {
			in := corpus.ResourceList(t, file)
			rl := run(t, in)
			cm := only(t, rl.Items)
			for _, p := range kserveProblems(cm) {
				t.Error(p)
			}
			before, err := krmio.Read(in)
			if err != nil {
				t.Fatal(err)
			}
			was := map[kit.ObjectID]string{}
			for _, o := range before.Items {
				was[kit.IDOf(o)] = o.String()
			}
			changed := 0
			for _, o := range rl.Items {
				if o.String() != was[kit.IDOf(o)] {
					changed++
					if o != cm {
						t.Errorf("%s changed; only %s may", kit.Describe(o), kit.Describe(cm))
					}
				}
			}
			if changed != 1 {
				t.Errorf("%d objects changed, want 1", changed)
			}
			var first bytes.Buffer
			if err := krmio.Write(&first, rl); err != nil {
				t.Fatal(err)
			}
			again := run(t, first.Bytes())
			if only(t, again.Items).String() != cm.String() {
				t.Error("a second run changed the ConfigMap")
			}
		})
	}
}

func run(t *testing.T, in []byte) *fn.ResourceList {
	t.Helper()
	rl, err := krmio.Read(in)
	if err != nil {
		t.Fatal(err)
	}
	if !kservegateway.Function.Process(rl) {
		t.Fatalf("kserve-gateway failed: %v", rl.Results)
	}
	return rl
}

func only(t *testing.T, items fn.KubeObjects) *fn.KubeObject {
	t.Helper()
	var found []*fn.KubeObject
	for _, o := range items {
		if o.GetKind() == "ConfigMap" && o.GetName() == kservegateway.ConfigMapName {
			found = append(found, o)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d ConfigMaps %s, want 1", len(found), kservegateway.ConfigMapName)
	}
	return found[0]
}

// kserveProblems checks the ConfigMap as KServe v0.16.0 loads it.
func kserveProblems(cm *fn.KubeObject) []string {
	var problems []string
	docs := map[string]map[string]any{}
	for key, fields := range map[string][]kservegateway.Field{kservegateway.IngressKey: kservegateway.IngressFields, kservegateway.DeployKey: kservegateway.DeployFields} {
		s, _, _ := cm.NestedString("data", key)
		doc := map[string]any{}
		if err := json.Unmarshal([]byte(s), &doc); err != nil {
			problems = append(problems, fmt.Sprintf("data.%s: %v", key, err))
			continue
		}
		docs[key] = doc
		for k, v := range doc {
			i := slices.IndexFunc(fields, func(f kservegateway.Field) bool { return f.Name == k })
			if i < 0 {
				problems = append(problems, fmt.Sprintf("data.%s: %s is not a field KServe v0.16.0 decodes", key, k))
			} else if got := jsonType(v); got != fields[i].Type {
				problems = append(problems, fmt.Sprintf("data.%s: %s is a JSON %s, KServe decodes a %s", key, k, got, fields[i].Type))
			}
		}
	}
	ingress, deploy := docs[kservegateway.IngressKey], docs[kservegateway.DeployKey]
	if ingress[kservegateway.EnableGatewayAPIField] != true {
		problems = append(problems, "enableGatewayApi is not true")
	}
	gw, _ := ingress[kservegateway.KServeIngressGatewayField].(string)
	ns, name, ok := strings.Cut(gw, "/")
	if !ok || strings.Contains(name, "/") || len(validation.IsDNS1123Label(ns)) > 0 || len(validation.IsDNS1123Label(name)) > 0 {
		problems = append(problems, fmt.Sprintf("kserveIngressGateway %q: KServe wants <namespace>/<name>, both DNS labels", gw))
	}
	if gw != "kubeflow-system/kubeflow-gateway" {
		problems = append(problems, fmt.Sprintf("kserveIngressGateway %q, want kgateway-route's Gateway kubeflow-system/kubeflow-gateway", gw))
	}
	if ingress["ingressGateway"] == "" || ingress["ingressGateway"] == nil {
		problems = append(problems, "ingressGateway is required by KServe")
	}
	if ingress["pathTemplate"] != nil && ingress["pathTemplate"] != "" && (ingress["ingressDomain"] == nil || ingress["ingressDomain"] == "") {
		problems = append(problems, "ingressDomain is required with a pathTemplate")
	}
	mode, _ := deploy[kservegateway.DefaultDeploymentModeField].(string)
	if !slices.Contains(kservegateway.DeploymentModes, mode) || mode != "Standard" {
		problems = append(problems, fmt.Sprintf("defaultDeploymentMode %q, want Standard (one of %v)", mode, kservegateway.DeploymentModes))
	}
	return problems
}

func jsonType(v any) string {
	switch v.(type) {
	case bool:
		return "boolean"
	case string:
		return "string"
	case []any:
		return "array"
	}
	return fmt.Sprintf("%T", v)
}
