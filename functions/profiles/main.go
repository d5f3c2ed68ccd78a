// Command profiles is a KRM function that renders declared Kubeflow
// profiles, and the access of their members, as the objects the profile
// controller and kfam work with. See README.md.
package main

import (
	"os"

	"github.com/kfgitops/kfgitops/functions/profiles/profiles"
	"github.com/kfgitops/kfgitops/kit/krmio"
)

func main() { os.Exit(krmio.Main(profiles.Function)) }
