package chain_test

// argocd-apps after the chain's other steps on the real Kubeflow renders:
// here, beside chain.Steps, so that argocd-apps' own module needs none of
// its siblings.

import (
	"bytes"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kfgitops/kfgitops/functions/argocd-apps/argocdapps"
	"github.com/kfgitops/kfgitops/functions/kubeflow-gitops/chain"
	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/argocd"
	"github.com/kfgitops/kfgitops/kit/corpus"
	"github.com/kfgitops/kfgitops/kit/crdschema"
	"github.com/kfgitops/kfgitops/kit/golden"
	"github.com/kfgitops/kfgitops/kit/krmio"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/kustomize/kyaml/kio/kioutil"
)

// stepsBeforeArgoCDApps are the chain's steps that run before argocd-apps,
// in pipeline order.
func stepsBeforeArgoCDApps(t *testing.T) []kit.Function {
	t.Helper()
	i := slices.IndexFunc(chain.Steps, func(s kit.Function) bool { return s.Name() == argocdapps.Function.Name() })
	if i < 0 {
		t.Fatal("argocd-apps is not one of chain.Steps")
	}
	return chain.Steps[:i]
}

// pipelineInput runs the chain's steps before argocd-apps over a corpus file
// in process, as the chain does.
func pipelineInput(t *testing.T, file string) []byte {
	t.Helper()
	if b, ok := pipelineInputs[file]; ok {
		return b
	}
	rl, err := krmio.Read(corpus.ResourceList(t, file))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range stepsBeforeArgoCDApps(t) {
		if !f.Process(rl) {
			t.Fatalf("%s failed: %v", f.Name(), rl.Results)
		}
	}
	rl.Results = nil
	var b bytes.Buffer
	if err := krmio.Write(&b, rl); err != nil {
		t.Fatal(err)
	}
	pipelineInputs[file] = b.Bytes()
	return b.Bytes()
}

// pipelineInputs caches pipelineInput per corpus file across tests.
var pipelineInputs = map[string][]byte{}

// On the real platform renders after the rest of the pipeline: every object
// lands in exactly one group and is otherwise unchanged, the group
// Applications come in stage order with automated sync and retry, the CRD
// stage uses server-side apply, runtime-changed fields are ignored where the
// objects are, every Application validates against Argo CD's CRD, and the
// tree written from the path annotations is what the Applications sync.
func TestCorpus(t *testing.T) {
	for _, file := range []string{corpus.Master, corpus.Release} {
		t.Run(file, func(t *testing.T) {
			in := pipelineInput(t, file)
			out, stderr, code := krmio.Process(argocdapps.Function, in)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if again, _, _ := krmio.Process(argocdapps.Function, in); !bytes.Equal(out, again) {
				t.Fatal("output is not byte-deterministic")
			}
			golden.AssertIdempotent(t, argocdapps.Function, out)

			outRL := parse(t, out)
			t.Log(outRL.Results[len(outRL.Results)-1].Message)
			inItems, outItems := parse(t, in).Items, outRL.Items
			content, apps := splitOutput(outItems)
			checkContentUnchanged(t, inItems, content)
			groupApps, root := checkApplications(t, apps)
			checkSyncPolicies(t, groupApps, root, content)
			checkTree(t, outItems, groupApps, root)
			validateApplications(t, apps)
		})
	}
}

// TestCorpusEmitModes checks what kustomize users get, one stream per build:
// the streams of emit group:<name> for every group, applications and
// bootstrap add up to emit all, object for object and byte for byte. The
// modes run in process over copies of one parsed input (the I/O is the same
// in every mode, and TestCorpus covers it).
func TestCorpusEmitModes(t *testing.T) {
	in := parse(t, pipelineInput(t, corpus.Master))
	all := emit(t, in, argocdapps.EmitAll)
	want := map[string]string{} // object id -> emit mode that must hold it
	encoded := map[string]string{}
	for _, o := range all {
		mode := argocdapps.EmitGroupPrefix + strings.Split(o.PathAnnotation(), "/")[0]
		switch {
		case strings.HasPrefix(o.PathAnnotation(), argocdapps.AppsDir+"/"):
			mode = argocdapps.EmitApplications
		case strings.HasPrefix(o.PathAnnotation(), argocdapps.BootstrapDir+"/"):
			mode = argocdapps.EmitBootstrap
		}
		want[id(o)] = mode
		encoded[id(o)] = o.String()
	}
	modes := map[string]bool{}
	for _, m := range want {
		modes[m] = true
	}
	if len(modes) < 6 {
		t.Errorf("only %d emit modes hold objects: %v", len(modes), modes)
	}
	seen := map[string]bool{}
	for mode := range modes {
		for _, o := range emit(t, in, mode) {
			if want[id(o)] != mode {
				t.Errorf("emit %s: holds %s, which belongs to emit %s", mode, id(o), want[id(o)])
			}
			if o.String() != encoded[id(o)] {
				t.Errorf("emit %s: %s differs from emit all", mode, id(o))
			}
			seen[id(o)] = true
		}
	}
	for i, m := range want {
		if !seen[i] {
			t.Errorf("%s (emit %s) is in no stream", i, m)
		}
	}
}

// emit runs the function with the given emit mode over a copy of in and
// returns the items that are not local config.
func emit(t *testing.T, in *fn.ResourceList, mode string) fn.KubeObjects {
	t.Helper()
	rl := &fn.ResourceList{}
	for _, o := range in.Items {
		rl.Items = append(rl.Items, o.Copy())
	}
	if !argocdapps.Function.ProcessJSON(rl, []byte(`{"emit":"`+mode+`"}`)) {
		t.Fatalf("emit %s: %v", mode, rl.Results)
	}
	return nonLocal(rl.Items)
}

func parse(t *testing.T, b []byte) *fn.ResourceList {
	t.Helper()
	rl, err := krmio.Read(b)
	if err != nil {
		t.Fatal(err)
	}
	return rl
}

func id(o *fn.KubeObject) string {
	return kit.GroupKindOf(o).String() + " " + o.GetNamespace() + "/" + o.GetName()
}

func isGenerated(o *fn.KubeObject) bool {
	return o.GetAnnotations()[argocdapps.GeneratedByAnnotation] == "argocd-apps"
}

func splitOutput(items fn.KubeObjects) (content, generated fn.KubeObjects) {
	for _, o := range items {
		switch {
		case o.IsLocalConfig():
		case isGenerated(o):
			generated = append(generated, o)
		default:
			content = append(content, o)
		}
	}
	return content, generated
}

// checkContentUnchanged: the same objects come out, each with one path
// (both annotations agree) and nothing else changed. Objects earlier
// functions created come with a path of their own, which moves.
func checkContentUnchanged(t *testing.T, in, content fn.KubeObjects) {
	t.Helper()
	before := map[string]string{}
	for _, o := range in {
		before[id(o)] = withoutPath(o)
	}
	if len(content) != len(before) {
		t.Errorf("%d objects in, %d out", len(before), len(content))
	}
	for _, o := range content {
		p := o.PathAnnotation()
		if legacy := o.GetAnnotations()[kioutil.LegacyPathAnnotation]; p == "" || legacy != p { //nolint:staticcheck // legacy readers
			t.Errorf("%s: path annotations %q and %q", id(o), p, legacy)
		}
		if b, ok := before[id(o)]; !ok {
			t.Errorf("%s: appeared in the output", id(o))
		} else if withoutPath(o) != b {
			t.Errorf("%s: changed beyond its path annotations", id(o))
		}
	}
}

// withoutPath is the object as YAML without the annotations that say where
// kpt writes it.
func withoutPath(o *fn.KubeObject) string {
	c := o.Copy()
	for _, a := range []string{kioutil.PathAnnotation, kioutil.LegacyPathAnnotation, kioutil.IndexAnnotation, kioutil.LegacyIndexAnnotation} { //nolint:staticcheck // legacy readers
		_ = c.RemoveAnnotation(a)
	}
	_ = c.RemoveAnnotationsIfEmpty()
	return c.String()
}

// application is what the tests read from an Application.
type application struct {
	obj               *fn.KubeObject
	wave              string
	path              string
	prune, selfHeal   bool
	syncOptions       []string
	ignoreDifferences []*fn.SubObject
}

func readApplication(t *testing.T, o *fn.KubeObject) application {
	t.Helper()
	a := application{obj: o, wave: o.GetAnnotations()[argocd.SyncWaveAnnotation]}
	a.path, _, _ = o.NestedString("spec", "source", "path")
	var found bool
	a.prune, _, _ = o.NestedBool("spec", "syncPolicy", "automated", "prune")
	a.selfHeal, found, _ = o.NestedBool("spec", "syncPolicy", "automated", "selfHeal")
	if !found {
		t.Errorf("%s: no syncPolicy.automated", id(o))
	}
	a.syncOptions, _, _ = o.NestedStringSlice("spec", "syncPolicy", "syncOptions")
	a.ignoreDifferences, _, _ = o.NestedSlice("spec", "ignoreDifferences")
	for _, f := range []string{"duration", "maxDuration"} {
		if v, _, _ := o.NestedString("spec", "syncPolicy", "retry", "backoff", f); v == "" {
			t.Errorf("%s: no syncPolicy.retry.backoff.%s", id(o), f)
		}
	}
	if factor, _, _ := o.NestedInt64("spec", "syncPolicy", "retry", "backoff", "factor"); factor < 2 {
		t.Errorf("%s: retry backoff factor %d", id(o), factor)
	}
	if limit, found, _ := o.NestedInt64("spec", "syncPolicy", "retry", "limit"); !found || limit == 0 {
		t.Errorf("%s: retry limit %d", id(o), limit)
	}
	return a
}

// checkApplications: one root, and group Applications for at least the four
// stages, in increasing waves.
func checkApplications(t *testing.T, generated fn.KubeObjects) (groupApps map[string]application, root application) {
	t.Helper()
	groupApps = map[string]application{}
	roots := 0
	for _, o := range generated {
		if !argocd.ApplicationKind.Is(o) {
			continue
		}
		a := readApplication(t, o)
		if a.path == argocdapps.AppsDir {
			root = a
			roots++
			continue
		}
		groupApps[a.path] = a
	}
	if roots != 1 {
		t.Fatalf("%d root Applications", roots)
	}
	if len(groupApps) < 4 {
		t.Errorf("%d group Applications, want at least 4", len(groupApps))
	}
	order := []string{argocdapps.GroupCRDs, argocdapps.GroupCertManager, argocdapps.GroupInfrastructure, argocdapps.GroupKubeflow}
	prev := ""
	for _, g := range order {
		a, ok := groupApps[g]
		if !ok {
			t.Errorf("no Application for group %s", g)
			continue
		}
		if prev != "" && !(atoi(t, groupApps[prev].wave) < atoi(t, a.wave)) {
			t.Errorf("wave of %s (%s) is not after %s (%s)", g, a.wave, prev, groupApps[prev].wave)
		}
		prev = g
	}
	return groupApps, root
}

// checkSyncPolicies computes from the objects of each group what its
// Application must say.
func checkSyncPolicies(t *testing.T, groupApps map[string]application, root application, content fn.KubeObjects) {
	t.Helper()
	byGroup := map[string]fn.KubeObjects{}
	for _, o := range content {
		g := strings.Split(o.PathAnnotation(), "/")[0]
		byGroup[g] = append(byGroup[g], o)
	}
	for g, objs := range byGroup {
		a, ok := groupApps[g]
		if !ok {
			t.Errorf("objects in %s/ but no Application syncs it", g)
			continue
		}
		kinds := map[kit.GroupKind]bool{}
		for _, o := range objs {
			kinds[kit.GroupKindOf(o)] = true
		}
		if kinds[kit.CustomResourceDefinitionKind] && !contains(a.syncOptions, "ServerSideApply=true") {
			t.Errorf("group %s holds CRDs but has no ServerSideApply=true: %v", g, a.syncOptions)
		}
		if (kinds[kit.CustomResourceDefinitionKind] || kinds[kit.NamespaceKind]) && a.prune {
			t.Errorf("group %s holds CRDs or Namespaces but prunes", g)
		}
		for _, want := range []string{"RespectIgnoreDifferences=true", "CreateNamespace=false"} {
			if !contains(a.syncOptions, want) {
				t.Errorf("group %s: no %s", g, want)
			}
		}
		for _, gk := range []kit.GroupKind{kit.MutatingWebhookConfigurationKind, kit.ValidatingWebhookConfigurationKind} {
			if kinds[gk] && !ignores(a, gk, "", ".webhooks[]?.clientConfig.caBundle") {
				t.Errorf("group %s holds %s but does not ignore its caBundle", g, gk)
			}
		}
		for _, o := range objs {
			if kit.ValidatingWebhookConfigurationKind.Is(o) && o.GetLabel("app") == "istiod" && !ignores(a, kit.ValidatingWebhookConfigurationKind, o.GetName(), ".webhooks[]?.failurePolicy") {
				t.Errorf("group %s: istiod's %s failurePolicy is not ignored", g, o.GetName())
			}
		}
	}
	if contains(root.syncOptions, "ServerSideApply=true") {
		t.Error("the root Application uses ServerSideApply, under which sync waves were ignored (argo-cd#13320)")
	}
	total := 0
	for _, a := range groupApps {
		total += len(a.ignoreDifferences)
	}
	if total == 0 {
		t.Error("no ignoreDifferences at all")
	}
}

func ignores(a application, gk kit.GroupKind, name, jq string) bool {
	for _, d := range a.ignoreDifferences {
		group, _, _ := d.NestedString("group")
		kind, _, _ := d.NestedString("kind")
		n, _, _ := d.NestedString("name")
		exprs, _, _ := d.NestedStringSlice("jqPathExpressions")
		if group == gk.Group && kind == gk.Kind && n == name && contains(exprs, jq) {
			return true
		}
	}
	return false
}

// checkTree writes the output as kpt would, one file per path annotation,
// and checks that each Application's source.path is a directory holding
// exactly its group's objects, the root's holding the group Applications.
func checkTree(t *testing.T, items fn.KubeObjects, groupApps map[string]application, root application) {
	t.Helper()
	dir := t.TempDir()
	files, err := fn.WriteKubeObjectsToPackage(nonLocal(items))
	if err != nil {
		t.Fatal(err)
	}
	for p, text := range files {
		if strings.Count(text, "\n---\n") > 0 {
			t.Errorf("%s: holds more than one object", p)
		}
		if err := os.MkdirAll(filepath.Join(dir, path.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	synced := map[string]bool{argocdapps.BootstrapDir: true} // applied by hand
	for p, a := range groupApps {
		synced[p] = true
		checkDir(t, dir, a.path, func(o *fn.KubeObject) bool { return !isGenerated(o) })
	}
	synced[root.path] = true
	checkDir(t, dir, root.path, func(o *fn.KubeObject) bool {
		a, ok := groupApps[pathOf(o)]
		return argocd.ApplicationKind.Is(o) && ok && a.obj.GetName() == o.GetName()
	})
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !synced[e.Name()] {
			t.Errorf("directory %s/ is synced by no Application", e.Name())
		}
	}
}

func pathOf(app *fn.KubeObject) string {
	p, _, _ := app.NestedString("spec", "source", "path")
	return p
}

// checkDir reads every file of a synced directory back and checks each is
// one object that belongs there.
func checkDir(t *testing.T, root, dir string, belongs func(*fn.KubeObject) bool) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root, dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Errorf("%s: no files (%v)", dir, err)
		return
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		objs, err := fn.ReadKubeObjectsFromFile(f, string(b))
		if err != nil || len(objs) != 1 {
			t.Errorf("%s: %d objects (%v)", f, len(objs), err)
			continue
		}
		if !belongs(objs[0]) {
			t.Errorf("%s: %s does not belong in %s/", f, id(objs[0]), dir)
		}
	}
}

func nonLocal(items fn.KubeObjects) fn.KubeObjects {
	var out fn.KubeObjects
	for _, o := range items {
		if !o.IsLocalConfig() {
			out = append(out, o)
		}
	}
	return out
}

// validateApplications validates every Application against Argo CD's
// Application CRD.
func validateApplications(t *testing.T, generated fn.KubeObjects) {
	t.Helper()
	v := argoCDValidator(t)
	for _, o := range generated {
		if !argocd.ApplicationKind.Is(o) {
			continue
		}
		errs, known, err := v.ValidateYAML([]byte(o.String()))
		if err != nil || !known {
			t.Fatalf("%s: known %v, %v", id(o), known, err)
		}
		for _, e := range errs {
			t.Errorf("%s: %s", id(o), e)
		}
	}
}

const argoCDApplicationCRD = "argoproj.io_applications.yaml"

func argoCDValidator(t *testing.T) *crdschema.Validator {
	t.Helper()
	crd := filepath.Join(corpus.Require(t), "..", "crds", argoCDApplicationCRD)
	if _, err := os.Stat(crd); err != nil {
		corpus.Missing(t, "%s not found: skipping the CRD validation", crd)
	}
	v := crdschema.New()
	if err := v.AddFiles(crd); err != nil {
		t.Fatal(err)
	}
	return v
}

func contains(list []string, s string) bool { return slices.Contains(list, s) }

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("wave %q: %v", s, err)
	}
	return n
}

// Every Application of every golden case validates against Argo CD's
// Application CRD.
func TestGoldenApplicationsValidate(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "argocd-apps", "argocdapps", "testdata", "*", "_expected.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden outputs: %v", err)
	}
	apps := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		_, generated := splitOutput(parse(t, b).Items)
		validateApplications(t, generated)
		apps += len(generated)
	}
	if apps == 0 {
		t.Error("no generated objects in the golden outputs")
	}
}
