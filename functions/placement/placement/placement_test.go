package placement_test

import (
	"testing"

	"github.com/kfgitops/kfgitops/functions/placement/placement"
	"github.com/kfgitops/kfgitops/kit/golden"
)

func TestGolden(t *testing.T) {
	golden.Run(t, "testdata", placement.Function)
}
