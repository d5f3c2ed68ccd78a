package kgatewayroute_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/kfgitops/kfgitops/kit/crdschema"
	"sigs.k8s.io/yaml"
)

var (
	validatorOnce sync.Once
	validator     *crdschema.Validator
	validatorErr  error
)

// crds is a validator for the Gateway API v1.6.3 standard CRDs and the
// kgateway v2.4.0 CRDs (their CEL rules included).
func crds(t *testing.T) *crdschema.Validator {
	t.Helper()
	validatorOnce.Do(func() {
		std, err := crdschema.GatewayAPIStandardFiles()
		if err != nil {
			validatorErr = err
			return
		}
		kgw, err := crdschema.KgatewayFiles()
		if err != nil {
			validatorErr = err
			return
		}
		v := crdschema.New()
		if err := v.AddFiles(append(std, kgw...)...); err != nil {
			validatorErr = err
			return
		}
		validator = v
	})
	if validatorErr != nil {
		t.Fatalf("loading CRDs: %v", validatorErr)
	}
	return validator
}

// emittedGroups are the API groups whose objects this function emits and
// which must all validate against a known CRD.
var emittedGroups = map[string]bool{"gateway.networking.k8s.io": true, "gateway.kgateway.dev": true}

// validateOutput validates every Gateway API and kgateway object of a
// ResourceList output against the CRDs.
func validateOutput(t *testing.T, out []byte) int {
	t.Helper()
	v := crds(t)
	n := 0
	for _, o := range items(t, out) {
		apiVersion, _ := o["apiVersion"].(string)
		group, _, _ := strings.Cut(apiVersion, "/")
		if !emittedGroups[group] {
			continue
		}
		doc, err := yaml.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		errs, known, err := v.ValidateYAML(doc)
		if err != nil {
			t.Fatal(err)
		}
		if !known {
			t.Errorf("%s: no CRD known for %s", id(o), apiVersion)
			continue
		}
		for _, e := range errs {
			t.Errorf("%s: %s", id(o), e)
		}
		n++
	}
	return n
}

type obj = map[string]any

func items(t *testing.T, rl []byte) []obj {
	t.Helper()
	var list struct {
		Items []obj `json:"items"`
	}
	if err := yaml.Unmarshal(rl, &list); err != nil {
		t.Fatal(err)
	}
	return list.Items
}

func id(o obj) string {
	md, _ := o["metadata"].(obj)
	return fmt.Sprintf("%v %v/%v", o["kind"], md["namespace"], md["name"])
}

func get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(obj)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func str(v any, path ...any) string {
	s, _ := get(v, path...).(string)
	return s
}

func list(v any, path ...any) []any {
	l, _ := get(v, path...).([]any)
	return l
}
