package krmio_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kfgitops/kfgitops/kit/krmio"
)

// Inputs crafted to fool the item-by-item reader (issue 18 finding 1): each
// must be read as the SDK reads the whole document, byte for byte.
func TestReadLikeSDK(t *testing.T) {
	for _, c := range []struct{ file, why string }{
		{"double-quoted-items", "an items: line inside a double-quoted scalar before the real items"},
		{"single-quoted-items", "an items: line inside a single-quoted scalar before the real items"},
		{"flow-multiline", "multi-line flow collections before the items"},
		{"quoted-items-after-items", "an items: line inside a quoted scalar after the real items"},
		{"block-scalar-items", "an items: line inside a block scalar"},
		{"comment-after-last-item", "a column-0 comment after the last item, no final newline (the SDK keeps it)"},
		{"comment-after-last-item-newline", "a column-0 comment after the last item"},
		{"document-end", "a document end marker after the items"},
		{"document-start-comment", "a document start marker with a comment"},
		{"crlf", "CRLF line breaks"},
		{"cr-inside", "a CR, which YAML reads as a line break, inside a scalar"},
		{"line-separator", "a Unicode line separator, which yaml.v3 reads as a line break"},
		{"items-in-comment", "items: written in comments"},
		{"plain-multiline", "multi-line plain scalars"},
	} {
		t.Run(c.file, func(t *testing.T) {
			in := readFixture(t, "sdk", c.file)
			want := sdkRoundTrip(t, in)
			if got := readWrite(t, in); got != string(want) {
				t.Errorf("%s:\ngot:\n%s\nwant (the SDK's):\n%s", c.why, got, want)
			}
		})
	}
}

// Inputs to refuse with one line naming the item, the field and what was
// expected (findings 2, 3, 6, 8, 9).
func TestReadRefuses(t *testing.T) {
	for _, c := range []struct{ file, want string }{
		{"duplicate-kind", `items[0] (ConfigMap "a"): key "kind" appears more than once (line 5 and line 6)`},
		{"duplicate-name", `items[2] (ConfigMap "b"): metadata: key "name" appears more than once (line 17 and line 18)`},
		{"duplicate-metadata", `items[0] (ConfigMap "a"): key "metadata" appears more than once (line 6 and line 8)`},
		{"duplicate-annotation", `items[0] (ConfigMap "a"): metadata.annotations: key "sidecar.istio.io/inject" appears more than once (line 9 and line 10)`},
		{"duplicate-items", `ResourceList: key "items" appears more than once (line 3 and line 13)`},
		{"duplicate-in-functionconfig", `functionConfig: data: key "x" appears more than once (line 14 and line 15)`},
		{"apiversion-v9", `ResourceList apiVersion is "config.kubernetes.io/v9": expected config.kubernetes.io/v1 (or v1beta1)`},
		{"apiversion-missing", `ResourceList apiVersion is missing: expected config.kubernetes.io/v1`},
		{"merge-of-a-scalar", `items[0] (ConfigMap "a"): metadata.labels["<<"]: a merge key takes a mapping or a list of mappings, got string`},
		{"merge-list-of-scalars", `element 0 of the merge list is a string`},
		{"alias-cycle", `data.self: alias *d refers to a node that contains it`},
		{"name-integer", `items[0] (ConfigMap "123"): metadata.name must be a string, got integer`},
		{"namespace-mapping", `items[0] (ConfigMap "a"): metadata.namespace must be a string, got mapping`},
		{"metadata-list", `items[0] (ConfigMap): metadata must be a mapping, got list`},
		{"kind-boolean", `items[0] (true "a"): kind must be a string, got boolean`},
		{"scalar-item", `items[1] (line 8) must be an object (a mapping), got integer`},
		{"items-scalar", `ResourceList items must be a list of objects, got integer`},
		{"functionconfig-scalar", `functionConfig must be an object (a mapping), got integer`},
		{"malformed", `input is not a ResourceList: yaml: line 4: did not find expected node content`},
		{"two-documents", `input is not one ResourceList: a second YAML document starts at line 5`},
		{"list-items-scalar", `items[0] (List): a List's items must be a list of objects, got string`},
		{"complex-key", `items[0] (ConfigMap "a"): data["?"]: a key is a list: object keys must be strings`},
		{"alias-expands-past-object-limit", `items[0] (ConfigMap "bomb"): its keys and values hold more than 1572864 bytes with its YAML aliases expanded: the Kubernetes API server accepts at most 1572864 bytes for one object`},
	} {
		t.Run(c.file, func(t *testing.T) {
			refused(t, readFixture(t, "refused", c.file), c.want)
		})
	}
}

// Generated inputs too big for testdata.
func TestReadRefusesLarge(t *testing.T) {
	cm := "- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: %s\n  data:\n    %s\n"
	anchor := fmt.Sprintf(cm, "a", "x: &a "+strings.Repeat("y", 100<<10))
	var aliases strings.Builder
	for i := range 100 {
		fmt.Fprintf(&aliases, cm, fmt.Sprint("b", i), "x: *a")
	}
	for _, c := range []struct{ name, items, want string }{
		{"5 MB object", fmt.Sprintf(cm, "big", "blob: "+strings.Repeat("x", 5<<20)),
			`items[0] (ConfigMap "big"): its keys and values hold 5242928 bytes, over the limit of 1572864 bytes: the Kubernetes API server accepts at most 1572864 bytes for one object`},
		{"1 MB plain key", fmt.Sprintf(cm, "a", strings.Repeat("k", 1<<20)+": v"),
			`input is not a ResourceList: yaml: line 9: a key of 1048576 bytes: YAML reads a key written without "? " only up to 1024 characters`},
		{"one anchor aliased by every item", anchor + aliases.String(),
			`YAML aliases expand the items by more than`},
		{"20 MB functionConfig, refused unparsed", fmt.Sprintf(cm, "a", "x: y") + "functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: cfg\n  data:\n    rules: " + strings.Repeat("x", 20<<20) + "\n",
			`functionConfig: 20971601 bytes of YAML, over the limit of 16777216 bytes (it may hold at most 1048576 bytes of keys and values)`},
		{"2 MB functionConfig", fmt.Sprintf(cm, "a", "x: y") + "functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: cfg\n  data:\n    rules: " + strings.Repeat("x", 2<<20) + "\n",
			`functionConfig: its keys and values hold 2097201 bytes, over the limit of 1048576 bytes`},
	} {
		t.Run(c.name, func(t *testing.T) {
			refused(t, []byte("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n"+c.items), c.want)
		})
	}
}

func refused(t *testing.T, in []byte, want string) {
	t.Helper()
	rl, err := krmio.Read(in)
	if err == nil {
		var out bytes.Buffer
		_ = krmio.Write(&out, rl)
		t.Fatalf("accepted; wrote:\n%s", out.String())
	}
	msg := err.Error()
	if !strings.Contains(msg, want) {
		t.Errorf("message:\n%s\nwant it to contain:\n%s", msg, want)
	}
	for _, bad := range []string{"\n", "internal.", "unhandled node kind", "failed to parse input bytes", "MiB"} {
		if strings.Contains(msg, bad) {
			t.Errorf("message contains %q: %s", bad, msg)
		}
	}
	if len(msg) > 400 {
		t.Errorf("message of %d bytes echoes the input", len(msg))
	}
}

// Inputs the reader normalizes before any function sees them (findings 2,
// 4, 8): testdata/normalized/<case>.yaml read and written must give
// <case>.out (UPDATE_GOLDEN=1 rewrites it).
func TestReadNormalizes(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "normalized", "*.yaml"))
	if len(files) == 0 {
		t.Fatal("no cases")
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		t.Run(name, func(t *testing.T) {
			in, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			got := readWrite(t, in)
			golden := strings.TrimSuffix(file, ".yaml") + ".out"
			if os.Getenv("UPDATE_GOLDEN") == "1" {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
			if again := readWrite(t, []byte(got)); again != got {
				t.Errorf("not stable: reading the output again gives:\n%s", again)
			}
		})
	}
}

func readFixture(t *testing.T, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", dir, name+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readWrite(t *testing.T, in []byte) string {
	t.Helper()
	rl, err := krmio.Read(in)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := krmio.Write(&out, rl); err != nil {
		t.Fatal(err)
	}
	return out.String()
}
