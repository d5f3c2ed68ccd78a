package stripsidecar_test

import (
	"testing"

	"github.com/kfgitops/kfgitops/functions/strip-istio-sidecar/stripsidecar"
	"github.com/kfgitops/kfgitops/kit/golden"
)

func TestGolden(t *testing.T) {
	golden.Run(t, "testdata", stripsidecar.Function)
}
