package verify_test

import (
	"os"
	"strings"
	"testing"

	"github.com/kfgitops/kfgitops/functions/verify/verify"
	"github.com/kfgitops/kfgitops/kit/golden"
)

func TestGolden(t *testing.T) {
	golden.Run(t, "testdata", verify.Function)
}

// Every check is documented in the README's table.
func TestREADMEListsEveryCheck(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range verify.CheckNames() {
		if !strings.Contains(string(readme), "| `"+name+"` |") {
			t.Errorf("README.md has no row for check %s", name)
		}
	}
}
