package apiserver

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/kfgitops/kfgitops/tests/harness"
)

// What the platform installs before Argo CD syncs the bundle, as a real
// cluster has it. A function whose output needs more of the platform (an
// operator's CRDs, the namespace an operator runs in) appends a row here.

// platformNamespaces exist before the bundle is synced.
var platformNamespaces = []string{
	"argocd", // Argo CD runs here; argocd-apps puts the Applications here
	"velero", // Velero runs here; backup puts its Schedules here
}

// prerequisiteCRDFiles hold the CRDs the platform installs before the
// bundle: globs relative to the repository root, files of CRDs (YAML
// streams, gzipped when the name ends in .gz). Of these, prerequisiteCRDs
// installs the CRDs of the kinds the bundle uses without defining.
var prerequisiteCRDFiles = []struct{ glob, what string }{
	{"functions/verify/crds/*.yaml.gz", "Gateway API, kgateway, Argo CD's Application and what else verify compiles in"},
}

// prerequisiteCRDs are the CRDs of prerequisiteCRDFiles for the kinds the
// bundle uses without defining, in file order.
func prerequisiteCRDs(root string, objs []object) ([]object, error) {
	defined, used := map[string]bool{}, map[string]bool{}
	for _, o := range objs {
		group := ""
		if i := strings.LastIndex(o.apiVersion, "/"); i >= 0 {
			group = o.apiVersion[:i]
		}
		used[group+"/"+o.kind] = true
		if o.kind == "CustomResourceDefinition" {
			defined[o.crdGroupKind] = true
		}
	}
	var out []object
	seen := map[string]bool{}
	for _, src := range prerequisiteCRDFiles {
		files, err := filepath.Glob(filepath.Join(root, filepath.FromSlash(src.glob)))
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("prerequisite CRDs %s (%s): no such file", src.glob, src.what)
		}
		sort.Strings(files)
		for _, f := range files {
			crds, err := crdFile(f)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			for _, crd := range crds {
				gk := crd.crdGroupKind
				if crd.kind == "CustomResourceDefinition" && used[gk] && !defined[gk] && !seen[gk] {
					seen[gk] = true
					out = append(out, crd)
				}
			}
		}
	}
	return out, nil
}

// crdFile parses a file of CRDs, gunzipping it when its name ends in .gz.
func crdFile(path string) ([]object, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if strings.HasSuffix(path, ".gz") {
		r, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		defer r.Close()
		if data, err = io.ReadAll(r); err != nil {
			return nil, err
		}
	}
	return parse(data)
}

// The platform's CRDs are installed for the kinds the bundle uses without
// defining them, and only for those.
func TestPrerequisiteCRDs(t *testing.T) {
	root, err := harness.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	objs, err := parse([]byte(`apiVersion: gateway.kgateway.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: p, namespace: ns}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: ns}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: httproutes.gateway.networking.k8s.io}
spec:
  group: gateway.networking.k8s.io
  names: {kind: HTTPRoute}
`))
	if err != nil {
		t.Fatal(err)
	}
	crds, err := prerequisiteCRDs(root, objs)
	if err != nil {
		t.Fatal(err)
	}
	if len(crds) != 1 || crds[0].name != "trafficpolicies.gateway.kgateway.dev" {
		var names []string
		for _, c := range crds {
			names = append(names, c.name)
		}
		t.Errorf("got %v, want only trafficpolicies.gateway.kgateway.dev (HTTPRoute's CRD is in the bundle)", names)
	}
}
