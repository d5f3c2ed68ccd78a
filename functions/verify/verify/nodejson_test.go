package verify

import (
	"bytes"
	"encoding/json"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// nodeJSON must give what RNode.MarshalJSON gives, value for value.
func TestNodeJSONMatchesMarshalJSON(t *testing.T) {
	for _, doc := range []string{
		"a: 1\nb: [x, 2, 3.5, true, null, '7', \"t\\tab\"]\nc: {d: {e: f}}\n",
		"octal: 010\nhex: 0x1F\nunderscore: 1_000\nexp: 1e3\nneg: -4\nbool: True\n",
		"anchor: &a {x: 1}\nalias: *a\n",
		"base: &b {x: 1}\nmerged:\n  <<: *b\n  y: 2\n",
		"tagged: !!str 12\nbinary: !!binary aGk=\nempty: \nunicode: \"\\u00e9\\U0001F600 <&>\"\n",
		"1: int key\ntrue: bool key\n",
		"list:\n- - nested\n  - 2\n- {}\n- []\n",
	} {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(doc), &n); err != nil {
			t.Fatal(err)
		}
		root := n.Content[0]
		got, err := nodeJSON(root)
		if err != nil {
			t.Fatalf("%q: %v", doc, err)
		}
		want, err := yaml.NewRNode(root).MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		if !sameJSON(t, got, want) {
			t.Errorf("%q:\n got %s\nwant %s", doc, got, want)
		}
	}
}

func sameJSON(t *testing.T, a, b []byte) bool {
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("%s: %v", a, err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}
