package corpus_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/kfgitops/kfgitops/kit/corpus"
)

// TestMissingCorpus runs TestRequireHelper in a child process with no
// corpus: it must skip, or fail when $KFGITOPS_REQUIRE_CORPUS is 1.
func TestMissingCorpus(t *testing.T) {
	if os.Getenv("CORPUS_HELPER") == "1" {
		t.Skip("the helper's own run")
	}
	for _, c := range []struct {
		name, require string
		fails         bool
		want          string
	}{
		{"skips by default", "", false, "--- SKIP: TestRequireHelper"},
		{"fails when required", "1", true, "the shared input is required"},
		{"skips unless exactly 1", "true", false, "--- SKIP: TestRequireHelper"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestRequireHelper$", "-test.v")
			cmd.Dir = t.TempDir() // no go.work above: no ../shared/corpus
			cmd.Env = append(os.Environ(), "CORPUS_HELPER=1", "KFGITOPS_CORPUS=", corpus.RequireEnv+"="+c.require)
			out, err := cmd.CombinedOutput()
			if failed := err != nil; failed != c.fails {
				t.Errorf("failed: %v, want %v:\n%s", failed, c.fails, out)
			}
			if !strings.Contains(string(out), c.want) {
				t.Errorf("output lacks %q:\n%s", c.want, out)
			}
		})
	}
}

func TestRequireHelper(t *testing.T) {
	if os.Getenv("CORPUS_HELPER") != "1" {
		t.Skip("run by TestMissingCorpus")
	}
	corpus.Require(t)
	t.Error("Require returned without a corpus")
}

// CI must not pass without the corpus.
func TestCIRequiresCorpus(t *testing.T) {
	root, err := corpus.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	ci, err := os.ReadFile(root + "/.ci/run")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(ci), "\nexport "+corpus.RequireEnv+"=1\n") {
		t.Errorf(".ci/run does not export %s=1", corpus.RequireEnv)
	}
}
