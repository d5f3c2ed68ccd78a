package kgatewayroute_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/kfgitops/kfgitops/functions/kgateway-route/kgatewayroute"
	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/golden"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/yaml"
)

// The per-VirtualService converter on the shapes Kubeflow's controllers
// create at run time and on the ways a conversion can fall short. Each case
// is convertdata/<name>.yaml (one VirtualService); the whole Conversion is
// compared with convertdata/<name>.expected.yaml (UPDATE_GOLDEN=1 rewrites
// it), and the table pins what the controller decides by: Bound, Exact and
// the fields of the warnings.
func TestConvert(t *testing.T) {
	viewerPorts := kgatewayroute.ServicePorts{"kubeflow-user-example-com/viewer": {8080}}
	for _, c := range []struct {
		name     string
		services kgatewayroute.ServicePorts
		bound    bool
		exact    bool
		warnings []string // fields of the warning and error findings, in order
		grants   int
	}{
		{name: "notebook", bound: true, exact: true},
		{name: "notebook-rstudio", bound: true, exact: true},
		{name: "tensorboard", bound: true, exact: true},
		{name: "pvcviewer", bound: true, exact: true},
		{name: "port-from-service", services: viewerPorts, bound: true, exact: true},
		{name: "cross-namespace", bound: true, exact: true, grants: 1},
		{name: "port-unknown", bound: true, warnings: []string{"spec.http[0].route[0].destination.port", "spec.http[0].route", "spec.http"}},
		{name: "dropped-field", bound: true, warnings: []string{"spec.http[0].route[0].destination.subset"}},
		{name: "dropped-match", bound: true, warnings: []string{"spec.http[0].match[0].ignoreUriCase", "spec.http[0].match", "spec.http"}},
		{name: "unbound", bound: false, exact: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			vs := readObject(t, filepath.Join("convertdata", c.name+".yaml"))
			before := vs.String()
			cv, err := converter(t).Convert(vs, c.services)
			if err != nil {
				t.Fatal(err)
			}
			if vs.String() != before {
				t.Error("Convert edited the VirtualService")
			}
			if cv.Bound != c.bound || cv.Exact() != c.exact {
				t.Errorf("Bound, Exact() = %v, %v; want %v, %v", cv.Bound, cv.Exact(), c.bound, c.exact)
			}
			if got := warningFields(cv); !reflect.DeepEqual(got, c.warnings) {
				t.Errorf("warnings on %q, want %q", got, c.warnings)
			}
			if !cv.Bound && (len(cv.Routes)+len(cv.Objects)+len(cv.Grants)+len(cv.Findings) > 0) {
				t.Error("an unbound VirtualService converted into something")
			}
			if cv.Bound && cv.Exact() && len(cv.Routes) == 0 {
				t.Error("an exact conversion without routes")
			}
			if len(cv.Grants) != c.grants {
				t.Errorf("%d grants, want %d", len(cv.Grants), c.grants)
			}
			golden.ExpectFile(t, filepath.Join("convertdata", c.name+".expected.yaml"), []byte(renderConversion(t, cv)))
		})
	}
}

// Convert keeps nothing from one call to the next and shares nothing
// between concurrent calls: converting every case again, all at once,
// gives the same conversions as one at a time.
func TestConvertRepeatedAndConcurrent(t *testing.T) {
	files, _ := filepath.Glob("convertdata/*.yaml")
	var inputs []string
	for _, f := range files {
		if !strings.HasSuffix(f, ".expected.yaml") {
			inputs = append(inputs, f)
		}
	}
	rc := converter(t)
	want := map[string]string{}
	for _, f := range inputs {
		cv, err := rc.Convert(readObject(t, f), nil)
		if err != nil {
			t.Fatal(err)
		}
		want[f] = renderConversion(t, cv)
	}
	objs := make([]*fn.KubeObject, 4*len(inputs))
	for i := range objs {
		objs[i] = readObject(t, inputs[i%len(inputs)])
	}
	got := make([]*kgatewayroute.Conversion, len(objs))
	errs := make([]error, len(objs))
	var wg sync.WaitGroup
	for i := range objs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			got[i], errs[i] = rc.Convert(objs[i], nil)
		}(i)
	}
	wg.Wait()
	for i, cv := range got {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if f, g := inputs[i%len(inputs)], renderConversion(t, cv); g != want[f] {
			t.Errorf("%s: conversion %d differs from the first:\n%s", f, i, golden.Diff(want[f], g))
		}
	}
}

func TestConvertRejects(t *testing.T) {
	rc := converter(t)
	cm, err := fn.ParseKubeObject([]byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: y}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rc.Convert(cm, nil); err == nil {
		t.Error("a ConfigMap converted without error")
	}
	cfg := kgatewayroute.Defaults()
	cfg.IstioGateway = "no-namespace"
	if _, err := kgatewayroute.NewRouteConverter(cfg); err == nil {
		t.Error("NewRouteConverter accepted an invalid istioGateway")
	}
}

func converter(t *testing.T) *kgatewayroute.RouteConverter {
	t.Helper()
	rc, err := kgatewayroute.NewRouteConverter(kgatewayroute.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	return rc
}

func readObject(t *testing.T, path string) *fn.KubeObject {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	o, err := fn.ParseKubeObject(b)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return o
}

func warningFields(cv *kgatewayroute.Conversion) []string {
	var out []string
	for _, f := range cv.Findings {
		if f.Severity != fn.Info {
			out = append(out, f.Field)
		}
	}
	return out
}

// A destination subset converts at run time only where the config maps it;
// otherwise the VirtualService is refused (an error finding), and with
// lossySubsets the whole Service is a warning, which the controller refuses
// too: never a lossy route.
func TestConvertSubsets(t *testing.T) {
	vs := readObject(t, filepath.Join("convertdata", "dropped-field.yaml"))
	for _, c := range []struct {
		name    string
		edit    func(*kgatewayroute.Config)
		exact   bool
		backend string
	}{
		{"unmapped", func(*kgatewayroute.Config) {}, false, ""},
		{"mapped", func(cfg *kgatewayroute.Config) {
			cfg.Subsets = []kgatewayroute.SubsetService{{Host: "canary.kubeflow-user-example-com.svc.cluster.local", Subset: "v2", Service: "canary-v2"}}
		}, true, "canary-v2"},
		{"lossy", func(cfg *kgatewayroute.Config) { cfg.LossySubsets = true }, false, "canary"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := kgatewayroute.Defaults()
			c.edit(&cfg)
			rc, err := kgatewayroute.NewRouteConverter(cfg)
			if err != nil {
				t.Fatal(err)
			}
			cv, err := rc.Convert(vs, nil)
			if err != nil {
				t.Fatal(err)
			}
			if cv.Exact() != c.exact {
				t.Errorf("Exact() = %v, want %v", cv.Exact(), c.exact)
			}
			var backend string
			if len(cv.Routes) > 0 {
				refs, _, _ := cv.Routes[0].NestedSlice("spec", "rules")
				if len(refs) > 0 {
					b, _, _ := refs[0].NestedSlice("backendRefs")
					backend, _, _ = b[0].NestedString("name")
				}
			}
			if backend != c.backend {
				t.Errorf("backend %q, want %q", backend, c.backend)
			}
		})
	}
}

// renderConversion writes a Conversion as one YAML document.
func renderConversion(t *testing.T, cv *kgatewayroute.Conversion) string {
	t.Helper()
	objects := func(os []*fn.KubeObject) []any {
		var out []any
		for _, o := range os {
			var m map[string]any
			if err := yaml.Unmarshal([]byte(o.String()), &m); err != nil {
				t.Fatal(err)
			}
			out = append(out, m)
		}
		return out
	}
	findings := func(fs []kit.Finding) []any {
		var out []any
		for _, f := range fs {
			out = append(out, map[string]any{"severity": string(f.Severity), "field": f.Field, "message": f.Message})
		}
		return out
	}
	b, err := yaml.Marshal(map[string]any{
		"bound": cv.Bound, "exact": cv.Exact(), "findings": findings(cv.Findings),
		"routes": objects(cv.Routes), "objects": objects(cv.Objects), "grants": objects(cv.Grants),
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
