package verify

import (
	"testing"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// The ResourceList reader refuses a non-string name or namespace before any
// function runs; field-types still reports them for objects that come
// another way (the SDK's own parser, the chain in process).
func TestShapeProblemsMetadataStrings(t *testing.T) {
	for doc, want := range map[string]string{
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: {name: apps}}\n": "metadata.namespace: must be a string, not a mapping",
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: 123}\n":          "metadata.namespace: must be a string, not the integer 123",
		"apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: [x]\n":                 "spec: must be a mapping, not a list",
	} {
		o, err := fn.ParseKubeObject([]byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		problems := shapeProblems(o, kit.BuiltinPodTemplatePaths)
		if len(problems) != 1 || problems[0].field+": "+problems[0].problem != want {
			t.Errorf("%q: got %+v, want %q", doc, problems, want)
		}
	}
}
