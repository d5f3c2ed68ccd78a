package image_test

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/kfgitops/kfgitops/tools/ocibuild/catalog"
	"github.com/kfgitops/kfgitops/tools/ocibuild/image"
)

var (
	root string
	// out holds what one `make images`-equivalent build wrote, built once
	// and shared by the tests that read it.
	out       string
	buildOnce sync.Once
	results   map[string]builtImage
	buildErr  error
)

type builtImage struct {
	f      catalog.Function
	src    image.Source
	digest v1.Hash
}

// sourcesBefore fingerprints the Go sources when the shared build starts.
var sourcesBefore string

func TestMain(m *testing.M) {
	wd, err := os.Getwd()
	if err == nil {
		root, err = catalog.FindRoot(wd)
	}
	if err == nil {
		out, err = os.MkdirTemp("", "ocibuild-test-")
	}
	if err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(out)
	os.Exit(code)
}

// buildAll builds every function with a valid metadata.yaml (the catalog
// tests fail the others) for every release platform into dir.
func buildAll(dir string) (map[string]builtImage, error) {
	names, err := catalog.Names(root)
	if err != nil {
		return nil, err
	}
	res := map[string]builtImage{}
	for _, n := range names {
		f, err := catalog.Load(root, n)
		if err != nil {
			continue
		}
		src, err := image.GitSource(root, f.SourcePaths()...)
		if err != nil {
			return nil, err
		}
		b, err := image.Build(root, f, src, image.DefaultPlatforms, filepath.Join(dir, "work", f.Name))
		if err != nil {
			return nil, err
		}
		if err := b.Write(dir); err != nil {
			return nil, err
		}
		d, err := b.Index.Digest()
		if err != nil {
			return nil, err
		}
		res[f.Name] = builtImage{f: f, src: src, digest: d}
	}
	return res, nil
}

func images(t *testing.T) map[string]builtImage {
	t.Helper()
	buildOnce.Do(func() {
		if sourcesBefore, buildErr = goSources(); buildErr == nil {
			results, buildErr = buildAll(out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	if len(results) == 0 {
		t.Fatal("no function has a valid metadata.yaml: nothing to build")
	}
	return results
}

// readIndex reads a function's image index back from the OCI layout.
func readIndex(t *testing.T, b builtImage) v1.ImageIndex {
	t.Helper()
	outer, err := layout.ImageIndexFromPath(image.LayoutDir(out, b.f.Name))
	if err != nil {
		t.Fatal(err)
	}
	m, err := outer.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Manifests) != 1 {
		t.Fatalf("index.json: %d manifests, want the one image index", len(m.Manifests))
	}
	d := m.Manifests[0]
	want := map[string]string{"org.opencontainers.image.ref.name": b.f.Tag(), "io.containerd.image.name": b.f.Ref()}
	if !maps.Equal(d.Annotations, want) {
		t.Errorf("index.json annotations %v, want %v", d.Annotations, want)
	}
	if d.MediaType != types.OCIImageIndex || d.Digest != b.digest {
		t.Errorf("index.json: %s %s, want %s %s", d.MediaType, d.Digest, types.OCIImageIndex, b.digest)
	}
	idx, err := outer.ImageIndex(d.Digest)
	if err != nil {
		t.Fatal(err)
	}
	return idx
}

// The index holds one valid image per release platform and carries the
// labels (source, version, revision) as annotations.
func TestImageIndex(t *testing.T) {
	for _, b := range images(t) {
		t.Run(b.f.Name, func(t *testing.T) {
			idx := readIndex(t, b)
			// Digests, sizes, diff IDs and media types of the index and of
			// every image in it.
			if err := validate.Index(idx); err != nil {
				t.Fatal(err)
			}
			m, err := idx.IndexManifest()
			if err != nil {
				t.Fatal(err)
			}
			var platforms []v1.Platform
			for _, d := range m.Manifests {
				if d.MediaType != types.OCIManifestSchema1 {
					t.Errorf("%s: media type %s, want %s", d.Digest, d.MediaType, types.OCIManifestSchema1)
				}
				platforms = append(platforms, *d.Platform)
			}
			if !slices.EqualFunc(platforms, image.DefaultPlatforms, func(a, b v1.Platform) bool { return a.Equals(b) }) {
				t.Errorf("platforms %v, want %v", platforms, image.DefaultPlatforms)
			}
			checkLabels(t, "index annotations", m.Annotations, b)
		})
	}
}

func checkLabels(t *testing.T, what string, got map[string]string, b builtImage) {
	t.Helper()
	if want := image.Labels(b.f, b.src); !maps.Equal(got, want) {
		t.Errorf("%s: %v, want %v", what, got, want)
	}
	for key, want := range map[string]string{
		"org.opencontainers.image.source":   catalog.SourceRepository,
		"org.opencontainers.image.version":  b.f.Tag(),
		"org.opencontainers.image.revision": b.src.Revision,
	} {
		if got[key] != want || want == "" {
			t.Errorf("%s: %s=%q, want %q", what, key, got[key], want)
		}
	}
}

var secretEnv = regexp.MustCompile(`(?i)(secret|token|passw|credential|api_?key|private_?key|auth)`)

// Each platform's image runs the function's static binary as nobody, with
// nothing else in it.
func TestImageConfig(t *testing.T) {
	for _, b := range images(t) {
		idx := readIndex(t, b)
		for _, p := range image.DefaultPlatforms {
			t.Run(b.f.Name+"/"+p.String(), func(t *testing.T) {
				img := platformImage(t, idx, p) // TestImageIndex validates it
				cfg, err := img.ConfigFile()
				if err != nil {
					t.Fatal(err)
				}
				if cfg.OS != p.OS || cfg.Architecture != p.Architecture {
					t.Errorf("config platform %s/%s, want %s", cfg.OS, cfg.Architecture, p)
				}
				c := cfg.Config
				if !slices.Equal(c.Entrypoint, []string{b.f.Entrypoint()}) || len(c.Cmd) > 0 {
					t.Errorf("Entrypoint %q Cmd %q, want [%q] and no Cmd", c.Entrypoint, c.Cmd, b.f.Entrypoint())
				}
				if uid, _, _ := strings.Cut(c.User, ":"); uid != "65534" {
					t.Errorf("User %q, want 65534 (nobody)", c.User)
				}
				for _, env := range c.Env {
					if k, _, _ := strings.Cut(env, "="); secretEnv.MatchString(k) {
						t.Errorf("Env %s looks like a secret; images are public", k)
					}
				}
				checkLabels(t, "config labels", c.Labels, b)
				if !cfg.Created.Time.Equal(b.src.Created) {
					t.Errorf("created %s, want the source's %s", cfg.Created.Time, b.src.Created)
				}
				checkELF(t, layerBinary(t, img, b.f), p)
			})
		}
	}
}

func platformImage(t *testing.T, idx v1.ImageIndex, p v1.Platform) v1.Image {
	t.Helper()
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range m.Manifests {
		if d.Platform != nil && d.Platform.Equals(p) {
			img, err := idx.Image(d.Digest)
			if err != nil {
				t.Fatal(err)
			}
			return img
		}
	}
	t.Fatalf("no image for %s", p)
	return nil
}

// layerBinary checks the image has one layer holding exactly the binary at
// the entrypoint, owned by root and not writable by others, and returns it.
func layerBinary(t *testing.T, img v1.Image, f catalog.Function) []byte {
	t.Helper()
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	if len(layers) != 1 {
		t.Fatalf("%d layers, want 1", len(layers))
	}
	rc, err := layers[0].Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	var binary []byte
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if "/"+h.Name != f.Entrypoint() || h.Typeflag != tar.TypeReg {
			t.Errorf("layer entry %q (type %c): the layer holds only the binary %s", h.Name, h.Typeflag, f.Entrypoint())
			continue
		}
		if h.Mode != 0o755 || h.Uid != 0 || h.Gid != 0 {
			t.Errorf("%s: mode %o uid %d gid %d, want 755 0 0", h.Name, h.Mode, h.Uid, h.Gid)
		}
		if binary, err = io.ReadAll(tr); err != nil {
			t.Fatal(err)
		}
	}
	if binary == nil {
		t.Fatalf("no %s in the layer", f.Entrypoint())
	}
	return binary
}

// checkELF checks the binary is a static executable for the platform; the
// arm64 one cannot run here, so this is all that is checked of it.
func checkELF(t *testing.T, binary []byte, p v1.Platform) {
	t.Helper()
	ef, err := elf.NewFile(bytes.NewReader(binary))
	if err != nil {
		t.Fatalf("not an ELF binary: %v", err)
	}
	defer ef.Close()
	want := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[p.Architecture]
	if ef.Machine != want || ef.Class != elf.ELFCLASS64 || ef.Type != elf.ET_EXEC {
		t.Errorf("ELF %s %s %s, want %s ELFCLASS64 ET_EXEC", ef.Machine, ef.Class, ef.Type, want)
	}
	for _, prog := range ef.Progs {
		if prog.Type == elf.PT_INTERP || prog.Type == elf.PT_DYNAMIC {
			t.Errorf("ELF has %s: not static (CGO_ENABLED=0 missing?); the image has no libc", prog.Type)
		}
	}
	if s := ef.Section(".note.go.buildid"); s != nil {
		if data, _ := s.Data(); bytes.Contains(data, []byte("/")) {
			t.Errorf("binary carries a Go build ID; -buildid= keeps builds reproducible")
		}
	}
}

// Each `docker load`-able tarball is the index's image for its platform,
// tagged with the image reference.
func TestDockerTarballs(t *testing.T) {
	for _, b := range images(t) {
		idx := readIndex(t, b)
		for _, p := range image.DefaultPlatforms {
			t.Run(b.f.Name+"/"+p.String(), func(t *testing.T) {
				path := image.TarballPath(out, b.f.Name, p.OS, p.Architecture)
				tag, err := name.NewTag(b.f.Ref())
				if err != nil {
					t.Fatal(err)
				}
				img, err := tarball.ImageFromPath(path, &tag)
				if err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				// A docker tarball has no manifest (readers make one up), so
				// the image is its config (docker's image ID) and its layers.
				got, want := identity(t, img), identity(t, platformImage(t, idx, p))
				if !slices.Equal(got, want) {
					t.Errorf("tarball image config+layers %v, want the index's %v", got, want)
				}
			})
		}
	}
}

func identity(t *testing.T, img v1.Image) []v1.Hash {
	t.Helper()
	cfg, err := img.ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	ids := []v1.Hash{cfg}
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range layers {
		d, err := l.Digest()
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, d)
	}
	return ids
}

// The same commit builds the same images, byte for byte.
func TestReproducible(t *testing.T) {
	if testing.Short() {
		t.Skip("builds every image a second time")
	}
	first := images(t)
	dir := t.TempDir()
	second, err := buildAll(dir)
	if err != nil {
		t.Fatal(err)
	}
	after, err := goSources()
	if err != nil {
		t.Fatal(err)
	}
	if after != sourcesBefore {
		// Someone edited the tree between the builds (developers share it):
		// different digests would prove nothing.
		t.Skip("Go sources changed while the images were built twice")
	}
	for n, b := range first {
		if second[n].digest != b.digest {
			t.Errorf("%s: index digest %s, then %s", n, b.digest, second[n].digest)
		}
		for _, p := range image.DefaultPlatforms {
			a, c := fileHash(t, image.TarballPath(out, n, p.OS, p.Architecture)), fileHash(t, image.TarballPath(dir, n, p.OS, p.Architecture))
			if a != c {
				t.Errorf("%s: %s tarball differs between builds", n, p)
			}
		}
		if a, c := fileHash(t, filepath.Join(image.LayoutDir(out, n), "index.json")), fileHash(t, filepath.Join(image.LayoutDir(dir, n), "index.json")); a != c {
			t.Errorf("%s: OCI layout index.json differs between builds", n)
		}
	}
}

func fileHash(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", sha256.Sum256(b))
}

// goSources fingerprints every file that can change a binary: sources,
// embedded files and module files, anywhere in the repository; not tests,
// test data or docs, which developers sharing the tree edit all the time.
func goSources() (string, error) {
	h := sha256.New()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "bin", "images", "out", "testdata":
				return filepath.SkipDir
			}
			return nil
		}
		for _, suffix := range []string{"_test.go", ".md", ".test", ".prof"} {
			if strings.HasSuffix(path, suffix) {
				return nil
			}
		}
		b, err := os.ReadFile(path)
		if os.IsNotExist(err) { // removed while walking: the hash changes anyway
			return nil
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s %d\n", path, len(b))
		h.Write(b)
		return nil
	})
	return fmt.Sprintf("%x", h.Sum(nil)), err
}
