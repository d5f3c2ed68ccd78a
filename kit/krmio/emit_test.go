package krmio

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/kfgitops/kfgitops/kit/corpus"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// yamlV3Item is what yaml.v3 writes for the item, the reference emit.go
// must match byte for byte.
func yamlV3Item(t testing.TB, n *yaml.Node) []byte {
	t.Helper()
	var buf bytes.Buffer
	b, err := encodeItemYAMLv3(&buf, yaml.NewRNode(n))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkEmit reports whether the fast emitter covers n and, if it does, that
// it writes what yaml.v3 writes.
func checkEmit(t testing.TB, n *yaml.Node) bool {
	t.Helper()
	got, err := emitItem(nil, n)
	if err == errUnsupported {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	if want := yamlV3Item(t, n); !bytes.Equal(got, want) {
		t.Fatalf("fast emitter differs from yaml.v3 at byte %d:\n--- yaml.v3\n%s\n--- fast\n%s", FirstDiff(got, want), want, got)
	}
	return true
}

// FirstDiff is the offset of the first byte where a and b differ (for the
// tests of this package and of krmio_test).
func FirstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// Every object of the corpus: the fast emitter covers it and writes what
// yaml.v3 writes.
func TestEmitMatchesYAMLv3OnCorpus(t *testing.T) {
	for _, file := range corpus.Files(t) {
		rl, err := Read(corpus.ResourceList(t, file))
		if err != nil {
			t.Fatal(err)
		}
		covered := 0
		for _, o := range rl.Items {
			rn := o.MoveToResourceNode()
			if checkEmit(t, rn.YNode()) {
				covered++
			}
		}
		if covered != len(rl.Items) {
			t.Errorf("%s: the fast emitter covers %d of %d objects", file, covered, len(rl.Items))
		}
	}
}

// scalarItem is an object holding the scalar as a mapping value, a key, a
// sequence item and a nested value.
func scalarItem(value, tag string, style yaml.Style) *yaml.Node {
	s := func() *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: value, Tag: tag, Style: style} }
	k := func(name string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: name, Tag: "!!str"} }
	return &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
		k("value"), s(),
		s(), k("x"),
		k("list"), {Kind: yaml.SequenceNode, Content: []*yaml.Node{s(), s(), {Kind: yaml.SequenceNode, Content: []*yaml.Node{s()}}}},
		k("nested"), {Kind: yaml.MappingNode, Content: []*yaml.Node{k("deeper"), {Kind: yaml.MappingNode, Content: []*yaml.Node{k("v"), s()}}}},
		k("empty"), {Kind: yaml.MappingNode},
		k("none"), {Kind: yaml.SequenceNode, Style: yaml.FlowStyle},
	}}
}

var scalarStyles = []yaml.Style{0, yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle, yaml.LiteralStyle, yaml.FoldedStyle, yaml.TaggedStyle}
var scalarTags = []string{"", "!!str", "!!int", "!!bool", "!!float", "!!null", "!!timestamp", "tag:yaml.org,2002:str", "!custom"}

func TestEmitScalarsMatchYAMLv3(t *testing.T) {
	values := []string{
		"", " ", "a", "plain value", "8080", "-1", "+1", "0x1F", "0o17", "017", "0b101", "-0b101", "1_000", "1e3", ".5", "1.", ".inf", "-.Inf", ".nan",
		"true", "False", "yes", "no", "on", "null", "~", "NULL", "<<", "2024-01-02", "2024-01-02T03:04:05Z", "2024-1-2 3:4:5", "1234-",
		"---", "...", "--- x", "- a", "-a", "? x", "?x", ": x", "a: b", "a:b", "a #b", "a#b", "#x", "x #", "&a", "*a", "!a", "|", ">", "'q'", `"q"`, "%x", "@x", "`x",
		"[a]", "{a}", "a,b", "a[b]", "a{b}",
		"line1\nline2", "line1\nline2\n", "line1\nline2\n\n", "\nleading", " leading", "trailing ", "trailing\n ", "a \nb", "a\n b", "a\tb", "\ttab",
		"\x00", "\x07bell", "esc\x1b", "del\x7f", "nel\u0085x", "nbsp\u00a0x", "ls\u2028x", "ps\u2029x", "\ufeffbom", "bom\ufeff", "\ufffe", "emoji 😀", "é", "\r\n", "cr\rx",
		"it's", "say \"hi\"", `back\slash`, strings.Repeat("long ", 40), strings.Repeat("k", 129),
		"x\n\n\ny", "\n", "\n\n", "a\n\n", " \n", "a\u0085", "a\u2028",
	}
	covered := 0
	for _, v := range values {
		for _, tag := range scalarTags {
			for _, style := range scalarStyles {
				t.Run(fmt.Sprintf("%q/%s/%d", v, tag, style), func(t *testing.T) {
					if checkEmit(t, scalarItem(v, tag, style)) {
						covered++
					}
				})
			}
		}
	}
	if covered < len(values)*len(scalarStyles) {
		t.Errorf("the fast emitter covers only %d cases", covered)
	}
}

func FuzzEmitScalar(f *testing.F) {
	f.Add("plain", "!!str", 0)
	f.Add("a\nb ", "", int(yaml.LiteralStyle))
	f.Add("0x1F", "!!int", 0)
	f.Fuzz(func(t *testing.T, value, tag string, style int) {
		checkEmit(t, scalarItem(value, tag, scalarStyles[uint(style)%uint(len(scalarStyles))]))
	})
}

// FuzzEmitYAML parses arbitrary YAML and compares the fast emitter with
// yaml.v3 on every mapping it yields.
func FuzzEmitYAML(f *testing.F) {
	for _, seed := range []string{
		"a: 1\nb:\n- x\n- - y\n  - z\n- k: v\n  l: []\nc: {}\n",
		"spec:\n  template:\n    metadata:\n      labels: {app: x}\n    spec:\n      containers:\n      - name: c\n        args: [\"--a\", '--b']\n        command:\n        - sh\n        - -c\n        - |\n          echo hi\n          exit 0\n",
		"x: >\n  folded\n  text\n\ny: \"q\\tz\"\nz: 'it''s'\n\"k: e\": 2024-01-01\n? long\n: v\n",
		"a: !!str 123\nb: !!int \"7\"\nc: 0x1F\nd: ~\ne: .inf\nf: \"\"\n'': empty\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(doc), &n); err != nil || len(n.Content) != 1 || n.Content[0].Kind != yaml.MappingNode {
			return
		}
		checkEmit(t, n.Content[0])
	})
}
