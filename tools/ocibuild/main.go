// Command ocibuild builds every function's container image offline: no
// Docker engine, no registry, no base image. For each directory under
// functions/ it reads the version from metadata.yaml, compiles a static
// binary per platform and writes, under the output directory,
//
//	<name>/oci/                        OCI image layout: the multi-platform index
//	<name>/<name>-linux-<arch>.tar     `docker load`-able tarball per platform
//	digests.txt                        <image reference>@<index digest>, one a line
//
// Run it from the repository root (`make images`). Naming functions as
// arguments builds only those and leaves the rest of the output directory
// (and digests.txt) alone. The same commit gives the same digests; see
// VERSIONING.md for the reference and tag scheme.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/kfgitops/kfgitops/tools/ocibuild/catalog"
	"github.com/kfgitops/kfgitops/tools/ocibuild/image"
)

func main() {
	out := flag.String("out", "images", "output directory (replaced when building every function)")
	platforms := flag.String("platforms", "linux/amd64,linux/arm64", "comma-separated os/arch list")
	flag.Parse()
	if err := run(*out, *platforms, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "ocibuild:", err)
		os.Exit(1)
	}
}

func run(out, platformList string, only []string) error {
	var platforms []v1.Platform
	for _, s := range strings.Split(platformList, ",") {
		p, err := v1.ParsePlatform(s)
		if err != nil {
			return err
		}
		platforms = append(platforms, *p)
	}
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	root, err := catalog.FindRoot(wd)
	if err != nil {
		return err
	}
	var fns []catalog.Function
	if len(only) == 0 {
		if fns, err = catalog.LoadAll(root); err != nil {
			return err
		}
		if err := os.RemoveAll(out); err != nil {
			return err
		}
	}
	for _, name := range only {
		f, err := catalog.Load(root, name)
		if err != nil {
			return err
		}
		fns = append(fns, f)
	}
	work, err := os.MkdirTemp("", "ocibuild-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	var digests strings.Builder
	for _, f := range fns {
		src, err := image.GitSource(root, f.SourcePaths()...)
		if err != nil {
			return err
		}
		b, err := image.Build(root, f, src, platforms, filepath.Join(work, f.Name))
		if err != nil {
			return err
		}
		if err := b.Write(out); err != nil {
			return err
		}
		d, err := b.Index.Digest()
		if err != nil {
			return err
		}
		fmt.Printf("%s@%s  %s  revision %s\n", f.Ref(), d, platformList, src.Revision)
		fmt.Fprintf(&digests, "%s@%s\n", f.Ref(), d)
	}
	if len(only) > 0 {
		return nil
	}
	return os.WriteFile(filepath.Join(out, "digests.txt"), []byte(digests.String()), 0o644)
}
