package image

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// LayoutDir is the OCI image layout of a function's image under the output
// directory; TarballPath is the docker-loadable tarball of one platform.
func LayoutDir(out, function string) string { return filepath.Join(out, function, "oci") }

func TarballPath(out, function, os, arch string) string {
	return filepath.Join(out, function, fmt.Sprintf("%s-%s-%s.tar", function, os, arch))
}

// Write replaces out/<function>/ with the image as an OCI image layout (the
// multi-platform index, named with the image reference) and one
// `docker load`-able tarball per platform, tagged with the reference.
func (b *Built) Write(out string) error {
	dir := filepath.Join(out, b.Function.Name)
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	p, err := layout.Write(LayoutDir(out, b.Function.Name), empty.Index)
	if err != nil {
		return err
	}
	if err := p.AppendIndex(b.Index, layout.WithAnnotations(map[string]string{
		// The tag, as the OCI layout spec has it, and the full name, which
		// containerd and `docker load` of a layout use to name the image.
		"org.opencontainers.image.ref.name": b.Function.Tag(),
		"io.containerd.image.name":          b.Function.Ref(),
	})); err != nil {
		return fmt.Errorf("%s: writing OCI layout: %w", b.Function.Name, err)
	}
	tag, err := name.NewTag(b.Function.Ref(), name.StrictValidation)
	if err != nil {
		return err
	}
	for i, img := range b.Images {
		pf := b.Platforms[i]
		if err := tarball.WriteToFile(TarballPath(out, b.Function.Name, pf.OS, pf.Architecture), tag, img); err != nil {
			return fmt.Errorf("%s: writing tarball for %s: %w", b.Function.Name, pf, err)
		}
	}
	return nil
}
