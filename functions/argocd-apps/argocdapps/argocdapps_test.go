package argocdapps_test

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/kfgitops/kfgitops/functions/argocd-apps/argocdapps"
	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/golden"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

func TestGolden(t *testing.T) {
	golden.Run(t, "testdata", argocdapps.Function)
}

// pipelines/kubeflow/argocd-apps.yaml spells out every default: decoded onto
// an empty config it must equal Defaults().
func TestPipelineConfigIsDefaults(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "pipelines", "kubeflow", "argocd-apps.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	o, err := fn.ParseKubeObject(b)
	if err != nil {
		t.Fatal(err)
	}
	var got argocdapps.Config
	if err := kit.DecodeConfig(o, argocdapps.Kind, &got); err != nil {
		t.Fatal(err)
	}
	if want := argocdapps.Defaults(); !reflect.DeepEqual(got, want) {
		t.Errorf("the pipeline config differs from Defaults():\n got %+v\nwant %+v", got, want)
	}
}
