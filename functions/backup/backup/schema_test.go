package backup_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/kfgitops/kfgitops/kit/crdschema"
	"github.com/kfgitops/kfgitops/kit/krmio"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// velero is a validator of Velero's own CRDs at the pinned version.
func velero(t *testing.T) *crdschema.Validator {
	t.Helper()
	files, err := crdschema.VeleroFiles()
	if err != nil {
		t.Fatal(err)
	}
	v := crdschema.New()
	if err := v.AddFiles(files...); err != nil {
		t.Fatal(err)
	}
	return v
}

// checkSchedules validates every Schedule of a function output against
// Velero's CRD schema and returns how many there were.
func checkSchedules(t *testing.T, v *crdschema.Validator, out []byte) int {
	t.Helper()
	rl, err := krmio.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, o := range rl.Items {
		if o.GetKind() != "Schedule" {
			continue
		}
		n++
		errs, known, err := v.ValidateYAML([]byte(o.String()))
		if err != nil || !known {
			t.Fatalf("%s: %v (known: %v)", describe(o), err, known)
		}
		for _, e := range errs {
			t.Errorf("%s: %s", describe(o), e)
		}
	}
	return n
}

func describe(o *fn.KubeObject) string {
	return o.GetKind() + " " + o.GetNamespace() + "/" + o.GetName()
}

// Every Schedule of every golden case validates against Velero's CRD.
func TestGoldenSchedulesValidate(t *testing.T) {
	v := velero(t)
	cases, _ := filepath.Glob(filepath.Join("testdata", "*", "_expected.yaml"))
	total := 0
	for _, c := range cases {
		out, err := os.ReadFile(c)
		if err != nil {
			t.Fatal(err)
		}
		total += checkSchedules(t, v, out)
	}
	if total == 0 {
		t.Fatal("no Schedule in any golden case")
	}
}
