// Package image builds a function's container image without a Docker engine,
// a registry or a base image: a static Go binary in one layer, an OCI image
// per platform and an OCI image index over them. The same commit gives the
// same digests: the binary has no build ID or paths, the layer's tar has
// fixed owners and times, and the config's times come from the commit.
package image

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/kfgitops/kfgitops/tools/ocibuild/catalog"
)

// User is the image's user: nobody, never root.
const User = "65534:65534"

// DefaultPlatforms are the platforms every release image is built for.
var DefaultPlatforms = []v1.Platform{{OS: "linux", Architecture: "amd64"}, {OS: "linux", Architecture: "arm64"}}

// Built is one function's image: an index with one image per platform.
type Built struct {
	Function catalog.Function
	Index    v1.ImageIndex
	// Images are the per-platform images, in the order of the platforms
	// asked for.
	Images    []v1.Image
	Platforms []v1.Platform
}

// Build compiles the function for each platform (in workDir, concurrently)
// and assembles its image index.
func Build(root string, f catalog.Function, src Source, platforms []v1.Platform, workDir string) (*Built, error) {
	bins := make([]string, len(platforms))
	errs := make([]error, len(platforms))
	var wg sync.WaitGroup
	for i, p := range platforms {
		bins[i] = filepath.Join(workDir, p.OS+"-"+p.Architecture, f.Name)
		wg.Go(func() { errs[i] = BuildBinary(root, f.Path, p, bins[i]) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	b := &Built{Function: f, Platforms: platforms}
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for i, p := range platforms {
		img, err := platformImage(f, src, p, bins[i])
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", f.Name, p, err)
		}
		b.Images = append(b.Images, img)
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{
			Add:        img,
			Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant}},
		})
	}
	b.Index = mutate.Annotations(idx, Labels(f, src)).(v1.ImageIndex)
	return b, nil
}

// BuildBinary compiles the package at path (functions/<name> or
// controllers/<name>) as a static, reproducible binary for the platform. It builds in the repository's workspace (go.work), as `make
// build`, the tests and the Dockerfiles do, so the image holds the
// dependency versions that were tested.
func BuildBinary(root, path string, p v1.Platform, out string) error {
	cmd := exec.Command("go", "build", "-trimpath", "-buildvcs=false", "-mod=readonly",
		"-ldflags=-s -w -buildid=", "-o", out, "./"+path)
	cmd.Dir = root
	cmd.Env = append(os.Environ(),
		"CGO_ENABLED=0", "GOWORK="+filepath.Join(root, "go.work"), "GOFLAGS=",
		"GOOS="+p.OS, "GOARCH="+p.Architecture,
		// The defaults, spelled out so that the environment cannot change them.
		"GOAMD64=v1", "GOARM64=v8.0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build %s for %s: %v\n%s", path, p, err, stderr.String())
	}
	return nil
}

// Labels are the OCI annotations on the config and on the index.
func Labels(f catalog.Function, src Source) map[string]string {
	return map[string]string{
		"org.opencontainers.image.title":       f.Name,
		"org.opencontainers.image.description": f.Metadata.Description,
		"org.opencontainers.image.source":      catalog.SourceRepository,
		"org.opencontainers.image.url":         f.Metadata.SourceURL,
		"org.opencontainers.image.version":     f.Tag(),
		"org.opencontainers.image.revision":    src.Revision,
		"org.opencontainers.image.created":     src.Created.Format("2006-01-02T15:04:05Z"),
		"org.opencontainers.image.licenses":    f.Metadata.License,
	}
}

func platformImage(f catalog.Function, src Source, p v1.Platform, binary string) (v1.Image, error) {
	layerTar, err := binaryLayer(binary, strings.TrimPrefix(f.Entrypoint(), "/"), src)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(layerTar)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, err
	}
	created := v1.Time{Time: src.Created}
	base := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	img, err := mutate.Append(base, mutate.Addendum{
		Layer:   layer,
		History: v1.History{Created: created, CreatedBy: "COPY " + f.Name + " " + f.Entrypoint() + " # kfgitops ocibuild"},
	})
	if err != nil {
		return nil, err
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture, cfg.Variant = p.OS, p.Architecture, p.Variant
	cfg.Created = created
	cfg.Config = v1.Config{
		Entrypoint: []string{f.Entrypoint()},
		User:       User,
		WorkingDir: "/",
		Labels:     Labels(f, src),
	}
	return mutate.ConfigFile(img, cfg)
}

// binaryLayer is an uncompressed tar holding the binary at path, owned by
// root, not writable by the image's user, with the source's time.
func binaryLayer(binary, path string, src Source) ([]byte, error) {
	content, err := os.ReadFile(binary)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	hdr := &tar.Header{
		Typeflag: tar.TypeReg,
		Name:     path,
		Mode:     0o755,
		Size:     int64(len(content)),
		ModTime:  src.Created,
		Format:   tar.FormatUSTAR,
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return nil, err
	}
	if _, err := tw.Write(content); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
