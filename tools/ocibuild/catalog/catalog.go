// Package catalog is the release scheme of the kfgitops functions and
// controllers: which exist (every directory under functions/ and
// controllers/), what each one's metadata.yaml says, and the names derived
// from it: the image reference ghcr.io/kfgitops/<name>:v<X.Y.Z>, the release
// tag functions/<name>/vX.Y.Z (controllers/<name>/vX.Y.Z) and the
// entrypoint. The image build, the Dockerfiles, the Kptfile and the
// READMEs are all checked against these names, so there is one scheme.
package catalog

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"
)

const (
	// Registry is where every function's image is published.
	Registry = "ghcr.io/kfgitops"
	// SourceRepository is the repository the images are built from.
	SourceRepository = "https://github.com/kfgitops/kfgitops"
	// License is the license of every function.
	License = "Apache-2.0"
	// MetadataFile is the per-function file holding the version.
	MetadataFile = "metadata.yaml"
)

// Tags a function carries in its metadata.yaml, as in the kpt catalog; a
// controller carries Controller.
const (
	Mutator    = "mutator"
	Validator  = "validator"
	Controller = "controller"
)

// Directories holding the components, each a directory of its own below
// them: KRM functions, and controllers (long-running, not KRM functions).
const (
	FunctionsDir   = "functions"
	ControllersDir = "controllers"
)

var componentDirs = []string{FunctionsDir, ControllersDir}

// semver is a release version without pre-release or build suffix; tags and
// image tags put a "v" in front of it.
var semver = regexp.MustCompile(`^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$`)

// Metadata is a function's metadata.yaml: the kpt catalog's keys plus
// version, the one place a function's version is written.
type Metadata struct {
	Image              string   `json:"image"`
	Version            string   `json:"version"`
	Description        string   `json:"description"`
	Tags               []string `json:"tags"`
	SourceURL          string   `json:"sourceURL"`
	ExamplePackageURLs []string `json:"examplePackageURLs"`
	Emails             []string `json:"emails,omitempty"`
	License            string   `json:"license"`
}

// Function is one function (or controller) directory with its metadata.
type Function struct {
	// Name is the directory name under functions/ or controllers/, which is
	// also the binary name and image name.
	Name string
	// Path is the directory relative to the repository root, with slashes:
	// functions/<name> or controllers/<name>.
	Path string
	// Dir is the directory.
	Dir      string
	Metadata Metadata
}

// Names lists the directories under root/functions and root/controllers,
// sorted (functions first). A new directory there is a new image: nothing
// else lists them.
func Names(root string) ([]string, error) {
	var names []string
	seen := map[string]string{}
	for _, dir := range componentDirs {
		entries, err := os.ReadDir(filepath.Join(root, dir))
		if os.IsNotExist(err) && dir != FunctionsDir {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
				continue
			}
			if other, dup := seen[e.Name()]; dup {
				return nil, fmt.Errorf("%s/%s and %s/%s: one image name, two components", other, e.Name(), dir, e.Name())
			}
			seen[e.Name()] = dir
			names = append(names, e.Name())
		}
	}
	return names, nil
}

// Load reads and checks the metadata.yaml of functions/<name> or
// controllers/<name>.
func Load(root, name string) (Function, error) {
	f := Function{Name: name, Path: FunctionsDir + "/" + name}
	for _, dir := range componentDirs {
		if st, err := os.Stat(filepath.Join(root, dir, name)); err == nil && st.IsDir() {
			f.Path = dir + "/" + name
			break
		}
	}
	f.Dir = filepath.Join(root, filepath.FromSlash(f.Path))
	path := filepath.Join(f.Dir, MetadataFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return f, fmt.Errorf("function %s: %w (every function needs one: it holds the version)", name, err)
	}
	if err := yaml.UnmarshalStrict(b, &f.Metadata); err != nil {
		return f, fmt.Errorf("%s: %w", path, err)
	}
	if err := f.check(root); err != nil {
		return f, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// LoadAll loads every function; the first error stops it.
func LoadAll(root string) ([]Function, error) {
	names, err := Names(root)
	if err != nil {
		return nil, err
	}
	fns := make([]Function, 0, len(names))
	for _, name := range names {
		f, err := Load(root, name)
		if err != nil {
			return nil, err
		}
		fns = append(fns, f)
	}
	return fns, nil
}

func (f Function) check(root string) error {
	m := f.Metadata
	if m.Image != f.Repository() {
		return fmt.Errorf("image: got %q, want %q (images are %s/<function directory>)", m.Image, f.Repository(), Registry)
	}
	if !semver.MatchString(m.Version) {
		return fmt.Errorf("version: got %q, want X.Y.Z (no \"v\": tags add it)", m.Version)
	}
	if strings.TrimSpace(m.Description) == "" || strings.Contains(m.Description, "\n") {
		return fmt.Errorf("description: want one non-empty line")
	}
	if f.IsController() {
		if !slices.Equal(m.Tags, []string{Controller}) {
			return fmt.Errorf("tags: want [%s] for a controller, got %q", Controller, m.Tags)
		}
	} else if kinds := slices.DeleteFunc(slices.Clone(m.Tags), func(t string) bool { return t != Mutator && t != Validator }); len(kinds) != 1 {
		return fmt.Errorf("tags: want exactly one of %q and %q, got %q", Mutator, Validator, m.Tags)
	}
	if want := TreeURL(f.Path); m.SourceURL != want {
		return fmt.Errorf("sourceURL: got %q, want %q", m.SourceURL, want)
	}
	if len(m.ExamplePackageURLs) == 0 {
		return fmt.Errorf("examplePackageURLs: want at least one example package")
	}
	for i, u := range m.ExamplePackageURLs {
		rel, ok := strings.CutPrefix(u, TreeURL(""))
		if !ok {
			return fmt.Errorf("examplePackageURLs[%d]: %q is not under %s", i, u, TreeURL(""))
		}
		if st, err := os.Stat(filepath.Join(root, filepath.FromSlash(rel))); err != nil || !st.IsDir() {
			return fmt.Errorf("examplePackageURLs[%d]: %s is not a directory of this repository", i, rel)
		}
	}
	// kpt's catalog links each function's own runnable example package.
	if own := TreeURL("examples/" + f.Name); !f.IsController() && !slices.Contains(m.ExamplePackageURLs, own) {
		return fmt.Errorf("examplePackageURLs: want the function's example package %s", own)
	}
	if m.License != License {
		return fmt.Errorf("license: got %q, want %q", m.License, License)
	}
	return nil
}

// TreeURL is the browsable URL of a path in the repository's main branch.
func TreeURL(path string) string { return SourceRepository + "/tree/main/" + path }

// Repository is the image repository, without tag.
func (f Function) Repository() string { return Registry + "/" + f.Name }

// Tag is the image tag and the last part of the release tag: v<version>.
func (f Function) Tag() string { return "v" + f.Metadata.Version }

// Ref is the image reference every pipeline and README uses.
func (f Function) Ref() string { return f.Repository() + ":" + f.Tag() }

// ReleaseTag is the git tag a release of this version gets, in the kpt
// catalog's per-function form: <path>/v<version>.
func (f Function) ReleaseTag() string { return f.Path + "/" + f.Tag() }

// Entrypoint is where the binary sits in the image, the same path in the
// Dockerfile build and in the offline build.
func (f Function) Entrypoint() string { return "/" + f.Name }

// IsValidator reports whether the function is tagged validator.
func (f Function) IsValidator() bool { return slices.Contains(f.Metadata.Tags, Validator) }

// SourcePaths are the directories whose files go into the binary: its own
// and kit/, and for a controller the functions it uses as libraries.
func (f Function) SourcePaths() []string {
	if f.IsController() {
		return []string{f.Path, "kit", FunctionsDir}
	}
	return []string{f.Path, "kit"}
}

// IsController reports whether this is a controller (under controllers/): a
// long-running program, not a KRM function.
func (f Function) IsController() bool { return strings.HasPrefix(f.Path, ControllersDir+"/") }

// FindRoot returns the repository root (the directory holding go.work) at
// or above dir.
func FindRoot(dir string) (string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.work")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("go.work not found at or above %s", dir)
		}
	}
}
