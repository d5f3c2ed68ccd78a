// Package corpus finds the real Kubeflow renders that tests and benchmarks
// run on (../shared/corpus next to the repository, or $KFGITOPS_CORPUS) and
// turns a multi-document YAML file into a ResourceList. The corpus is never
// copied into the repository; where it is absent, tests skip, unless
// $KFGITOPS_REQUIRE_CORPUS is 1 (CI sets it), when they fail.
package corpus

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// Master and Release are the two full platform renders.
const (
	Master  = "kubeflow-master-2026-04-05.yaml"
	Release = "kubeflow-26.03.yaml"
)

// Dir returns the corpus directory, or "" when there is none.
func Dir() string {
	if d := os.Getenv("KFGITOPS_CORPUS"); d != "" {
		return d
	}
	root, err := RepoRoot()
	if err != nil {
		return ""
	}
	c := filepath.Join(root, "..", "shared", "corpus")
	if _, err := os.Stat(c); err != nil {
		return ""
	}
	return c
}

// RepoRoot is the repository root: the directory holding go.work, at or
// above the working directory (a test's package directory).
func RepoRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return dir, nil
		}
		if filepath.Dir(dir) == dir {
			return "", fmt.Errorf("go.work not found at or above %s", wd)
		}
	}
}

// RequireEnv names the variable that turns every corpus skip into a
// failure, so that a CI run without the corpus cannot pass.
const RequireEnv = "KFGITOPS_REQUIRE_CORPUS"

// Require returns the corpus directory or skips the test with one line.
func Require(tb testing.TB) string {
	tb.Helper()
	d := Dir()
	if d == "" {
		Missing(tb, "corpus not found (../shared/corpus or $KFGITOPS_CORPUS): skipping the real-input test")
	}
	return d
}

// Missing skips a test whose shared input (the corpus, or a file beside it
// in ../shared) is absent, or fails it when $KFGITOPS_REQUIRE_CORPUS is 1.
// Every test that skips for want of shared input goes through here.
func Missing(tb testing.TB, format string, args ...any) {
	tb.Helper()
	if os.Getenv(RequireEnv) == "1" {
		tb.Fatalf(format+" ($"+RequireEnv+"=1: the shared input is required)", args...)
	}
	tb.Skipf(format, args...)
}

// Files lists every corpus file: the platform renders, then the components.
func Files(tb testing.TB) []string {
	d := Require(tb)
	files := []string{filepath.Join(d, Master), filepath.Join(d, Release)}
	comps, _ := filepath.Glob(filepath.Join(d, "components", "*.yaml"))
	sort.Strings(comps)
	return append(files, comps...)
}

// ResourceList reads a corpus file (by base name, or a path) as a ResourceList.
func ResourceList(tb testing.TB, file string) []byte {
	tb.Helper()
	path := file
	if !filepath.IsAbs(path) {
		path = filepath.Join(Require(tb), file)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return Wrap(b)
}

// Wrap turns a multi-document YAML stream into a ResourceList with no
// functionConfig, by indenting each document under `items:`.
func Wrap(stream []byte) []byte {
	var out bytes.Buffer
	out.WriteString("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n")
	for _, doc := range splitDocuments(stream) {
		lines := bytes.Split(bytes.TrimRight(doc, "\n"), []byte("\n"))
		for i, line := range lines {
			switch {
			case i == 0:
				out.WriteString("- ")
			case len(line) > 0:
				out.WriteString("  ")
			}
			out.Write(line)
			out.WriteByte('\n')
		}
	}
	return out.Bytes()
}

func splitDocuments(stream []byte) [][]byte {
	var docs [][]byte
	for _, d := range bytes.Split(append([]byte("\n"), stream...), []byte("\n---")) {
		// drop the rest of a "---" line and documents that are only blank or comments
		if i := bytes.IndexByte(d, '\n'); i >= 0 {
			d = d[i+1:]
		} else {
			continue
		}
		if hasContent(d) {
			docs = append(docs, d)
		}
	}
	return docs
}

func hasContent(doc []byte) bool {
	for _, line := range bytes.Split(doc, []byte("\n")) {
		t := bytes.TrimSpace(line)
		if len(t) > 0 && t[0] != '#' {
			return true
		}
	}
	return false
}

// WithFunctionConfig appends a functionConfig (a YAML document) to a
// ResourceList that has none, indented under `functionConfig:`.
func WithFunctionConfig(rl []byte, config string) []byte {
	out := append(append([]byte{}, rl...), "functionConfig:\n"...)
	for _, line := range strings.Split(strings.TrimRight(config, "\n"), "\n") {
		out = append(out, "  "+line+"\n"...)
	}
	return out
}
