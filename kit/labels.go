package kit

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// ManagedByLabel says which tool manages an object (Kubernetes' recommended
// label). Writers of this project go by it to leave each other's objects
// alone: the profiles function, the run-time controller.
const ManagedByLabel = "app.kubernetes.io/managed-by"

// ManagedByProfiles is the ManagedByLabel value of the objects the profiles
// function renders for declared profiles (and of what other functions
// derive for them): argocd-apps delivers them with the Profiles.
const ManagedByProfiles = "kfgitops-profiles"

// ConfigMapRef names a ConfigMap by namespace and by the name given to
// kustomize's configMapGenerator: it matches the name as is or followed by
// kustomize's content-hash suffix.
type ConfigMapRef struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// Key is the data key holding a YAML document.
	Key string `json:"key"`
}

// Validate requires every field: a ref given in a config replaces the
// default whole, so a missing key is not the default's key.
func (r ConfigMapRef) Validate() error {
	var missing []string
	for _, f := range []struct{ name, value string }{{"namespace", r.Namespace}, {"name", r.Name}, {"key", r.Key}} {
		if f.value == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s required", strings.Join(missing, ", "))
	}
	return nil
}

var kustomizeHashSuffix = regexp.MustCompile(`^-[bcdfghkmt2-9]{10}$`)

// Matches reports whether o is the ConfigMap this ref names.
func (r ConfigMapRef) Matches(o *fn.KubeObject) bool {
	if !ConfigMapKind.Is(o) || o.GetNamespace() != r.Namespace {
		return false
	}
	name := o.GetName()
	if name == r.Name {
		return true
	}
	rest, ok := cutPrefix(name, r.Name)
	return ok && kustomizeHashSuffix.MatchString(rest)
}

func cutPrefix(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || s[:len(prefix)] != prefix {
		return "", false
	}
	return s[len(prefix):], true
}

// SetEmbeddedYAMLFields sets top-level string fields of the YAML document
// stored in data[key] of a ConfigMap, keeping the document's comments and
// order. It returns the keys it changed, sorted.
func SetEmbeddedYAMLFields(o *fn.KubeObject, key string, fields map[string]string) ([]string, error) {
	doc, _, err := o.NestedString("data", key)
	if err != nil {
		return nil, Errorf(o, "data."+key, "%v", err)
	}
	rn, err := yaml.Parse(doc)
	if err != nil || rn.YNode().Kind != yaml.MappingNode {
		if doc == "" || rn == nil || yaml.IsMissingOrNull(rn) {
			rn = yaml.NewMapRNode(nil)
		} else {
			return nil, Errorf(o, "data."+key, "not a YAML mapping: %v", err)
		}
	}
	var changed []string
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		v := fields[k]
		if cur := rn.Field(k); cur != nil && cur.Value.YNode().Value == v && cur.Value.YNode().Kind == yaml.ScalarNode {
			continue
		}
		if err := rn.PipeE(yaml.SetField(k, yaml.NewStringRNode(v))); err != nil {
			return nil, Errorf(o, "data."+key, "setting %s: %v", k, err)
		}
		changed = append(changed, k)
	}
	if len(changed) == 0 {
		return nil, nil
	}
	out, err := rn.String()
	if err != nil {
		return nil, Errorf(o, "data."+key, "%v", err)
	}
	if err := o.SetNestedString(out, "data", key); err != nil {
		return nil, Errorf(o, "data."+key, "%v", err)
	}
	return changed, nil
}

// MatchLabels reports whether labels carry every key and value of selector:
// the matchLabels semantics of Kubernetes (labels.SelectorFromSet) and of
// Istio's workload selectors, so an empty or nil selector selects
// everything. Where an empty selector selects nothing (a Service's
// spec.selector, which then manages no endpoints) the caller says so by
// testing len(selector) first.
func MatchLabels(selector, labels map[string]string) bool {
	for k, v := range selector {
		if got, ok := labels[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// FormatLabels renders k=v pairs sorted by key, for result messages.
func FormatLabels(m map[string]string) string {
	s := ""
	for i, k := range slices.Sorted(maps.Keys(m)) {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%s=%q", k, m[k])
	}
	return s
}
