package apiserver

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kfgitops/kfgitops/functions/kubeflow-gitops/chain"
	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/corpus"
	"github.com/kfgitops/kfgitops/kit/krmio"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/yaml"
)

// declaredProfilesConfig is the kubeflow-gitops config declaring users,
// groups and profiles over the master render, shared with tests/krm's
// TestDeclaredProfilesOnCorpus and TestDeclaredProfileWalk.
var declaredProfilesConfig = filepath.Join("tests", "krm", "testdata", "declared-profiles.yaml")

// declaredProfiles: the in-process chain (kubeflow-gitops) over the master
// render with profiles declared, synced Application by Application as
// argocd-apps lays the output out; every object of the profiles stage is
// admitted, and runtime-sync, acting on the declared profiles' namespaces
// as the profile controller leaves them, writes nothing over what Git holds.
func declaredProfiles(t *testing.T, root, bin string) {
	cfg, err := os.ReadFile(filepath.Join(root, declaredProfilesConfig))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	out, stderr, code := krmio.Process(chain.Function, corpus.WithFunctionConfig(corpus.ResourceList(t, corpus.Master), string(cfg)))
	if code != 0 {
		t.Fatalf("kubeflow-gitops: exit %d\n%s", code, stderr)
	}
	objs, err := gitFiles(out)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("chain: %d objects in %s", len(objs), time.Since(start).Round(time.Millisecond))
	c := startPlatform(t, root, bin, objs)
	syncApplications(t, c, objs)
	checkDeclaredAdmitted(t, c, objs)
	t.Run("runtime-sync", func(t *testing.T) { declaredUntouched(t, root, c, objs) })
}

// gitFiles turns the chain's ResourceList into the objects of the files it
// writes to Git: the path annotations become the file's place (object.path)
// and are not part of what Argo CD applies.
func gitFiles(out []byte) ([]object, error) {
	rl, err := fn.ParseResourceList(out)
	if err != nil {
		return nil, err
	}
	var objs []object
	for _, item := range rl.Items {
		file := item.PathAnnotation()
		for k := range item.GetAnnotations() {
			if strings.HasPrefix(k, "config.kubernetes.io/") || strings.HasPrefix(k, "internal.config.kubernetes.io/") {
				if _, err := item.RemoveNestedField("metadata", "annotations", k); err != nil {
					return nil, err
				}
			}
		}
		parsed, err := parse([]byte(item.String()))
		if err != nil || len(parsed) != 1 {
			return nil, fmt.Errorf("%s %s/%s: %d documents (%v)", item.GetKind(), item.GetNamespace(), item.GetName(), len(parsed), err)
		}
		o := parsed[0]
		o.path, o.namespace, o.declared = file, item.GetNamespace(), item.GetLabel(kit.ManagedByLabel) == kit.ManagedByProfiles
		objs = append(objs, o)
	}
	return objs, nil
}

// application is an Argo CD Application of the output: the directory it
// syncs and its wave in the Application that syncs it.
type application struct {
	name, path string
	wave       int
}

// syncApplications applies the output as Argo CD syncs argocd-apps' layout:
// the root Application (bootstrap/), then the Applications of the
// directory it syncs (apps/), then each of those Applications' directory in
// the order of their waves, each wave by wave. Admission webhooks and
// APIServices go last (see applyAll). Every object must be in the
// directory of exactly one Application.
func syncApplications(t *testing.T, c *cluster, objs []object) {
	start := time.Now()
	byDir := map[string][]object{}
	var apps []application
	for _, o := range objs {
		dir := path.Dir(o.path)
		byDir[dir] = append(byDir[dir], o)
		if o.kind == "Application" && strings.HasPrefix(o.apiVersion, "argoproj.io/") {
			var app struct {
				Spec struct {
					Source struct{ Path string } `json:"source"`
				} `json:"spec"`
			}
			if err := yaml.Unmarshal(o.raw, &app); err != nil {
				t.Fatal(err)
			}
			apps = append(apps, application{name: o.name, path: app.Spec.Source.Path, wave: o.wave})
		}
	}
	sort.SliceStable(apps, func(i, j int) bool { return apps[i].wave < apps[j].wave })
	stages := []application{{name: "root", path: "bootstrap"}}
	stages = append(stages, apps...)
	total, deferred := 0, []object(nil)
	synced := map[string]bool{}
	for _, s := range stages {
		if synced[s.path] {
			t.Errorf("Application %s: directory %s is synced by another Application too", s.name, s.path)
			continue
		}
		synced[s.path] = true
		n, _, d := applyWaves(t, c, "Application "+s.name+" ("+s.path+"/)", byDir[s.path])
		total += n
		deferred = append(deferred, d...)
	}
	for dir, in := range byDir {
		if !synced[dir] {
			t.Errorf("%d objects in %s/ (%s %s first) are synced by no Application", len(in), dir, in[0].kind, in[0].name)
		}
	}
	sortByKind(deferred)
	total += c.apply(t, "admission webhooks and APIServices, after everything", deferred)
	t.Logf("applied %d of %d objects through %d Applications in %s", total, len(objs), len(stages), time.Since(start).Round(time.Millisecond))
}

// declaredKinds are the resources the profiles function and ambient-mesh
// write for a declared profile, as kubectl names them.
var declaredKinds = []string{"namespaces", "profiles.kubeflow.org", "rolebindings", "authorizationpolicies.security.istio.io", "gateways.gateway.networking.k8s.io"}

// checkDeclaredAdmitted: every object of a declared profile is in the
// profiles Application's directory and is on the server as Git has it
// (the marker; kfam's annotations on the members' RoleBindings and
// policies; the members' policies on the waypoint).
func checkDeclaredAdmitted(t *testing.T, c *cluster, objs []object) {
	t.Helper()
	want := map[string]object{}
	for _, o := range objs {
		if !o.declared {
			continue
		}
		if path.Dir(o.path) != "profiles" {
			t.Errorf("%s %s/%s: in %s, not in the profiles Application's directory", o.kind, o.namespace, o.name, o.path)
		}
		want[o.kind+" "+o.namespace+"/"+o.name] = o
	}
	admitted, onWaypoint := 0, 0
	for _, resource := range declaredKinds {
		for _, o := range c.list(t, resource, "", "-l", kit.ManagedByLabel+"="+kit.ManagedByProfiles) {
			key := o.Kind + " " + o.Metadata.Namespace + "/" + o.Metadata.Name
			if _, ok := want[key]; !ok {
				t.Errorf("%s: on the server with the profiles marker but not in the output", key)
				continue
			}
			admitted++
			delete(want, key)
			member := o.Kind == "RoleBinding" || o.Kind == "AuthorizationPolicy" && !strings.HasSuffix(o.Metadata.Name, "-ztunnel")
			if member && (o.Metadata.Annotations["user"] == "" || o.Metadata.Annotations["role"] == "") {
				t.Errorf("%s: without kfam's user and role annotations: %v", key, o.Metadata.Annotations)
			}
			if o.Kind == "AuthorizationPolicy" && member {
				if !strings.Contains(o.spec(), `"targetRefs":[{"group":"gateway.networking.k8s.io","kind":"Gateway","name":"waypoint"}]`) {
					t.Errorf("%s: not on the waypoint: %s", key, o.spec())
				}
				onWaypoint++
			}
		}
	}
	for key := range want {
		t.Errorf("%s: in the output, not on the server", key)
	}
	if onWaypoint == 0 {
		t.Error("no member policy of a declared profile on the server")
	}
	t.Logf("declared profiles: %d objects admitted, %d member policies on the waypoint", admitted, onWaypoint)
}
