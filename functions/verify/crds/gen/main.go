// Command gen copies the pinned CRD files (see pinned.Sources) into the crds
// directory, gzipped. Run it with `go generate ./...` from functions/verify
// after changing a pinned version in kit/crdschema.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/kfgitops/kfgitops/functions/verify/crds/pinned"
)

func main() {
	// go generate runs in the crds directory: the repository is three levels
	// up, the shared directory beside it.
	repo, err := filepath.Abs("../../..")
	if err == nil {
		err = generate(filepath.Dir(repo))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// generate replaces the *.yaml.gz files of the working directory with the
// pinned sources (shared: the directory holding shared/), gzipped.
func generate(shared string) error {
	sources, err := pinned.Sources(shared)
	if err != nil {
		return err
	}
	old, _ := filepath.Glob("*.yaml.gz")
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			return err
		}
	}
	for name, path := range sources {
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		gz, err := pinned.Gzip(data)
		if err != nil {
			return err
		}
		if err := os.WriteFile(name+".gz", gz, 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("wrote %d CRD files\n", len(sources))
	return nil
}
