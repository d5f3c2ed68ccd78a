package stripsidecar_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/kfgitops/kfgitops/functions/strip-istio-sidecar/stripsidecar"
	"github.com/kfgitops/kfgitops/kit/corpus"
	"github.com/kfgitops/kfgitops/kit/golden"
	"github.com/kfgitops/kfgitops/kit/krmio"
	"sigs.k8s.io/yaml"
)

// On the real platform renders: no sidecar key is left in any pod template
// except the inject "false" opt-outs, no namespace is labelled for injection,
// no Sidecar object is left, and every other field of every other object is
// unchanged. The check is written from the output, independently of the
// function's own tables.
func TestCorpus(t *testing.T) {
	for _, file := range []string{corpus.Master, corpus.Release} {
		t.Run(file, func(t *testing.T) {
			in := corpus.ResourceList(t, file)
			out, stderr, code := krmio.Process(stripsidecar.Function, in)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			again, _, _ := krmio.Process(stripsidecar.Function, in)
			if !bytes.Equal(out, again) {
				t.Fatal("output is not byte-deterministic")
			}
			golden.AssertIdempotent(t, stripsidecar.Function, out)

			before, after := objects(t, in), objects(t, out)
			for id, obj := range before {
				got, kept := after[id]
				if !kept {
					if kind := obj["kind"]; kind != "Sidecar" && kind != "DestinationRule" && kind != "EnvoyFilter" {
						t.Errorf("%s: deleted, but only Sidecar, DestinationRule and EnvoyFilter objects may be", id)
					}
					continue
				}
				for _, d := range diff("", obj, got) {
					if !allowedChange(obj, d) {
						t.Errorf("%s: unexpected change %s", id, d)
					}
				}
			}
			for id := range after {
				if _, ok := before[id]; !ok {
					t.Errorf("%s: appeared in the output", id)
				}
			}
			for id, obj := range after {
				if obj["kind"] == "Sidecar" {
					t.Errorf("%s: Sidecar object left", id)
				}
				if labels, _ := lookup(obj, "metadata", "labels").(map[string]any); obj["kind"] == "Namespace" && labels["istio-injection"] == "enabled" {
					t.Errorf("%s: still labelled istio-injection=enabled", id)
				}
				for _, path := range []string{"spec.template", "spec.jobTemplate.spec.template", ""} {
					tmpl := obj
					if path != "" {
						tmpl, _ = lookup(obj, strings.Split(path, ".")...).(map[string]any)
					} else if obj["kind"] != "Pod" {
						continue
					}
					for _, field := range []string{"labels", "annotations"} {
						m, _ := lookup(tmpl, "metadata", field).(map[string]any)
						for k, v := range m {
							if isSidecarFamily(k) && !(k == "sidecar.istio.io/inject" && v == "false") {
								t.Errorf("%s: %s.metadata.%s still has %s=%v", id, path, field, k, v)
							}
						}
					}
				}
			}
		})
	}
}

func isSidecarFamily(k string) bool {
	for _, p := range []string{"sidecar.istio.io/", "traffic.sidecar.istio.io/", "status.sidecar.istio.io/", "readiness.status.sidecar.istio.io/", "proxy.istio.io/config"} {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

// change is one differing leaf: its path and values before and after.
type change struct {
	path          string
	before, after any
}

func (c change) String() string { return fmt.Sprintf("%s: %v -> %v", c.path, c.before, c.after) }

func allowedChange(obj map[string]any, c change) bool {
	inTemplate := strings.Contains(c.path, "template.metadata.labels.") || strings.Contains(c.path, "template.metadata.annotations.") ||
		(obj["kind"] == "Pod" && strings.HasPrefix(c.path, "metadata."))
	key := c.path
	for _, field := range []string{"labels.", "annotations."} {
		if i := strings.Index(c.path, "metadata."+field); i >= 0 {
			key = c.path[i+len("metadata."+field):]
		}
	}
	switch {
	case inTemplate && c.after == nil && isSidecarFamily(key) && c.before != "false":
		return true
	case inTemplate && c.after == nil && (key == "security.istio.io/tlsMode" || key == "prometheus.istio.io/merge-metrics"):
		return true
	case inTemplate && c.before == nil && key == "istio.io/dataplane-mode" && strings.Contains(c.path, "metadata.labels.") && c.after == "none":
		return true
	case obj["kind"] == "Namespace" && c.path == "metadata.labels.istio-injection" && c.before == "enabled" && c.after == nil:
		return true
	case obj["kind"] == "ConfigMap" && c.path == "data.namespace-labels.yaml":
		return strings.Contains(fmt.Sprint(c.after), `istio-injection: ""`)
	}
	return false
}

// diff lists differing leaves of two decoded YAML values. Keys with dots are
// joined as they are, which is fine for reading messages.
func diff(path string, a, b any) []change {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		var out []change
		for k, av := range am {
			out = append(out, diff(join(path, k), av, bm[k])...)
		}
		for k, bv := range bm {
			if _, ok := am[k]; !ok {
				out = append(out, diff(join(path, k), nil, bv)...)
			}
		}
		return out
	}
	if aok && b == nil {
		var out []change
		for k, av := range am {
			out = append(out, diff(join(path, k), av, nil)...)
		}
		return out
	}
	if fmt.Sprint(a) != fmt.Sprint(b) {
		return []change{{path, a, b}}
	}
	return nil
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

func lookup(m map[string]any, fields ...string) any {
	var cur any = m
	for _, f := range fields {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[f]
	}
	return cur
}

func objects(t *testing.T, rl []byte) map[string]map[string]any {
	var list struct {
		Items []map[string]any `json:"items"`
	}
	if err := yaml.Unmarshal(rl, &list); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]any{}
	for _, o := range list.Items {
		md, _ := o["metadata"].(map[string]any)
		out[fmt.Sprintf("%v/%v %v/%v", o["apiVersion"], o["kind"], md["namespace"], md["name"])] = o
	}
	return out
}
