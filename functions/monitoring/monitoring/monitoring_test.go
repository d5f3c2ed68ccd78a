package monitoring_test

import (
	"testing"

	"github.com/kfgitops/kfgitops/functions/monitoring/monitoring"
	"github.com/kfgitops/kfgitops/kit/golden"
)

func TestGolden(t *testing.T) {
	golden.Run(t, "testdata", monitoring.Function)
}
