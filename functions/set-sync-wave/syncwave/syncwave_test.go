package syncwave_test

import (
	"testing"

	"github.com/kfgitops/kfgitops/functions/set-sync-wave/syncwave"
	"github.com/kfgitops/kfgitops/kit/golden"
)

func TestGolden(t *testing.T) {
	golden.Run(t, "testdata", syncwave.Function)
}
