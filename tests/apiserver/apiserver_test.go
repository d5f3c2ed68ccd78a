// Package apiserver applies the pipeline's output to a real kube-apiserver
// (with etcd, both on loopback, no controllers, so no pod ever runs) and
// fails on every object the server rejects. It runs only under
// `make test-apiserver` (KFGITOPS_APISERVER=1); see docs/apiserver-suite.md.
package apiserver

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kfgitops/kfgitops/kit/argocd"
	"github.com/kfgitops/kfgitops/kit/corpus"
	"github.com/kfgitops/kfgitops/tests/harness"
	"sigs.k8s.io/yaml"
)

func TestAPIServer(t *testing.T) {
	if os.Getenv("KFGITOPS_APISERVER") == "" {
		t.Skip("the real API server suite runs under `make test-apiserver` (KFGITOPS_APISERVER=1)")
	}
	root, err := harness.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	bin := binaries(t, root)
	if renders := os.Getenv("KFGITOPS_APISERVER_RENDERS"); renders != "" {
		for _, file := range strings.Split(renders, ",") {
			t.Run(filepath.Base(file), func(t *testing.T) {
				out, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				c, objs := admit(t, root, bin, out)
				runtimeSync(t, root, c, objs)
			})
		}
		return
	}
	corpusDir := corpus.Require(t)
	for _, pc := range pipelineCases {
		t.Run(pc.name, func(t *testing.T) {
			out := renderPackage(t, root, pc.pkg, filepath.Join(corpusDir, pc.render))
			c, objs := admit(t, root, bin, out)
			if pc.runtimeSync {
				runtimeSync(t, root, c, objs)
			}
			kserveSample(t, root, c)
		})
	}
	t.Run("declared-profiles", func(t *testing.T) { declaredProfiles(t, root, bin) })
	t.Run("knative-removed", func(t *testing.T) { knativeRemoved(t, root, bin) })
}

// pipelineCases are the pipeline packages the suite renders with the real
// kustomize over a corpus render and applies to a fresh cluster.
var pipelineCases = []struct {
	name, pkg, render string
	// runtimeSync: the runtime-sync controller then runs against the
	// cluster (runtimeSync).
	runtimeSync bool
}{
	{name: corpus.Master, pkg: "pipelines/kubeflow", render: corpus.Master, runtimeSync: true},
	{name: corpus.Release, pkg: "pipelines/kubeflow", render: corpus.Release, runtimeSync: true},
	// The day-2 functions enabled before the chain (pipelines/kubeflow-day2).
	{name: "day2", pkg: "pipelines/kubeflow-day2", render: corpus.Master},
}

// renderPackage runs kustomize build over a copy of the package (relative to
// root) whose resource is the render, every function as its exec binary.
func renderPackage(t *testing.T, root, pkg, render string) []byte {
	t.Helper()
	dir := t.TempDir()
	if err := harness.PackageCopy(root, filepath.FromSlash(pkg), dir, render); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	out, stderr, err := harness.Build(root, dir, harness.ExecFlags...)
	if err != nil {
		t.Fatalf("kustomize build over %s: %v\n%s", pkg, err, stderr)
	}
	t.Logf("%s: %d bytes in %s", pkg, len(out), time.Since(start).Round(time.Millisecond))
	return out
}

// admit applies a rendered stream to a fresh cluster and fails on every
// object the server rejects. It returns the cluster, still running, and the
// objects.
func admit(t testing.TB, root, bin string, out []byte) (*cluster, []object) {
	t.Helper()
	objs, err := parse(out)
	if err != nil {
		t.Fatal(err)
	}
	c := startPlatform(t, root, bin, objs)
	applyAll(t, c, objs)
	return c, objs
}

// startPlatform starts a fresh cluster as Argo CD finds it before it syncs
// the bundle: the platform's namespaces and the CRDs of the kinds the bundle
// uses without defining.
func startPlatform(t testing.TB, root, bin string, objs []object) *cluster {
	t.Helper()
	prereqs, err := prerequisiteCRDs(root, objs)
	if err != nil {
		t.Fatal(err)
	}
	c := startCluster(t, root, bin)
	for _, ns := range platformNamespaces {
		if _, stderr, err := c.kubectl("create", "namespace", ns); err != nil {
			t.Fatalf("creating namespace %s: %v\n%s", ns, err, stderr)
		}
	}
	c.apply(t, "prerequisite CRDs (installed with the platform, not in the bundle)", prereqs)
	if len(prereqs) > 0 {
		c.waitEstablished(t, "prerequisite CRDs")
	}
	return c
}

// binaries builds (once, then cached) kube-apiserver, kubectl and etcd.
func binaries(t testing.TB, root string) string {
	start := time.Now()
	cmd := exec.Command(filepath.Join(root, "tests", "apiserver", "scripts", "binaries.sh"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("building the API server binaries: %v", err)
	}
	dir := strings.TrimSpace(out.String())
	t.Logf("binaries in %s (%s)", dir, time.Since(start).Round(time.Second))
	return dir
}

// apply server-side applies the documents as one stream and returns the
// number of objects the server accepted.
func (c *cluster) apply(t testing.TB, what string, docs []object) int {
	t.Helper()
	if len(docs) == 0 {
		return 0
	}
	var stream bytes.Buffer
	for _, d := range docs {
		stream.WriteString("---\n")
		stream.Write(d.raw)
		stream.WriteString("\n")
	}
	path := filepath.Join(c.work, "apply.yaml")
	if err := os.WriteFile(path, stream.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, err := c.kubectl("apply", "--server-side", "--field-manager=kfgitops-ci", "--force-conflicts", "-f", path)
	applied := strings.Count(stdout, "serverside-applied")
	if err != nil || applied != len(docs) {
		t.Errorf("%s: the server admitted %d of %d objects (%v):\n%s", what, applied, len(docs), err, rejections(stderr))
	}
	return applied
}

func (c *cluster) waitEstablished(t testing.TB, what string) {
	t.Helper()
	if _, stderr, err := c.kubectl("wait", "--for=condition=Established", "crd", "--all", "--timeout=120s"); err != nil {
		t.Errorf("%s: CRDs not Established: %v\n%s", what, err, stderr)
	}
}

// rejections keeps kubectl's error lines, one per rejected object.
func rejections(stderr string) string {
	var out []string
	for _, line := range strings.Split(stderr, "\n") {
		if strings.TrimSpace(line) != "" && !strings.HasPrefix(line, "Warning:") {
			out = append(out, "  "+line)
		}
	}
	return strings.Join(out, "\n")
}

// applyAll applies the objects wave by wave, as Argo CD syncs them, then the
// admission webhook configurations and APIServices, after everything: no
// pod runs here, so their backends never answer and a webhook registered
// earlier would reject (fail closed) every object it intercepts.
func applyAll(t testing.TB, c *cluster, objs []object) {
	start := time.Now()
	total, waves, deferred := applyWaves(t, c, "", objs)
	sortByKind(deferred)
	total += c.apply(t, "admission webhooks and APIServices, after everything", deferred)
	t.Logf("applied %d of %d objects in %d waves in %s", total, len(objs), waves, time.Since(start).Round(time.Millisecond))
}

// applyWaves applies the objects wave by wave: in each wave, Namespaces and
// CRDs first (then waits until the CRDs are Established), then the rest in
// Argo CD's kind order. It returns how many the server admitted, the number
// of waves, and the webhook configurations and APIServices it left out.
func applyWaves(t testing.TB, c *cluster, stage string, objs []object) (admitted, waves int, deferred []object) {
	byWave := map[int][]object{}
	for _, o := range objs {
		if o.deferred() {
			deferred = append(deferred, o)
			continue
		}
		byWave[o.wave] = append(byWave[o.wave], o)
	}
	order := make([]int, 0, len(byWave))
	for w := range byWave {
		order = append(order, w)
	}
	sort.Ints(order)
	for _, w := range order {
		var first, rest []object
		for _, o := range byWave[w] {
			if o.kind == "Namespace" || o.kind == "CustomResourceDefinition" {
				first = append(first, o)
			} else {
				rest = append(rest, o)
			}
		}
		sortByKind(first)
		sortByKind(rest)
		label := strings.TrimSpace(fmt.Sprintf("%s wave %d", stage, w))
		admitted += c.apply(t, label+": Namespaces and CRDs", first)
		if hasKind(first, "CustomResourceDefinition") {
			c.waitEstablished(t, label)
		}
		admitted += c.apply(t, label, rest)
	}
	return admitted, len(order), deferred
}

// object is one document of the pipeline's output.
type object struct {
	raw              []byte
	apiVersion, kind string
	name             string
	wave             int
	// crdGroupKind is "group/Kind" of the kind a CRD defines.
	crdGroupKind string
	// namespace, path (the file it is written to in Git) and declared (it
	// carries the profiles function's marker) are set by gitFiles.
	namespace, path string
	declared        bool
}

func (o object) deferred() bool {
	switch o.kind {
	case "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration":
		return strings.HasPrefix(o.apiVersion, "admissionregistration.k8s.io/")
	case "APIService":
		return strings.HasPrefix(o.apiVersion, "apiregistration.k8s.io/")
	}
	return false
}

func parse(stream []byte) ([]object, error) {
	var out []object
	for _, doc := range bytes.Split(stream, []byte("\n---\n")) {
		doc = bytes.TrimPrefix(doc, []byte("---\n"))
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Metadata   struct {
				Name        string            `json:"name"`
				Annotations map[string]string `json:"annotations"`
			} `json:"metadata"`
			Spec struct {
				Group string `json:"group"`
				Names struct {
					Kind string `json:"kind"`
				} `json:"names"`
			} `json:"spec"`
		}
		if err := yaml.Unmarshal(doc, &head); err != nil {
			return nil, err
		}
		o := object{raw: doc, apiVersion: head.APIVersion, kind: head.Kind, name: head.Metadata.Name}
		if head.Kind == "CustomResourceDefinition" {
			o.crdGroupKind = head.Spec.Group + "/" + head.Spec.Names.Kind
		}
		if w, ok := head.Metadata.Annotations["argocd.argoproj.io/sync-wave"]; ok {
			n, err := strconv.Atoi(strings.TrimSpace(w))
			if err != nil {
				return nil, fmt.Errorf("%s %s: sync wave %q: %v", head.Kind, head.Metadata.Name, w, err)
			}
			o.wave = n
		}
		out = append(out, o)
	}
	return out, nil
}

// sortByKind orders a wave as Argo CD applies it: by argocd.KindOrder,
// then other kinds by name.
func sortByKind(objs []object) {
	sort.SliceStable(objs, func(i, j int) bool {
		ri, rj := argocd.KindRank(objs[i].kind), argocd.KindRank(objs[j].kind)
		if ri != rj {
			return ri < rj
		}
		if objs[i].kind != objs[j].kind {
			return objs[i].kind < objs[j].kind
		}
		return objs[i].name < objs[j].name
	})
}

func hasKind(objs []object, kind string) bool {
	for _, o := range objs {
		if o.kind == kind {
			return true
		}
	}
	return false
}

// freePort returns a loopback port nobody listens on now.
func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// freePortPair returns a port p with p+1 also free (etcd's client and peer
// ports).
func freePortPair(t testing.TB) int {
	for range 20 {
		p := freePort(t)
		if l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p+1)); err == nil {
			l.Close()
			return p
		}
	}
	t.Fatal("no free pair of loopback ports")
	return 0
}
