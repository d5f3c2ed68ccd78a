package backup_test

import (
	"testing"

	"github.com/kfgitops/kfgitops/functions/backup/backup"
	"github.com/kfgitops/kfgitops/kit/golden"
)

func TestGolden(t *testing.T) {
	golden.Run(t, "testdata", backup.Function)
}
