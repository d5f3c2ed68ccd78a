package kit_test

import (
	"strings"
	"testing"

	"github.com/kfgitops/kfgitops/kit"
)

func TestObjectRefMatchesID(t *testing.T) {
	cm := kit.ObjectID{GroupKind: kit.ConfigMapKind, Namespace: "kubeflow", Name: "istio-config"}
	crd := kit.ObjectID{GroupKind: kit.CustomResourceDefinitionKind, Name: "profiles.kubeflow.org"}
	for _, c := range []struct {
		name string
		ref  kit.ObjectRef
		id   kit.ObjectID
		want bool
	}{
		{"empty matches anything", kit.ObjectRef{}, cm, true},
		{"empty matches cluster-scoped", kit.ObjectRef{}, crd, true},
		{"core group", kit.ObjectRef{Group: kit.Ptr("")}, cm, true},
		{"other group", kit.ObjectRef{Group: kit.Ptr("apps")}, cm, false},
		{"kind glob", kit.ObjectRef{Kind: "Config*"}, cm, true},
		{"name glob", kit.ObjectRef{Name: "istio-*"}, cm, true},
		{"name mismatch", kit.ObjectRef{Name: "dex"}, cm, false},
		{"namespace", kit.ObjectRef{Namespace: "kube*"}, cm, true},
		{"namespace pattern never matches cluster-scoped", kit.ObjectRef{Namespace: "*"}, crd, false},
		{"every field", kit.ObjectRef{Group: kit.Ptr(kit.GroupAPIExtensions), Kind: "CustomResourceDefinition", Name: "*.kubeflow.org"}, crd, true},
	} {
		if got := c.ref.MatchesID(c.id); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
	if err := (kit.ObjectRef{Namespace: "[a"}).Validate(); err == nil || !strings.Contains(err.Error(), `bad pattern "[a"`) {
		t.Errorf("bad glob: %v", err)
	}
}

// A selector without Namespace or ClusterScoped needs no scope.
func TestSelectorWithoutScope(t *testing.T) {
	o := obj(t, "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nmetadata: {name: istio-validator-istio-system}\n")
	if !(kit.Selector{Kind: "ValidatingWebhookConfiguration", Name: "istio-validator*"}).Matches(o, nil) {
		t.Error("no match")
	}
}

func TestGlob(t *testing.T) {
	for _, c := range []struct {
		pattern, value string
		want           bool
	}{
		{"", "anything", true},
		{"", "", true},
		{"*", "", true},
		{"knative-*", "knative-serving", true},
		{"knative-*", "kubeflow", false},
		{"a?c", "abc", true},
		{"[", "[", false}, // malformed: matches nothing
	} {
		if got := kit.Glob(c.pattern, c.value); got != c.want {
			t.Errorf("Glob(%q, %q) = %v, want %v", c.pattern, c.value, got, c.want)
		}
	}
}

func TestMatchLabels(t *testing.T) {
	pod := map[string]string{"app": "web", "tier": "front"}
	for _, c := range []struct {
		name     string
		selector map[string]string
		labels   map[string]string
		want     bool
	}{
		{"nil selects everything", nil, pod, true},
		{"empty selects everything", map[string]string{}, pod, true},
		{"empty selects unlabelled", map[string]string{}, nil, true},
		{"subset", map[string]string{"app": "web"}, pod, true},
		{"all", map[string]string{"app": "web", "tier": "front"}, pod, true},
		{"other value", map[string]string{"app": "db"}, pod, false},
		{"missing key", map[string]string{"zone": "a"}, pod, false},
		{"empty value is a value", map[string]string{"app": ""}, map[string]string{}, false},
		{"empty value present", map[string]string{"app": ""}, map[string]string{"app": ""}, true},
	} {
		if got := kit.MatchLabels(c.selector, c.labels); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

func TestCheckDNSNames(t *testing.T) {
	for _, c := range []struct {
		check   func(field, v string) error
		v, want string
	}{
		{kit.CheckDNSLabel, "kubeflow", ""},
		{kit.CheckDNSLabel, "a.b", `f "a.b": must not contain dots`},
		{kit.CheckDNSLabel, "", `f "": a lowercase RFC 1123 label must consist of`},
		{kit.CheckDNSLabel, strings.Repeat("a", 64), `f "` + strings.Repeat("a", 64) + `": must be no more than 63 characters`},
		{kit.CheckDNSSubdomain, "kubeflow.org", ""},
		{kit.CheckDNSSubdomain, "Kubeflow", `f "Kubeflow": a lowercase RFC 1123 subdomain must consist of`},
	} {
		err := c.check("f", c.v)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%q: %v", c.v, err)
		case c.want != "" && (err == nil || !strings.HasPrefix(err.Error(), c.want)):
			t.Errorf("%q: got %v, want %s…", c.v, err, c.want)
		}
	}
}

func TestAs(t *testing.T) {
	o := obj(t, "apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: n}\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n")
	var spec struct {
		Spec struct {
			Selector map[string]string `json:"selector"`
			Ports    []struct {
				Port int `json:"port"`
			} `json:"ports"`
		} `json:"spec"`
	}
	if err := kit.As(&o.SubObject, &spec); err != nil || spec.Spec.Selector["app"] != "web" || spec.Spec.Ports[0].Port != 80 {
		t.Errorf("decoded %+v, %v", spec, err)
	}
	var wrong struct {
		Spec struct {
			Ports map[string]any `json:"ports"`
		} `json:"spec"`
	}
	err := kit.As(&o.SubObject, &wrong)
	if err == nil || err.Error() != `field "spec.ports": expected an object, got array` {
		t.Errorf("type error in the words of the YAML: %v", err)
	}
	if kit.MapOf(map[string]any{"a": 1})["a"] != 1 || kit.MapOf([]any{}) != nil || len(kit.ListOf([]any{1})) != 1 || kit.ListOf("x") != nil {
		t.Error("MapOf/ListOf")
	}
}

func TestDescribe(t *testing.T) {
	for doc, want := range map[string]string{
		"apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: n}\n":                                     "Service n/s",
		"apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: a.example.com}\n": "CustomResourceDefinition a.example.com",
	} {
		if got := kit.Describe(obj(t, doc)); got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

func TestRefAt(t *testing.T) {
	def := kit.ObjectID{GroupKind: kit.GatewayKind, Namespace: "team"}
	for _, c := range []struct {
		name, ref string
		want      kit.ObjectID
	}{
		{"defaults", "{name: gw}", kit.ObjectID{GroupKind: kit.GatewayKind, Namespace: "team", Name: "gw"}},
		{"as written", "{group: '', kind: Service, namespace: other, name: svc}", kit.ObjectID{GroupKind: kit.ServiceKind, Namespace: "other", Name: "svc"}},
		{"empty namespace defaults", "{namespace: '', name: gw}", kit.ObjectID{GroupKind: kit.GatewayKind, Namespace: "team", Name: "gw"}},
		{"empty kind stays empty", "{kind: '', name: gw}", kit.ObjectID{GroupKind: kit.GroupKind{Group: kit.GatewayKind.Group}, Namespace: "team", Name: "gw"}},
		{"no name", "{kind: ServiceAccount}", kit.ObjectID{GroupKind: kit.GroupKind{Group: kit.GatewayKind.Group, Kind: "ServiceAccount"}, Namespace: "team"}},
	} {
		o := obj(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: m}\ndata: {}\nref: "+c.ref+"\n")
		sub := o.GetMap("ref")
		if got := kit.RefAt(sub, def); got != c.want {
			t.Errorf("%s: got %+v, want %+v", c.name, got, c.want)
		}
	}
}
