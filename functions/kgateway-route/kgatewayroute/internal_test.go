package kgatewayroute

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kfgitops/kfgitops/kit/golden"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

func TestGEPDuration(t *testing.T) {
	for _, c := range []struct{ in, want, err string }{
		{"300s", "5m", ""},
		{"1.5s", "1s500ms", ""},
		{"0s", "0s", ""},
		{"90m", "1h30m", ""},
		{"1h2m3s4ms", "1h2m3s4ms", ""},
		{"100ns", "", "sub-millisecond"},
		{"-1s", "", "negative"},
		{"soon", "", "invalid duration"},
	} {
		got, err := gepDuration(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("gepDuration(%q) error = %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("gepDuration(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

// ReplacePrefixMatch equals Istio's string rewrite exactly in these cases
// (checked against the replacement table of the HTTPPathModifier doc).
func TestPrefixRewriteExact(t *testing.T) {
	for _, c := range []struct {
		prefix, rewrite string
		want            bool
	}{
		{"/jupyter/", "/", true},
		{"/kfam/", "/kfam/", true},
		{"/pipeline", "/pipeline", true},
		{"/grpc", "/v2/grpc", true},
		{"/a/", "/b/", true},
		{"/glue/", "/glued", false}, // Istio: /glue/x → /gluedx
		{"/a", "/b/", false},        // Istio: /a/x → /b//x
		{"/", "/x", false},          // Istio: /foo → /xfoo
	} {
		if got := prefixRewriteExact(c.prefix, c.rewrite); got != c.want {
			t.Errorf("prefixRewriteExact(%q, %q) = %v, want %v", c.prefix, c.rewrite, got, c.want)
		}
	}
}

// The ReplacePrefixMatch values kgateway v2.4 programs as Istio's rewrite:
// its prefix_rewrite keeps the separator after the path-separated prefix.
func TestKgatewayPrefixReplacement(t *testing.T) {
	for _, c := range []struct{ prefix, rewrite, want string }{
		{"/a/", "/b/", "/b"}, // kgateway: /a/x → /b + /x
		{"/a", "/b", "/b"},
		{"/jupyter/", "/", "/"}, // kgateway: regex ^/jupyter\/* → /
		{"/", "/b/", "/b/"},     // Envoy prefix "/": /x → /b/x
	} {
		if got := kgatewayPrefixReplacement(c.prefix, c.rewrite); got != c.want {
			t.Errorf("kgatewayPrefixReplacement(%q, %q) = %q, want %q", c.prefix, c.rewrite, got, c.want)
		}
	}
}

func TestServiceHost(t *testing.T) {
	for _, c := range []struct {
		host, name, ns string
		ok             bool
	}{
		{"dex.auth.svc.cluster.local", "dex", "auth", true},
		{"dex.auth.svc", "dex", "auth", true},
		{"reviews", "reviews", "vsns", true},
		{"dex.auth", "", "", false}, // Istio treats it as an FQDN, not a Service
		{"www.example.com", "", "", false},
		{"a.b.c.svc.cluster.local", "", "", false},
		{"dex.auth.svc.other.domain", "", "", false},
		{"*", "", "", false},
	} {
		name, ns, ok := serviceHost(c.host, "vsns", "cluster.local")
		if name != c.name || ns != c.ns || ok != c.ok {
			t.Errorf("serviceHost(%q) = %q, %q, %v; want %q, %q, %v", c.host, name, ns, ok, c.name, c.ns, c.ok)
		}
	}
}

func TestPrecedence(t *testing.T) {
	m := func(typ gwv1.PathMatchType, v string) gwv1.HTTPRouteMatch {
		return gwv1.HTTPRouteMatch{Path: pathMatch(typ, v)}
	}
	meth := gwv1.HTTPMethodPost
	withMethod := m(gwv1.PathMatchPathPrefix, "/a")
	withMethod.Method = &meth
	for _, c := range []struct {
		name string
		a, b gwv1.HTTPRouteMatch
		want int // sign
	}{
		{"exact beats prefix", m(gwv1.PathMatchExact, "/a"), m(gwv1.PathMatchPathPrefix, "/a/b/c"), 1},
		{"longer prefix wins", m(gwv1.PathMatchPathPrefix, "/a/b"), m(gwv1.PathMatchPathPrefix, "/a"), 1},
		{"kgateway: regex beats prefix", m(gwv1.PathMatchRegularExpression, "/a.*"), m(gwv1.PathMatchPathPrefix, "/a/b/c"), 1},
		{"exact beats regex", m(gwv1.PathMatchExact, "/a"), m(gwv1.PathMatchRegularExpression, "/a.*"), 1},
		{"method breaks a path tie", withMethod, m(gwv1.PathMatchPathPrefix, "/a"), 1},
		{"tie", m(gwv1.PathMatchPathPrefix, "/a"), m(gwv1.PathMatchPathPrefix, "/b"), 0},
	} {
		got := ComparePrecedence(c.a, c.b)
		if (got > 0) != (c.want > 0) || (got < 0) != (c.want < 0) {
			t.Errorf("%s: ComparePrecedence = %d, want sign %d", c.name, got, c.want)
		}
	}
	for _, c := range []struct {
		typ         gwv1.PathMatchType
		value, path string
		want        bool
	}{
		{gwv1.PathMatchPathPrefix, "/ml_metadata", "/ml_metadata/x", true},
		{gwv1.PathMatchPathPrefix, "/ml_metadata", "/ml_metadata.MetadataStoreService/Get", false},
		{gwv1.PathMatchRegularExpression, segmentContinuation("/ml_metadata"), "/ml_metadata.MetadataStoreService/Get", true},
		{gwv1.PathMatchRegularExpression, segmentContinuation("/ml_metadata"), "/ml_metadata/x", false},
		{gwv1.PathMatchPathPrefix, "/jupyter/", "/jupyter", true},
		{gwv1.PathMatchPathPrefix, "/", "/anything", true},
	} {
		if got := PathMatches(pathMatch(c.typ, c.value), c.path); got != c.want {
			t.Errorf("PathMatches(%s %s, %s) = %v, want %v", c.typ, c.value, c.path, got, c.want)
		}
	}
}

// Every row of the feature table, converted or reported, has a golden case
// whose input uses the field.
func TestFeatureTableHasGoldenCases(t *testing.T) {
	cases, _ := filepath.Glob("testdata/*")
	var inputs strings.Builder
	for _, c := range cases {
		for _, f := range golden.InputFiles(c) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			inputs.Write(b)
		}
	}
	text := inputs.String()
	tables := map[string]fieldTable{
		"http": httpRouteFields, "match": matchFields, "rewrite": rewriteFields, "redirect": redirectFields,
		"route": routeDestinationFields, "destination": destinationFields, "retries": retryFields,
		"corsPolicy": corsFields, "headers": headersFields, "fault": faultFields, "delay": delayFields,
		"abort": abortFields, "directResponse": directResponseFields,
	}
	for name, table := range tables {
		for field := range table {
			if !regexp.MustCompile(`[\s{,]` + regexp.QuoteMeta(field) + `:`).MatchString(text) {
				t.Errorf("%s.%s: no golden input uses it", name, field)
			}
		}
	}
}
