package identityprovider_test

import (
	"testing"

	"github.com/kfgitops/kfgitops/functions/identity-provider/identityprovider"
	"github.com/kfgitops/kfgitops/kit/golden"
)

func TestGolden(t *testing.T) {
	golden.Run(t, "testdata", identityprovider.Function)
}
