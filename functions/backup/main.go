// Command backup is a KRM function that emits Velero Schedules backing up
// the Kubeflow platform's data, the profile namespaces and dex's storage,
// with pre-backup hooks that dump the MySQL databases consistently. See
// README.md.
package main

import (
	"os"

	"github.com/kfgitops/kfgitops/functions/backup/backup"
	"github.com/kfgitops/kfgitops/kit/krmio"
)

func main() { os.Exit(krmio.Main(backup.Function)) }
