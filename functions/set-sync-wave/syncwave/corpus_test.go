package syncwave_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/kfgitops/kfgitops/functions/set-sync-wave/syncwave"
	"github.com/kfgitops/kfgitops/kit/corpus"
	"github.com/kfgitops/kfgitops/kit/golden"
	"github.com/kfgitops/kfgitops/kit/krmio"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/yaml"
)

// object is an output item decoded independently of the function's code.
type object struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name        string            `json:"name"`
		Namespace   string            `json:"namespace"`
		Labels      map[string]string `json:"labels"`
		Annotations map[string]string `json:"annotations"`
	} `json:"metadata"`
	Spec json.RawMessage `json:"spec"`
	raw  map[string]any
	wave int
}

func (o *object) group() string {
	if i := strings.LastIndexByte(o.APIVersion, '/'); i >= 0 {
		return o.APIVersion[:i]
	}
	return ""
}

func (o *object) String() string {
	return fmt.Sprintf("%s %s/%s", o.Kind, o.Metadata.Namespace, o.Metadata.Name)
}

func (o *object) syncOption(key string) string {
	for _, opt := range strings.Split(o.Metadata.Annotations["argocd.argoproj.io/sync-options"], ",") {
		if k, v, _ := strings.Cut(opt, "="); k == key {
			return v
		}
	}
	return ""
}

type gk struct{ group, kind string }

type crdInfo struct {
	name, plural string
	cluster      bool
	wave         int
}

// TestCorpus checks the acceptance criteria on both platform renders with no
// functionConfig, computing every expectation from the objects.
func TestCorpus(t *testing.T) {
	for _, file := range []string{corpus.Master, corpus.Release} {
		t.Run(file, func(t *testing.T) {
			in := corpus.ResourceList(t, file)
			out, stderr, code := krmio.Process(syncwave.Function, in)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if again, _, _ := krmio.Process(syncwave.Function, in); !bytes.Equal(out, again) {
				t.Fatal("output is not byte-deterministic")
			}
			golden.AssertIdempotent(t, syncwave.Function, out)
			objs := decode(t, out)
			crds := map[gk]*crdInfo{}
			for _, o := range objs {
				if o.Kind == "CustomResourceDefinition" {
					var spec struct {
						Group string `json:"group"`
						Scope string `json:"scope"`
						Names struct{ Kind, Plural string }
					}
					if err := json.Unmarshal(o.Spec, &spec); err != nil {
						t.Fatal(err)
					}
					crds[gk{spec.Group, spec.Names.Kind}] = &crdInfo{o.Metadata.Name, spec.Names.Plural, spec.Scope == "Cluster", o.wave}
				}
			}
			assertCRDsFirst(t, objs, crds)
			assertComponentOrder(t, objs)
			assertWebhookBackendsFirst(t, objs, crds)
			assertSyncOptions(t, objs, crds)
		})
	}
}

func decode(t *testing.T, out []byte) []*object {
	t.Helper()
	rl, err := fn.ParseResourceList(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rl.Results {
		if r.Severity == fn.Error {
			t.Errorf("error result: %s", r.Message)
		}
	}
	var list struct {
		Items []json.RawMessage `json:"items"`
	}
	if err := yaml.Unmarshal(out, &list); err != nil {
		t.Fatal(err)
	}
	objs := make([]*object, 0, len(list.Items))
	for _, raw := range list.Items {
		o := &object{}
		if err := json.Unmarshal(raw, o); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &o.raw); err != nil {
			t.Fatal(err)
		}
		v, ok := o.Metadata.Annotations["argocd.argoproj.io/sync-wave"]
		w, err := strconv.Atoi(v)
		if !ok || err != nil {
			t.Errorf("%s: no integer sync wave (%q)", o, v)
		}
		o.wave = w
		objs = append(objs, o)
	}
	return objs
}

// CRDs hold the lowest wave, and every custom resource comes after its CRD.
func assertCRDsFirst(t *testing.T, objs []*object, crds map[gk]*crdInfo) {
	maxCRD, minOther := -1<<31, 1<<31-1
	for _, o := range objs {
		if o.Kind == "CustomResourceDefinition" {
			maxCRD = max(maxCRD, o.wave)
		} else {
			minOther = min(minOther, o.wave)
		}
		if crd := crds[gk{o.group(), o.Kind}]; crd != nil && o.wave <= crd.wave {
			t.Errorf("%s in wave %d, not after its CRD %s (wave %d)", o, o.wave, crd.name, crd.wave)
		}
	}
	if maxCRD >= minOther {
		t.Errorf("CRDs reach wave %d, other objects start at %d: CRDs must hold the lowest wave", maxCRD, minOther)
	}
}

// cert-manager's workloads come before the infrastructure's, which come
// before the Kubeflow apps'. Components are recognised the way an operator
// would: by namespace and by the component labels upstream puts on them.
func assertComponentOrder(t *testing.T, objs []*object) {
	component := func(o *object) string {
		l, ns := o.Metadata.Labels, o.Metadata.Namespace
		switch {
		case ns == "cert-manager" || l["app.kubernetes.io/instance"] == "cert-manager":
			return "cert-manager"
		case ns == "istio-system" || ns == "auth" || ns == "oauth2-proxy" || ns == "knative-serving" || l["app.kubernetes.io/part-of"] == "istio":
			return "infrastructure"
		case ns == "kubeflow" || ns == "kubeflow-system":
			return "apps"
		}
		return ""
	}
	lo, hi := map[string]int{}, map[string]int{}
	counted := map[string]int{}
	for _, o := range objs {
		if o.Kind != "Deployment" && o.Kind != "DaemonSet" && o.Kind != "StatefulSet" {
			continue
		}
		c := component(o)
		if c == "" {
			continue
		}
		if counted[c] == 0 || o.wave < lo[c] {
			lo[c] = o.wave
		}
		if counted[c] == 0 || o.wave > hi[c] {
			hi[c] = o.wave
		}
		counted[c]++
	}
	order := []string{"cert-manager", "infrastructure", "apps"}
	for i, c := range order {
		if counted[c] == 0 {
			t.Fatalf("no %s workloads found", c)
		}
		if i > 0 && hi[order[i-1]] >= lo[c] {
			t.Errorf("%s workloads reach wave %d, %s workloads start at wave %d", order[i-1], hi[order[i-1]], c, lo[c])
		}
	}
	t.Logf("workload waves: cert-manager %d..%d, infrastructure %d..%d, apps %d..%d",
		lo["cert-manager"], hi["cert-manager"], lo["infrastructure"], hi["infrastructure"], lo["apps"], hi["apps"])
}

// Every custom resource a fail-closed webhook of the bundle intercepts comes
// after the Deployment serving that webhook. Interception is recomputed here
// from the webhook's rules and selectors.
func assertWebhookBackendsFirst(t *testing.T, objs []*object, crds map[gk]*crdInfo) {
	namespaceLabels := map[string]map[string]string{}
	for _, o := range objs {
		if o.Kind == "Namespace" {
			l := map[string]string{"kubernetes.io/metadata.name": o.Metadata.Name}
			for k, v := range o.Metadata.Labels {
				l[k] = v
			}
			namespaceLabels[o.Metadata.Name] = l
		}
	}
	checked := 0
	for _, cfg := range objs {
		if cfg.group() != "admissionregistration.k8s.io" || !strings.HasSuffix(cfg.Kind, "WebhookConfiguration") {
			continue
		}
		hooks, _ := cfg.raw["webhooks"].([]any)
		for _, h := range hooks {
			var hook struct {
				Name          string
				FailurePolicy string
				ClientConfig  struct {
					Service *struct{ Namespace, Name string }
				}
				Rules []struct {
					APIGroups, Resources, Operations []string
				}
				NamespaceSelector, ObjectSelector *metav1.LabelSelector
			}
			b, _ := json.Marshal(h)
			if err := json.Unmarshal(b, &hook); err != nil {
				t.Fatal(err)
			}
			if hook.FailurePolicy == "Ignore" || hook.ClientConfig.Service == nil {
				continue
			}
			backends := serviceBackends(objs, hook.ClientConfig.Service.Namespace, hook.ClientConfig.Service.Name)
			nsSel, _ := metav1.LabelSelectorAsSelector(hook.NamespaceSelector)
			objSel, _ := metav1.LabelSelectorAsSelector(hook.ObjectSelector)
			if hook.NamespaceSelector == nil {
				nsSel = labels.Everything()
			}
			if hook.ObjectSelector == nil {
				objSel = labels.Everything()
			}
			for _, x := range objs {
				crd := crds[gk{x.group(), x.Kind}]
				if crd == nil || !objSel.Matches(labels.Set(x.Metadata.Labels)) {
					continue
				}
				if !crd.cluster && !nsSel.Matches(labels.Set(namespaceLabels[x.Metadata.Namespace])) {
					continue
				}
				if !ruleMatches(hook.Rules, x.group(), crd.plural) {
					continue
				}
				for _, d := range backends {
					checked++
					if x.wave <= d.wave {
						t.Errorf("%s (wave %d) is intercepted by webhook %s of %s, served by %s in wave %d: it must come later",
							x, x.wave, hook.Name, cfg, d, d.wave)
					}
				}
			}
		}
	}
	if checked == 0 {
		t.Error("no custom resource intercepted by a fail-closed webhook found: the check checked nothing")
	}
	t.Logf("%d (intercepted custom resource, webhook backend) pairs checked", checked)
}

func ruleMatches(rules []struct{ APIGroups, Resources, Operations []string }, group, plural string) bool {
	has := func(list []string, v string) bool {
		for _, e := range list {
			if e == "*" || e == v || e == "*/*" || e == v+"/*" {
				return true
			}
		}
		return false
	}
	for _, r := range rules {
		if has(r.APIGroups, group) && has(r.Resources, plural) && (has(r.Operations, "CREATE") || has(r.Operations, "UPDATE")) {
			return true
		}
	}
	return false
}

func serviceBackends(objs []*object, ns, name string) []*object {
	var selector map[string]string
	for _, o := range objs {
		if o.Kind == "Service" && o.Metadata.Namespace == ns && o.Metadata.Name == name {
			var spec struct{ Selector map[string]string }
			_ = json.Unmarshal(o.Spec, &spec)
			selector = spec.Selector
		}
	}
	if len(selector) == 0 {
		return nil
	}
	var out []*object
	for _, o := range objs {
		if o.Kind != "Deployment" || o.Metadata.Namespace != ns {
			continue
		}
		var spec struct {
			Template struct {
				Metadata struct{ Labels map[string]string }
			}
		}
		_ = json.Unmarshal(o.Spec, &spec)
		if labels.SelectorFromSet(selector).Matches(labels.Set(spec.Template.Metadata.Labels)) {
			out = append(out, o)
		}
	}
	return out
}

// Every CRD over 256 KiB as compact JSON carries ServerSideApply=true, and
// every custom resource of a bundled CRD SkipDryRunOnMissingResource=true.
func assertSyncOptions(t *testing.T, objs []*object, crds map[gk]*crdInfo) {
	large := 0
	for _, o := range objs {
		if o.Kind == "CustomResourceDefinition" {
			delete(o.raw["metadata"].(map[string]any)["annotations"].(map[string]any), "argocd.argoproj.io/sync-options")
			b, err := json.Marshal(o.raw)
			if err != nil {
				t.Fatal(err)
			}
			if len(b) > 262144 {
				large++
				if o.syncOption("ServerSideApply") != "true" {
					t.Errorf("%s: %d bytes as JSON but no ServerSideApply=true", o, len(b))
				}
			}
		}
		if crds[gk{o.group(), o.Kind}] != nil && o.syncOption("SkipDryRunOnMissingResource") != "true" {
			t.Errorf("%s: custom resource of a bundled CRD without SkipDryRunOnMissingResource=true", o)
		}
	}
	if large == 0 {
		t.Error("no CRD over 262144 bytes found: the check checked nothing")
	}
	t.Logf("%d CRDs over 262144 bytes", large)
}

// Every component render alone (37 of them, each missing the others' CRDs,
// Namespaces and webhooks) gets waves without an error.
func TestComponents(t *testing.T) {
	for _, file := range corpus.Files(t)[2:] {
		out, stderr, code := krmio.Process(syncwave.Function, corpus.ResourceList(t, file))
		if code != 0 {
			t.Errorf("%s: exit %d: %s", file, code, stderr)
			continue
		}
		decode(t, out)
	}
}
