package monitoring_test

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kfgitops/kfgitops/functions/monitoring/monitoring"
	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/corpus"
	"github.com/kfgitops/kfgitops/kit/crdschema"
	"github.com/kfgitops/kfgitops/kit/krmio"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// The table is the corpus's endpoints: every endpoint either render
// declares is a target or listed as unscraped, every entry is declared by
// a render, and a target's `found` is exactly the signs the renders show.
func TestTargetsMatchCorpus(t *testing.T) {
	found := map[string]map[string]bool{}
	for _, file := range renders(t) {
		rl, err := krmio.Read(corpus.ResourceList(t, file))
		if err != nil {
			t.Fatal(err)
		}
		for key, signs := range discover(t, rl.Items) {
			if found[key] == nil {
				found[key] = map[string]bool{}
			}
			maps.Copy(found[key], signs)
		}
	}
	known := map[string]bool{}
	for _, tg := range monitoring.Targets.Targets {
		key := tg.Namespace + "/" + tg.Workload
		known[key] = true
		signs, ok := found[key]
		if !ok {
			t.Errorf("targets.yaml: %s (%s) is no metrics endpoint of either render: remove it", tg.Name, key)
			continue
		}
		if got := slices.Sorted(maps.Keys(signs)); !slices.Equal(got, slices.Sorted(slices.Values(tg.Found))) {
			t.Errorf("targets.yaml: %s: found %v, the renders show %v", tg.Name, tg.Found, got)
		}
	}
	for _, u := range monitoring.Targets.Unscraped {
		key := u.Namespace + "/" + u.Workload
		known[key] = true
		if _, ok := found[key]; !ok {
			t.Errorf("targets.yaml: unscraped %s is no metrics endpoint of either render: remove it", key)
		}
	}
	for _, key := range slices.Sorted(maps.Keys(found)) {
		if !known[key] {
			t.Errorf("%s declares a metrics endpoint (%v) that targets.yaml does not know: add a target or an unscraped entry", key, slices.Sorted(maps.Keys(found[key])))
		}
	}
}

// dayTwoConfig enables every group, as pipelines/kubeflow-day2 does.
const dayTwoConfig = `apiVersion: fn.kfgitops.dev/v1alpha1
kind: Monitoring
metadata:
  name: monitoring
enable: true
labels:
  release: prometheus
interval: 30s
rules: true
prometheus:
  namespace: monitoring
  serviceAccount: prometheus-kube-prometheus-prometheus
`

// On both renders: every emitted object validates against its CRD (the
// Prometheus Operator's at the pinned version, Istio's from the bundle),
// every monitor of a bundle target selects what it scrapes, and the only
// warning is the release's trainer Service, which leads to a port where
// nothing serves metrics.
func TestCorpusOutputValidates(t *testing.T) {
	v := validator(t)
	for _, file := range renders(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			in := corpus.WithFunctionConfig(corpus.ResourceList(t, file), dayTwoConfig)
			out, stderr, code := krmio.Process(monitoring.Function, in)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			rl, err := krmio.Read(out)
			if err != nil {
				t.Fatal(err)
			}
			var warnings []string
			for _, r := range rl.Results {
				if r.Severity != fn.Info {
					warnings = append(warnings, r.Message)
				}
			}
			wantWarnings := 0
			if filepath.Base(file) == corpus.Release {
				wantWarnings = 1 // kubeflow-trainer-controller-manager
			}
			if len(warnings) != wantWarnings {
				t.Errorf("%d warnings, want %d: %s", len(warnings), wantWarnings, strings.Join(warnings, "\n"))
			}
			n := 0
			for _, o := range rl.Items {
				if o.GetLabel(kit.ManagedByLabel) != monitoring.ManagedBy || strings.HasPrefix(o.GetAPIVersion(), kit.GroupRBAC) {
					continue
				}
				n++
				errs, known, err := v.ValidateYAML([]byte(o.String()))
				switch {
				case err != nil:
					t.Errorf("%s: %v", kit.Describe(o), err)
				case !known:
					t.Errorf("%s: no CRD for %s", kit.Describe(o), o.GetAPIVersion())
				}
				for _, e := range errs {
					t.Errorf("%s: %s", kit.Describe(o), e)
				}
			}
			if n < 25 {
				t.Errorf("only %d objects written", n)
			}
			checkSelections(t, rl.Items)
		})
	}
}

// checkSelections: a ServiceMonitor of a bundle Service selects it by its
// labels and namespace; a PodMonitor selects its workload's pods.
func checkSelections(t *testing.T, items fn.KubeObjects) {
	t.Helper()
	byName := map[string]*fn.KubeObject{}
	for _, o := range items {
		byName[o.GetKind()+"/"+o.GetNamespace()+"/"+o.GetName()] = o
	}
	for _, tg := range monitoring.Targets.Targets {
		m := byName[tg.Monitor()+"/"+tg.Namespace+"/"+tg.Name]
		if m == nil {
			continue // not in this render, or warned about
		}
		sel, _, _ := m.NestedStringMap("spec", "selector", "matchLabels")
		var labels map[string]string
		if tg.Service != "" {
			labels = byName["Service/"+tg.Namespace+"/"+tg.Service].GetLabels()
		} else {
			labels, _, _ = byName[tg.WorkloadKind()+"/"+tg.Namespace+"/"+tg.WorkloadName()].NestedStringMap("spec", "template", "metadata", "labels")
		}
		if !kit.MatchLabels(sel, labels) {
			t.Errorf("%s %s: selector %v does not select %v", tg.Monitor(), tg.Name, sel, labels)
		}
	}
}

// validator knows the Prometheus Operator's CRDs at the pinned version and
// the bundle's Istio CRDs.
func validator(t *testing.T) *crdschema.Validator {
	t.Helper()
	files, err := crdschema.PrometheusOperatorFiles()
	if err != nil {
		t.Fatal(err)
	}
	v := crdschema.New()
	if err := v.AddFiles(files...); err != nil {
		t.Fatal(err)
	}
	stream, err := os.ReadFile(filepath.Join(corpus.Require(t), corpus.Master))
	if err != nil {
		t.Fatal(err)
	}
	var istio [][]byte
	for _, doc := range bytes.Split(stream, []byte("\n---")) {
		if bytes.Contains(doc, []byte("\nkind: CustomResourceDefinition")) && bytes.Contains(doc, []byte("\n  group: security.istio.io")) {
			istio = append(istio, doc)
		}
	}
	if err := v.AddYAML(bytes.Join(istio, []byte("\n---"))); err != nil {
		t.Fatal(err)
	}
	return v
}

// Every alert's failure is an entry of docs/troubleshooting.md, and every
// entry has an alert or is listed as unobservable.
func TestRulesCoverTroubleshooting(t *testing.T) {
	root, err := corpus.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(filepath.Join(root, "docs", "troubleshooting.md"))
	if err != nil {
		t.Fatal(err)
	}
	var headings []string
	for _, line := range strings.Split(string(doc), "\n") {
		if h, ok := strings.CutPrefix(line, "## "); ok {
			headings = append(headings, h)
		}
	}
	covered := map[string]bool{}
	for _, a := range monitoring.Rules.Alerts {
		covered[a.Failure] = true
	}
	for _, u := range monitoring.Rules.Unobservable {
		covered[u.Failure] = true
	}
	for f := range covered {
		if !slices.Contains(headings, f) {
			t.Errorf("rules.yaml: %q is no heading of docs/troubleshooting.md", f)
		}
	}
	for _, h := range headings {
		if !covered[h] {
			t.Errorf("docs/troubleshooting.md: %q has no alert and is not listed as unobservable in rules.yaml", h)
		}
	}
}

// renders are the two full platform renders.
func renders(t *testing.T) []string {
	dir := corpus.Require(t)
	return []string{filepath.Join(dir, corpus.Master), filepath.Join(dir, corpus.Release)}
}

// docs/monitoring.md's scrape table is the tables' (UPDATE_GOLDEN=1
// rewrites it).
func TestDocsScrapeTable(t *testing.T) {
	root, err := corpus.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, "docs", "monitoring.md")
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- scrape-table: generated by TestDocsScrapeTable -->\n", "<!-- /scrape-table -->\n"
	i, j := bytes.Index(doc, []byte(begin)), bytes.Index(doc, []byte(end))
	if i < 0 || j < i {
		t.Fatalf("%s lacks the markers %q and %q", path, begin, end)
	}
	want := slices.Concat(doc[:i+len(begin)], []byte(scrapeTable()), doc[j:])
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(doc, want) {
		t.Errorf("%s: the scrape table is stale (UPDATE_GOLDEN=1 rewrites it)", path)
	}
}

func scrapeTable() string {
	var b strings.Builder
	b.WriteString("| target | group | namespace | scraped through | port | path | scheme | auth | found by |\n|---|---|---|---|---|---|---|---|---|\n")
	row := func(tg monitoring.Target, through, found string) {
		port := tg.Port
		if port == "" {
			port = fmt.Sprint(tg.PortNumber)
		}
		if port != fmt.Sprint(tg.ContainerPort) {
			port = fmt.Sprintf("%s (%d)", port, tg.ContainerPort)
		}
		auth := "none"
		if tg.Auth == "token" {
			auth = "service-account token"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | `%s` | %s | %s | %s |\n", tg.Name, tg.Group, tg.Namespace, through, port, tg.Path, tg.Scheme, auth, found)
	}
	for _, tg := range monitoring.Targets.Targets {
		through := "PodMonitor on " + tg.Workload
		if tg.Service != "" {
			through = "ServiceMonitor on Service " + tg.Service
		}
		row(tg, through, strings.Join(tg.Found, ", "))
	}
	for _, tg := range monitoring.PlatformTargets() {
		through := "PodMonitor on pods " + labelString(tg.Selector)
		if tg.Service != "" {
			through = "ServiceMonitor on Service " + tg.Service
		}
		if tg.AnyNamespace {
			through += ", every namespace"
		}
		row(tg, through, tg.Why)
	}
	b.WriteString("\nNot scraped:\n\n")
	for _, u := range monitoring.Targets.Unscraped {
		fmt.Fprintf(&b, "- %s/%s: %s.\n", u.Namespace, u.Workload, u.Reason)
	}
	return b.String()
}

func labelString(m map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, "`"+k+": "+m[k]+"`")
	}
	return strings.Join(parts, ", ")
}
