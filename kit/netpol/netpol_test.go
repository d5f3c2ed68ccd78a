package netpol

import (
	"fmt"
	"os"
	"slices"
	"testing"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/yaml"
)

type testCase struct {
	Name     string
	Policies []map[string]any
	From, To struct {
		Namespace       string
		NamespaceLabels map[string]string
		Labels          map[string]string
		NamedPorts      map[string]int
	}
	Port            int
	Ingress, Egress *Decision
	Error           string
}

func (c testCase) pod(from bool) Pod {
	p := c.To
	if from {
		p = c.From
	}
	labels := map[string]string{"kubernetes.io/metadata.name": p.Namespace}
	for k, v := range p.NamespaceLabels {
		labels[k] = v
	}
	return Pod{Namespace: p.Namespace, NamespaceLabels: labels, Labels: p.Labels, NamedPorts: p.NamedPorts}
}

func TestDecide(t *testing.T) {
	b, err := os.ReadFile("testdata/cases.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cases []testCase
	if err := yaml.UnmarshalStrict(b, &cases); err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			var policies []Policy
			for _, m := range tc.Policies {
				m["apiVersion"], m["kind"] = "networking.k8s.io/v1", "NetworkPolicy"
				doc, _ := yaml.Marshal(m)
				o, err := fn.ParseKubeObject(doc)
				if err != nil {
					t.Fatal(err)
				}
				p, err := Decode(o)
				if err != nil {
					t.Fatal(err)
				}
				policies = append(policies, p)
			}
			c := Connection{From: tc.pod(true), To: tc.pod(false), Port: tc.Port}
			in, inErr := Ingress(policies, c)
			out, outErr := Egress(policies, c)
			if tc.Error != "" {
				if got := fmt.Sprint(errors(inErr, outErr)); got != tc.Error {
					t.Fatalf("error %q, want %q", got, tc.Error)
				}
				return
			}
			if inErr != nil || outErr != nil {
				t.Fatal(errors(inErr, outErr))
			}
			for _, d := range []struct {
				name      string
				got, want *Decision
			}{{"ingress", &in, tc.Ingress}, {"egress", &out, tc.Egress}} {
				want := d.want
				if want == nil {
					want = &Decision{Allowed: true}
				}
				if d.got.Allowed != want.Allowed || d.got.Isolated != want.Isolated || !slices.Equal(d.got.By, want.By) {
					t.Errorf("%s: %+v, want %+v", d.name, *d.got, *want)
				}
			}
		})
	}
}

func errors(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
