package kgatewayroute_test

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/kfgitops/kfgitops/functions/kgateway-route/kgatewayroute"
	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/golden"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

func TestGolden(t *testing.T) {
	golden.Run(t, "testdata", kgatewayroute.Function)
}

// Every object of every golden output validates against the Gateway API
// standard CRDs and the kgateway CRDs, CEL rules included.
func TestGoldenOutputsValidate(t *testing.T) {
	files, _ := filepath.Glob("testdata/*/_expected.yaml")
	for _, f := range files {
		t.Run(filepath.Base(filepath.Dir(f)), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			validateOutput(t, b)
		})
	}
}

// The pipeline's functionConfig spells out exactly the defaults.
func TestPipelineConfigIsDefaults(t *testing.T) {
	b, err := os.ReadFile("../../../pipelines/kubeflow/kgateway-route.yaml")
	if err != nil {
		t.Skip("pipelines/kubeflow/kgateway-route.yaml not found")
	}
	fc, err := fn.ParseKubeObject(b)
	if err != nil {
		t.Fatal(err)
	}
	got := kgatewayroute.Defaults()
	got.Hostnames, got.StripRequestHeaders, got.RuntimeRoutes.Prefixes = nil, nil, nil
	if err := kit.DecodeConfig(fc, kgatewayroute.Kind, &got); err != nil {
		t.Fatal(err)
	}
	if want := kgatewayroute.Defaults(); !reflect.DeepEqual(got, want) {
		t.Errorf("pipeline config differs from Defaults():\n got %+v\nwant %+v", got, want)
	}
}
