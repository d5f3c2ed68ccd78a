// Package harness runs the real kustomize over the repository's pipelines,
// for the end-to-end tests and for `make demo`.
package harness

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/kfgitops/kfgitops/kit/corpus"
	"sigs.k8s.io/yaml"
)

// RepoRoot is the directory holding go.work.
func RepoRoot() (string, error) { return corpus.RepoRoot() }

// Kustomize is the repo-local kustomize that `make tools` installs.
func Kustomize(root string) (string, error) {
	k := filepath.Join(root, "bin", "kustomize")
	if _, err := os.Stat(k); err != nil {
		return "", fmt.Errorf("%s is missing: run `make tools`", k)
	}
	return k, nil
}

// Build runs `kustomize build` with exec functions enabled.
func Build(root, dir string, extraArgs ...string) (stdout []byte, stderr string, err error) {
	k, err := Kustomize(root)
	if err != nil {
		return nil, "", err
	}
	args := append([]string{"build"}, extraArgs...)
	args = append(args, dir)
	cmd := exec.Command(k, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	return out.Bytes(), errb.String(), err
}

// ExecFlags are the flags without which kustomize silently skips exec functions.
var ExecFlags = []string{"--enable-alpha-plugins", "--enable-exec"}

// PackageCopy copies the files of the package at pkg (relative to root, two
// directories below it as the pipelines are) into dir, pointing its exec
// paths at the repository's bin/ and its resources at the given files
// (copied in).
func PackageCopy(root, pkg, dir string, resources ...string) error {
	src := filepath.Join(root, pkg)
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	bin := filepath.Join(root, "bin") + "/"
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			return err
		}
		b = bytes.ReplaceAll(b, []byte("../../bin/"), []byte(bin))
		if e.Name() == "kustomization.yaml" {
			b, err = replaceResources(b, resources)
			if err != nil {
				return err
			}
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			return err
		}
	}
	for _, r := range resources {
		b, err := os.ReadFile(r)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(r)), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func replaceResources(kustomization []byte, resources []string) ([]byte, error) {
	var lines []string
	skipping := false
	for _, line := range strings.Split(string(kustomization), "\n") {
		if line == "resources:" {
			lines = append(lines, line)
			for _, r := range resources {
				lines = append(lines, "- "+filepath.Base(r))
			}
			skipping = true
			continue
		}
		if skipping && strings.HasPrefix(line, "- ") {
			continue
		}
		skipping = false
		lines = append(lines, line)
	}
	return []byte(strings.Join(lines, "\n")), nil
}

// Object is one decoded object of a YAML stream.
type Object map[string]any

// ID is apiVersion-independent: group/kind namespace/name.
func (o Object) ID() string {
	md, _ := o["metadata"].(map[string]any)
	av, _ := o["apiVersion"].(string)
	group := ""
	if i := strings.LastIndex(av, "/"); i >= 0 {
		group = av[:i]
	}
	kind := fmt.Sprint(o["kind"])
	if group != "" {
		kind += "." + group
	}
	if ns, ok := md["namespace"].(string); ok && ns != "" {
		return fmt.Sprintf("%s %s/%v", kind, ns, md["name"])
	}
	return fmt.Sprintf("%s %v", kind, md["name"])
}

// Kind is the object's kind.
func (o Object) Kind() string { return fmt.Sprint(o["kind"]) }

// Objects decodes a multi-document YAML stream, keyed by ID.
func Objects(stream []byte) (map[string]Object, error) {
	out := map[string]Object{}
	for _, doc := range bytes.Split(stream, []byte("\n---\n")) {
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		var o Object
		if err := yaml.Unmarshal(doc, &o); err != nil {
			return nil, err
		}
		if o != nil {
			out[o.ID()] = o
		}
	}
	return out, nil
}

// SortedIDs returns the keys of m in order.
func SortedIDs(m map[string]Object) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}
