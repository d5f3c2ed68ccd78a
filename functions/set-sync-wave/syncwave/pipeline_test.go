package syncwave_test

import (
	"os"
	"reflect"
	"testing"

	"github.com/kfgitops/kfgitops/functions/set-sync-wave/syncwave"
	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// The pipeline's functionConfig spells out the defaults: it must decode to
// exactly Defaults(), so that the two never drift apart.
func TestPipelineConfigIsDefaults(t *testing.T) {
	b, err := os.ReadFile("../../../pipelines/kubeflow/set-sync-wave.yaml")
	if err != nil {
		t.Fatal(err)
	}
	o, err := fn.ParseKubeObject(b)
	if err != nil {
		t.Fatal(err)
	}
	var got syncwave.Config
	if err := kit.DecodeConfig(o, syncwave.Kind, &got); err != nil {
		t.Fatal(err)
	}
	if want := syncwave.Defaults(); !reflect.DeepEqual(got, want) {
		t.Errorf("pipelines/kubeflow/set-sync-wave.yaml decodes to\n%+v\nnot the defaults\n%+v", got, want)
	}
}
