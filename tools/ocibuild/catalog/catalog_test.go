package catalog_test

import (
	"cmp"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/kfgitops/kfgitops/tools/ocibuild/catalog"
)

var root string

func TestMain(m *testing.M) {
	wd, err := os.Getwd()
	if err == nil {
		root, err = catalog.FindRoot(wd)
	}
	if err != nil {
		panic(err)
	}
	os.Exit(m.Run())
}

// functions loads every function's metadata; a function without a valid
// metadata.yaml fails TestMetadata and is left out here.
func functions(t *testing.T) map[string]catalog.Function {
	t.Helper()
	names, err := catalog.Names(root)
	if err != nil {
		t.Fatal(err)
	}
	fns := map[string]catalog.Function{}
	for _, name := range names {
		if f, err := catalog.Load(root, name); err == nil {
			fns[name] = f
		}
	}
	return fns
}

// Every function directory has a metadata.yaml in the kpt catalog's shape,
// naming its image by the one scheme and its version.
func TestMetadata(t *testing.T) {
	names, err := catalog.Names(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		t.Fatal("no functions found under functions/")
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			f, err := catalog.Load(root, name)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := f.Ref(), "ghcr.io/kfgitops/"+name+":v"+f.Metadata.Version; got != want {
				t.Errorf("Ref() = %q, want %q", got, want)
			}
		})
	}
}

// The metadata checks reject what would break the scheme.
func TestLoadRejects(t *testing.T) {
	good := `image: ghcr.io/kfgitops/fn
version: 1.2.3
description: Does one thing.
tags: [mutator]
sourceURL: https://github.com/kfgitops/kfgitops/tree/main/functions/fn
examplePackageURLs: [https://github.com/kfgitops/kfgitops/tree/main/examples/fn]
license: Apache-2.0
`
	for _, tc := range []struct{ name, old, new, want string }{
		{"good", "", "", ""},
		{"other registry", "ghcr.io/kfgitops/fn", "docker.io/kfgitops/fn", "image:"},
		{"tag in image", "ghcr.io/kfgitops/fn\n", "ghcr.io/kfgitops/fn:v1.2.3\n", "image:"},
		{"v in version", "1.2.3", "v1.2.3", "version:"},
		{"pre-release", "1.2.3", "1.2.3-rc.1", "version:"},
		{"both kinds", "[mutator]", "[mutator, validator]", "tags:"},
		{"no kind", "[mutator]", "[kubeflow]", "tags:"},
		{"license", "Apache-2.0", "MIT", "license:"},
		{"source", "functions/fn\n", "functions/other\n", "sourceURL:"},
		{"missing example", "tree/main/examples/fn]", "tree/main/no-such-dir]", "examplePackageURLs[0]"},
		{"no own example", "tree/main/examples/fn]", "tree/main/examples]", "the function's example package"},
		{"unknown field", "license:", "lisence: x\nlicense:", "unknown field"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, d := range []string{"functions/fn", "examples/fn"} {
				if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			content := strings.Replace(good, tc.old, tc.new, 1)
			if err := os.WriteFile(filepath.Join(dir, "functions/fn/metadata.yaml"), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := catalog.Load(dir, "fn")
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("good metadata rejected: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("want an error containing %q, got %v", tc.want, err)
			}
		})
	}
}

type kptfile struct {
	Pipeline struct {
		Mutators   []kptfileFunction `json:"mutators"`
		Validators []kptfileFunction `json:"validators"`
	} `json:"pipeline"`
}

type kptfileFunction struct {
	Name       string `json:"name"`
	Image      string `json:"image"`
	ConfigPath string `json:"configPath"`
}

// Every pipeline's Kptfile (pipelines/*) references exactly the images `make
// images` builds, mutators as mutators and validators as validators, and runs
// every function that the pipeline configures for kustomize.
func TestKptfileReferencesBuiltImages(t *testing.T) {
	kptfiles, err := filepath.Glob(filepath.Join(root, "pipelines", "*", "Kptfile"))
	if err != nil || len(kptfiles) == 0 {
		t.Fatalf("no pipelines/*/Kptfile (%v)", err)
	}
	fns := functions(t)
	for _, k := range kptfiles {
		dir := filepath.Dir(k)
		t.Run(filepath.Base(dir), func(t *testing.T) { checkPipelineImages(t, fns, dir) })
	}
}

func checkPipelineImages(t *testing.T, fns map[string]catalog.Function, dir string) {
	byRef := map[string]catalog.Function{}
	for _, f := range fns {
		byRef[f.Ref()] = f
	}
	b, err := os.ReadFile(filepath.Join(dir, "Kptfile"))
	if err != nil {
		t.Fatal(err)
	}
	var kf kptfile
	if err := yaml.Unmarshal(b, &kf); err != nil {
		t.Fatal(err)
	}
	byConfig := map[string]kptfileFunction{}
	for _, step := range slices.Concat(kf.Pipeline.Mutators, kf.Pipeline.Validators) {
		byConfig[step.ConfigPath] = step
		f, ok := byRef[step.Image]
		if !ok {
			t.Errorf("Kptfile step %q: image %q is not one `make images` builds (built: %s)", step.Name, step.Image, strings.Join(slices.Sorted(maps.Keys(byRef)), ", "))
			continue
		}
		if wantValidator := slices.Contains(kf.Pipeline.Validators, step); f.IsValidator() != wantValidator {
			t.Errorf("Kptfile step %q: %s is tagged %q in its metadata.yaml but listed under %s", step.Name, f.Name, f.Metadata.Tags, map[bool]string{true: "validators", false: "mutators"}[wantValidator])
		}
	}
	configs, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range configs {
		name, ok := execFunction(t, path)
		if !ok {
			continue
		}
		f, known := fns[name]
		if !known {
			t.Errorf("%s runs ../../bin/%s, which is not a function with a metadata.yaml", filepath.Base(path), name)
			continue
		}
		step, ok := byConfig[filepath.Base(path)]
		switch {
		case !ok:
			t.Errorf("Kptfile: no step with configPath %s (kustomize runs %s with it; kpt must too)", filepath.Base(path), name)
		case step.Image != f.Ref():
			t.Errorf("Kptfile step %q with configPath %s: image %q, want %q", step.Name, step.ConfigPath, step.Image, f.Ref())
		}
	}
}

// execFunction reads which bin/<name> a functionConfig's exec annotation runs.
func execFunction(t *testing.T, path string) (string, bool) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var obj struct {
		Metadata struct {
			Annotations map[string]string `json:"annotations"`
		} `json:"metadata"`
	}
	if err := yaml.Unmarshal(b, &obj); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var spec struct {
		Exec struct {
			Path string `json:"path"`
		} `json:"exec"`
	}
	if err := yaml.Unmarshal([]byte(obj.Metadata.Annotations["config.kubernetes.io/function"]), &spec); err != nil {
		t.Fatalf("%s: config.kubernetes.io/function: %v", path, err)
	}
	name, ok := strings.CutPrefix(spec.Exec.Path, "../../bin/")
	return name, ok
}

var (
	imageRef   = regexp.MustCompile(`ghcr\.io/kfgitops/([a-z0-9][a-z0-9-]*)(:[A-Za-z0-9._-]+)?`)
	releaseTag = regexp.MustCompile(`(?:functions|controllers)/([a-z0-9][a-z0-9-]*)/v([0-9]+\.[0-9]+\.[0-9]+)`)
)

// Every image reference and release tag in the docs, Dockerfiles and
// pipelines is one that `make images` builds, at the current version; every
// function's README names its image. CHANGELOG.md alone names older releases.
func TestDocsReferenceBuiltImages(t *testing.T) {
	fns := functions(t)
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			switch rel {
			case ".git", "bin", "images", "out":
				return filepath.SkipDir
			}
			return nil
		}
		if (strings.HasSuffix(rel, ".md") && rel != "CHANGELOG.md") || d.Name() == "Dockerfile" ||
			strings.HasPrefix(rel, "pipelines"+string(filepath.Separator)) {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range files {
		rel, _ := filepath.Rel(root, path)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range imageRef.FindAllStringSubmatch(string(b), -1) {
			f, ok := fns[m[1]]
			switch {
			case !ok:
				t.Errorf("%s: %s: no function %q with a metadata.yaml", rel, m[0], m[1])
			case m[2] != ":"+f.Tag():
				t.Errorf("%s: %s, want %s (the version in %s/metadata.yaml)", rel, m[0], f.Ref(), f.Path)
			}
		}
		for _, m := range releaseTag.FindAllStringSubmatch(string(b), -1) {
			if f, ok := fns[m[1]]; ok && m[0] != f.ReleaseTag() {
				t.Errorf("%s: %s, want %s (the version in %s/metadata.yaml)", rel, m[0], f.ReleaseTag(), f.Path)
			}
		}
	}
	for _, f := range fns {
		readme := filepath.Join(f.Dir, "README.md")
		b, err := os.ReadFile(readme)
		if os.IsNotExist(err) {
			// Whether a README exists is the docs' business, not the scheme's.
			t.Logf("%s/README.md does not exist yet", f.Path)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), f.Ref()) {
			t.Errorf("%s/README.md never names the image %s", f.Path, f.Ref())
		}
	}
}

// CHANGELOG.md has a section for every function's current version.
func TestChangelogListsEveryVersion(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(root, "CHANGELOG.md"))
	if err != nil {
		t.Fatal(err)
	}
	headings := map[string]bool{}
	for line := range strings.SplitSeq(string(b), "\n") {
		if h, ok := strings.CutPrefix(line, "## "); ok {
			headings[strings.Fields(h + " ")[0]] = true
		}
	}
	for _, f := range functions(t) {
		if !headings[f.ReleaseTag()] {
			t.Errorf("CHANGELOG.md: no section `## %s`", f.ReleaseTag())
		}
	}
}

// A function's metadata.yaml version is never behind its released tags:
// bump it before (or when) tagging.
func TestVersionNotBehindReleaseTags(t *testing.T) {
	out, err := exec.Command("git", "-C", root, "tag", "--list", "functions/*", "controllers/*").Output()
	if err != nil {
		t.Skipf("git tag: %v", err)
	}
	fns := functions(t)
	for _, tag := range strings.Fields(string(out)) {
		m := releaseTag.FindStringSubmatch(tag)
		if m == nil || m[0] != tag {
			t.Errorf("release tag %q is not functions/<name>/vX.Y.Z or controllers/<name>/vX.Y.Z", tag)
			continue
		}
		if f, ok := fns[m[1]]; ok && compareVersions(f.Metadata.Version, m[2]) < 0 {
			t.Errorf("%s/metadata.yaml: version %s is behind the release tag %s", f.Path, f.Metadata.Version, tag)
		}
	}
}

// compareVersions compares X.Y.Z versions as cmp.Compare does.
func compareVersions(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := range 3 {
		x, _ := strconv.Atoi(pa[i])
		y, _ := strconv.Atoi(pb[i])
		if c := cmp.Compare(x, y); c != 0 {
			return c
		}
	}
	return 0
}

func TestCompareVersions(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{{"0.1.0", "0.1.0", 0}, {"0.10.0", "0.9.1", 1}, {"1.0.0", "0.99.99", 1}, {"0.1.1", "0.1.2", -1}} {
		if got := compareVersions(tc.a, tc.b); got != tc.want {
			t.Errorf("compareVersions(%s, %s) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

// A controller lives under controllers/, is tagged controller (and only
// that), and is released as controllers/<name>/vX.Y.Z.
func TestLoadController(t *testing.T) {
	good := `image: ghcr.io/kfgitops/ctl
version: 0.1.0
description: Reconciles one thing.
tags: [controller]
sourceURL: https://github.com/kfgitops/kfgitops/tree/main/controllers/ctl
examplePackageURLs: [https://github.com/kfgitops/kfgitops/tree/main/examples]
license: Apache-2.0
`
	for _, tc := range []struct{ name, old, new, want string }{
		{"good", "", "", ""},
		{"function tag", "[controller]", "[mutator]", "tags:"},
		{"both", "[controller]", "[controller, mutator]", "tags:"},
		{"source under functions", "tree/main/controllers/ctl", "tree/main/functions/ctl", "sourceURL:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, d := range []string{"functions", "controllers/ctl", "examples"} {
				if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.WriteFile(filepath.Join(dir, "controllers/ctl/metadata.yaml"), []byte(strings.Replace(good, tc.old, tc.new, 1)), 0o644); err != nil {
				t.Fatal(err)
			}
			f, err := catalog.Load(dir, "ctl")
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("good metadata rejected: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("want an error containing %q, got %v", tc.want, err)
			case tc.want == "":
				if !f.IsController() || f.ReleaseTag() != "controllers/ctl/v0.1.0" || f.Ref() != "ghcr.io/kfgitops/ctl:v0.1.0" {
					t.Errorf("IsController %v, ReleaseTag %s, Ref %s", f.IsController(), f.ReleaseTag(), f.Ref())
				}
			}
		})
	}
}
