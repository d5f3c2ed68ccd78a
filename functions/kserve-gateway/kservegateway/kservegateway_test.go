package kservegateway_test

import (
	"testing"

	"github.com/kfgitops/kfgitops/functions/kserve-gateway/kservegateway"
	"github.com/kfgitops/kfgitops/kit/golden"
)

func TestGolden(t *testing.T) {
	golden.Run(t, "testdata", kservegateway.Function)
}
