package tenancy_test

import (
	"os"
	"slices"
	"testing"

	"github.com/kfgitops/kfgitops/controllers/runtime-sync/tenancy"
	"github.com/kfgitops/kfgitops/kit/kubeflow"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/yaml"
)

type testCase struct {
	Name      string           `json:"name"`
	Hostnames []string         `json:"hostnames"`
	Routes    []map[string]any `json:"routes"`
	Objects   []map[string]any `json:"objects"`
	Want      []string         `json:"want"`
}

func TestCheck(t *testing.T) {
	data, err := os.ReadFile("testdata/cases.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cases []testCase
	if err := yaml.UnmarshalStrict(data, &cases); err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			p := tenancy.Policy{
				Prefixes:        []string{"/notebook/alice/", "/tensorboard/alice/", "/pvcviewers/alice/", "/serving/alice/"},
				Hostnames:       tc.Hostnames,
				Gateway:         kubeflow.IngressGateway,
				IdentityHeaders: []string{"kubeflow-userid", "kubeflow-groups"},
			}
			if p.Hostnames == nil {
				p.Hostnames = []string{"*"}
			}
			var routes, objects []*fn.KubeObject
			for _, r := range tc.Routes {
				meta, _ := r["metadata"].(map[string]any)
				if meta == nil {
					meta = map[string]any{}
				}
				if meta["namespace"] == nil {
					meta["namespace"] = "alice"
				}
				meta["name"] = "route"
				r["metadata"], r["apiVersion"], r["kind"] = meta, "gateway.networking.k8s.io/v1", "HTTPRoute"
				routes = append(routes, object(t, r))
			}
			for _, o := range tc.Objects {
				objects = append(objects, object(t, o))
			}
			got, err := tenancy.Check("alice", routes, objects, p)
			if err != nil {
				t.Fatal(err)
			}
			var fields []string
			for _, v := range got {
				fields = append(fields, v.Field)
				t.Log(v)
			}
			if !slices.Equal(fields, tc.Want) {
				t.Errorf("refused fields %q, want %q", fields, tc.Want)
			}
		})
	}
}

func object(t *testing.T, m map[string]any) *fn.KubeObject {
	t.Helper()
	b, err := yaml.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	o, err := fn.ParseKubeObject(b)
	if err != nil {
		t.Fatal(err)
	}
	return o
}
