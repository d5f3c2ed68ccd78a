package tests

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// buildOutputDirs are never walked: Git's, and what the build writes (bin/,
// out/, images/) or fetches (node_modules/).
var buildOutputDirs = []string{".git", "bin", "out", "images", "node_modules"}

// repoFiles lists the repository's files whose name keep accepts, relative
// to root with slashes, in walk order; directories named in skip are not
// walked, nor buildOutputDirs.
func repoFiles(t *testing.T, keep func(name string) bool, skip ...string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if slices.Contains(buildOutputDirs, d.Name()) || slices.Contains(skip, d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if keep(d.Name()) {
			rel, _ := filepath.Rel(root, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
