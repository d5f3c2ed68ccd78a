package kit_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/istio"
	"github.com/kfgitops/kfgitops/kit/kubeflow"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

func obj(t testing.TB, doc string) *fn.KubeObject {
	t.Helper()
	o, err := fn.ParseKubeObject([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestGroupKindIgnoresVersion(t *testing.T) {
	for _, av := range []string{"networking.istio.io/v1alpha3", "networking.istio.io/v1beta1", "networking.istio.io/v1"} {
		o := obj(t, "apiVersion: "+av+"\nkind: VirtualService\nmetadata: {name: x}\n")
		if !istio.VirtualServiceKind.Is(o) {
			t.Errorf("%s VirtualService not matched", av)
		}
	}
	if istio.VirtualServiceKind.Is(obj(t, "apiVersion: example.com/v1\nkind: VirtualService\nmetadata: {name: x}\n")) {
		t.Error("a VirtualService of another group matched")
	}
	if got := kit.GroupKindOf(obj(t, "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n")); got != kit.NamespaceKind {
		t.Errorf("core group: got %v", got)
	}
}

func TestScope(t *testing.T) {
	items := fn.KubeObjects{
		obj(t, `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: clustertrainingruntimes.trainer.kubeflow.org}
spec: {group: trainer.kubeflow.org, scope: Cluster, names: {kind: ClusterTrainingRuntime}}`),
		obj(t, `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: notebooks.kubeflow.org}
spec: {group: kubeflow.org, scope: Namespaced, names: {kind: Notebook}}`),
	}
	s := kit.NewScope(items)
	cases := []struct {
		doc, wantNamespace string
		cluster            bool
	}{
		{"apiVersion: trainer.kubeflow.org/v1alpha1\nkind: ClusterTrainingRuntime\nmetadata: {name: a, namespace: kubeflow-system}\n", "", true},
		{"apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: a, namespace: kubeflow}\n", "", true},
		{"apiVersion: kubeflow.org/v1\nkind: Notebook\nmetadata: {name: a, namespace: team}\n", "team", false},
		{"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: kubeflow}\n", "kubeflow", false},
		{"apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: a}\n", "", false},
		{"apiVersion: unknown.example.com/v1\nkind: Thing\nmetadata: {name: a}\n", "", true},
	}
	for _, c := range cases {
		o := obj(t, c.doc)
		if got := s.Namespace(o); got != c.wantNamespace {
			t.Errorf("%s %s: namespace %q, want %q", o.GetKind(), o.GetName(), got, c.wantNamespace)
		}
		if got := s.IsClusterScoped(o); got != c.cluster {
			t.Errorf("%s: cluster-scoped %v, want %v", o.GetKind(), got, c.cluster)
		}
	}
}

func TestPodTemplates(t *testing.T) {
	cases := []struct {
		doc   string
		paths []string
	}{
		{"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n", []string{""}},
		{"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {template: {metadata: {}}}\n", []string{"spec.template"}},
		{"apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec: {jobTemplate: {spec: {template: {}}}}\n", []string{"spec.jobTemplate.spec.template"}},
		{"apiVersion: jobset.x-k8s.io/v1alpha2\nkind: JobSet\nmetadata: {name: j}\nspec: {replicatedJobs: [{template: {spec: {template: {}}}}, {template: {spec: {template: {}}}}]}\n",
			[]string{"spec.replicatedJobs[0].template.spec.template", "spec.replicatedJobs[1].template.spec.template"}},
		{"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {template: 7}\n", nil},
		{"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", nil},
	}
	table := append(append([]kit.PodTemplatePath{}, kit.BuiltinPodTemplatePaths...), kubeflow.PodTemplatePaths...)
	for _, c := range cases {
		o := obj(t, c.doc)
		var got []string
		gk := kit.GroupKindOf(o)
		_ = kit.EditRNode(o, func(rn *yaml.RNode) error {
			for _, pt := range kit.PodTemplates(rn, gk, table) {
				got = append(got, pt.Path)
			}
			return nil
		})
		if strings.Join(got, ",") != strings.Join(c.paths, ",") {
			t.Errorf("%s: got %v, want %v", o.GetKind(), got, c.paths)
		}
	}
}

type sampleConfig struct {
	Name    string            `json:"name"`
	Enabled bool              `json:"enabled"`
	Count   int               `json:"count"`
	List    []string          `json:"list,omitempty"`
	Nested  map[string]string `json:"nested,omitempty"`
	Inner   struct {
		X int `json:"x"`
	} `json:"inner"`
}

func TestDecodeConfig(t *testing.T) {
	cases := []struct {
		name, doc, wantErr string
		want               sampleConfig
	}{
		{"none", "", "", sampleConfig{Name: "default", Enabled: true}},
		{"kpt placeholder", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: function-input}\n", "", sampleConfig{Name: "default", Enabled: true}},
		{"typed", "apiVersion: fn.kfgitops.dev/v1alpha1\nkind: Sample\nmetadata: {name: c}\nname: x\nenabled: false\ncount: 3\nlist: [a, b]\n", "",
			sampleConfig{Name: "x", Count: 3, List: []string{"a", "b"}}},
		{"ConfigMap", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {name: \"true\", enabled: \"false\", count: \"2\", list: \"[a]\"}\n", "",
			sampleConfig{Name: "true", Count: 2, List: []string{"a"}}},
		{"typed unknown field", "apiVersion: fn.kfgitops.dev/v1alpha1\nkind: Sample\nmetadata: {name: c}\nnmae: x\n", `unknown field "nmae"`, sampleConfig{}},
		{"ConfigMap unknown key", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {nmae: x}\n", `unknown field "nmae"`, sampleConfig{}},
		{"wrong type", "apiVersion: fn.kfgitops.dev/v1alpha1\nkind: Sample\nmetadata: {name: c}\ncount: many\n", `field "count": expected an integer`, sampleConfig{}},
		{"nested wrong type", "apiVersion: fn.kfgitops.dev/v1alpha1\nkind: Sample\nmetadata: {name: c}\nnested: {a: 1}\n", `field "nested": expected a string`, sampleConfig{}},
		{"nested unknown", "apiVersion: fn.kfgitops.dev/v1alpha1\nkind: Sample\nmetadata: {name: c}\ninner: {y: 1}\n", `unknown field "inner.y"`, sampleConfig{}},
		{"foreign kind", "apiVersion: example.com/v1\nkind: Other\nmetadata: {name: c}\n", "not supported", sampleConfig{}},
		{"other kind of ours", "apiVersion: fn.kfgitops.dev/v1alpha1\nkind: Else\nmetadata: {name: c}\n", "not supported", sampleConfig{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fc := fn.NewEmptyKubeObject()
			if c.doc != "" {
				fc = obj(t, c.doc)
			}
			cfg := sampleConfig{Name: "default", Enabled: true}
			err := kit.DecodeConfig(fc, "Sample", &cfg)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(cfg.List, ",") != strings.Join(c.want.List, ",") || cfg.Name != c.want.Name || cfg.Enabled != c.want.Enabled || cfg.Count != c.want.Count {
				t.Errorf("got %+v, want %+v", cfg, c.want)
			}
		})
	}
}

func FuzzDecodeConfig(f *testing.F) {
	f.Add("apiVersion: fn.kfgitops.dev/v1alpha1\nkind: Sample\nmetadata: {name: c}\nname: x\n")
	f.Add("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {count: \"[1\"}\n")
	f.Fuzz(func(t *testing.T, doc string) {
		fc, err := fn.ParseKubeObject([]byte(doc))
		if err != nil {
			return
		}
		cfg := sampleConfig{}
		_ = kit.DecodeConfig(fc, "Sample", &cfg)
	})
}

func TestSelector(t *testing.T) {
	s := kit.NewScope(nil)
	o := obj(t, "apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata: {name: kubeflow-self-signing-issuer, namespace: ignored, labels: {app.kubernetes.io/name: cert-manager}}\n")
	cases := []struct {
		sel  kit.Selector
		want bool
	}{
		{kit.Selector{}, true},
		{kit.Selector{Group: kit.Ptr("cert-manager.io")}, true},
		{kit.Selector{Group: kit.Ptr("")}, false},
		{kit.Selector{Kind: "Cluster*"}, true},
		{kit.Selector{Name: "kubeflow-*", Labels: map[string]string{"app.kubernetes.io/name": "cert-*"}}, true},
		{kit.Selector{Namespace: "ignored"}, false},
		{kit.Selector{ClusterScoped: kit.Ptr(true)}, true},
		{kit.Selector{Annotations: map[string]string{"x": "*"}}, false},
	}
	for i, c := range cases {
		if got := c.sel.Matches(o, s); got != c.want {
			t.Errorf("case %d: got %v, want %v", i, got, c.want)
		}
	}
	if err := (kit.Selector{Name: "["}).Validate(); err == nil {
		t.Error("bad glob accepted")
	}
}

func TestConfigMapRef(t *testing.T) {
	ref := kubeflow.NamespaceLabels
	for name, want := range map[string]bool{
		"namespace-labels-data":            true,
		"namespace-labels-data-2k29b64d74": true,
		"namespace-labels-data-other":      false,
		"namespace-labels-data2k29b64d74":  false,
	} {
		o := obj(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: "+name+", namespace: kubeflow}\n")
		if got := ref.Matches(o); got != want {
			t.Errorf("%s: got %v, want %v", name, got, want)
		}
	}
}

func TestSetEmbeddedYAMLFields(t *testing.T) {
	o := obj(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  f.yaml: |\n    # keep\n    a: \"1\"\n")
	changed, err := kit.SetEmbeddedYAMLFields(o, "f.yaml", map[string]string{"b": "", "a": "1"})
	if err != nil || strings.Join(changed, ",") != "b" {
		t.Fatalf("changed %v, err %v", changed, err)
	}
	got, _, _ := o.NestedString("data", "f.yaml")
	if got != "# keep\na: \"1\"\nb: \"\"\n" {
		t.Errorf("got %q", got)
	}
	if again, _ := kit.SetEmbeddedYAMLFields(o, "f.yaml", map[string]string{"b": ""}); len(again) != 0 {
		t.Errorf("not idempotent: %v", again)
	}
}

type replaceSample struct {
	Refs   []kit.ConfigMapRef `json:"refs"`
	Labels map[string]string  `json:"labels"`
	Inner  struct {
		A string   `json:"a"`
		B string   `json:"b"`
		L []string `json:"l"`
	} `json:"inner"`
	Ptr *kit.ConfigMapRef `json:"ptr"`
}

func replaceDefaults() replaceSample {
	var c replaceSample
	c.Refs = []kit.ConfigMapRef{{Namespace: "kubeflow", Name: "d", Key: "k.yaml"}, {Namespace: "x", Name: "y", Key: "z"}}
	c.Labels = map[string]string{"default": "1"}
	c.Inner.A, c.Inner.B, c.Inner.L = "a", "b", []string{"l1", "l2"}
	c.Ptr = &kit.ConfigMapRef{Namespace: "p", Name: "q", Key: "r"}
	return c
}

// TestDecodeConfigReplacesDefaults: a field given replaces its default whole
// (lists, maps, pointers); a nested object replaces only the fields it gives.
func TestDecodeConfigReplacesDefaults(t *testing.T) {
	cases := []struct {
		name, body string
		want       func(*replaceSample)
	}{
		{"list of objects", "refs: [{namespace: a, name: b}]", func(c *replaceSample) { c.Refs = []kit.ConfigMapRef{{Namespace: "a", Name: "b"}} }},
		{"empty list", "refs: []", func(c *replaceSample) { c.Refs = []kit.ConfigMapRef{} }},
		{"null list", "refs: null", func(c *replaceSample) { c.Refs = nil }},
		{"map", "labels: {given: \"2\"}", func(c *replaceSample) { c.Labels = map[string]string{"given": "2"} }},
		{"nested field", "inner: {b: B}", func(c *replaceSample) { c.Inner.B = "B" }},
		{"nested list", "inner: {l: [x]}", func(c *replaceSample) { c.Inner.L = []string{"x"} }},
		{"pointer", "ptr: {name: n}", func(c *replaceSample) { c.Ptr = &kit.ConfigMapRef{Name: "n"} }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, doc := range []string{
				"apiVersion: fn.kfgitops.dev/v1alpha1\nkind: Sample\nmetadata: {name: c}\n" + c.body + "\n",
				configMapOf(t, c.body),
			} {
				got := replaceDefaults()
				if err := kit.DecodeConfig(obj(t, doc), "Sample", &got); err != nil {
					t.Fatal(err)
				}
				want := replaceDefaults()
				c.want(&want)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s:\ngot  %+v\nwant %+v", doc, got, want)
				}
			}
		})
	}
}

// configMapOf writes a one-field typed body as a ConfigMap functionConfig.
func configMapOf(t *testing.T, body string) string {
	key, value, _ := strings.Cut(body, ": ")
	v, err := json.Marshal(value)
	if err != nil {
		t.Fatal(err)
	}
	return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {" + key + ": " + string(v) + "}\n"
}

// Error results name YAML types, never the SDK's Go types.
func TestErrorsNameYAMLTypes(t *testing.T) {
	d := kit.Definition[noConfig]{FunctionName: "f", Kind: "F", Defaults: func() noConfig { return noConfig{} },
		Run: func(rl *fn.ResourceList, _ *noConfig) error {
			return kit.Errorf(rl.Items[0], "metadata.annotations", "%w", rl.Items[0].SetAnnotation("a", "b"))
		}}
	o, err := fn.ParseKubeObject([]byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  annotations: [a]\n"))
	if err != nil {
		t.Fatal(err)
	}
	rl := &fn.ResourceList{Items: fn.KubeObjects{o}, FunctionConfig: fn.NewEmptyKubeObject()}
	if d.Process(rl) || len(rl.Results) != 1 {
		t.Fatalf("want one error result, got %v", rl.Results)
	}
	if msg := rl.Results[0].Message; strings.Contains(msg, "internal") || !strings.Contains(msg, "wrong type: got a list") {
		t.Errorf("message: %s", msg)
	}
}
