package apiserver

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// kobj is an object as kubectl returns it in JSON.
type kobj struct {
	Kind     string `json:"kind"`
	Metadata struct {
		Name            string            `json:"name"`
		Namespace       string            `json:"namespace"`
		UID             string            `json:"uid"`
		ResourceVersion string            `json:"resourceVersion"`
		Labels          map[string]string `json:"labels"`
		Annotations     map[string]string `json:"annotations"`
		OwnerReferences []struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Name       string `json:"name"`
			UID        string `json:"uid"`
			Controller bool   `json:"controller"`
		} `json:"ownerReferences"`
	} `json:"metadata"`
	Spec   json.RawMessage `json:"spec"`
	Reason string          `json:"reason"`
	Note   string          `json:"message"`
}

// applyFile applies a file with client-side apply, the way the upstream
// controllers create objects (create, then update): server-side apply
// would refuse the fixtures' uids.
func (c *cluster) applyFile(t testing.TB, path string) {
	t.Helper()
	if _, stderr, err := c.kubectl("apply", "-f", path); err != nil {
		t.Fatalf("applying %s: %v\n%s", path, err, stderr)
	}
}

// applyText applies YAML given inline.
func (c *cluster) applyText(t testing.TB, name, text string) {
	t.Helper()
	path := filepath.Join(c.work, name+".yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	c.applyFile(t, path)
}

// list returns the objects of a resource in a namespace ("" for all),
// optionally selected by label.
func (c *cluster) list(t testing.TB, resource, ns string, args ...string) []kobj {
	t.Helper()
	cmd := []string{"get", resource, "-o", "json"}
	if ns == "" {
		cmd = append(cmd, "--all-namespaces")
	} else {
		cmd = append(cmd, "-n", ns)
	}
	stdout, stderr, err := c.kubectl(append(cmd, args...)...)
	if err != nil {
		t.Fatalf("kubectl get %s: %v\n%s", resource, err, stderr)
	}
	var l struct {
		Items []kobj `json:"items"`
	}
	if err := json.Unmarshal([]byte(stdout), &l); err != nil {
		t.Fatal(err)
	}
	return l.Items
}

// get returns one object, or nil when it does not exist.
func (c *cluster) get(t testing.TB, resource, ns, name string) *kobj {
	t.Helper()
	stdout, stderr, err := c.kubectl("get", resource, "-n", ns, name, "-o", "json", "--ignore-not-found")
	if err != nil {
		t.Fatalf("kubectl get %s %s/%s: %v\n%s", resource, ns, name, err, stderr)
	}
	if strings.TrimSpace(stdout) == "" {
		return nil
	}
	var o kobj
	if err := json.Unmarshal([]byte(stdout), &o); err != nil {
		t.Fatal(err)
	}
	return &o
}

func (c *cluster) mustKubectl(t testing.TB, args ...string) {
	t.Helper()
	if _, stderr, err := c.kubectl(args...); err != nil {
		t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
}

// spec is the object's spec as compact JSON.
func (o *kobj) spec() string {
	var b bytes.Buffer
	if json.Compact(&b, o.Spec) != nil {
		return string(o.Spec)
	}
	return b.String()
}

// ownedBy reports whether o's controller is the object with that uid.
func (o *kobj) ownedBy(uid string) bool {
	for _, r := range o.Metadata.OwnerReferences {
		if r.Controller && r.UID == uid {
			return true
		}
	}
	return false
}

// createText creates the objects of a YAML stream (namespaces first, as
// they come first in it).
func (c *cluster) createText(t testing.TB, name, text string) {
	t.Helper()
	path := filepath.Join(c.work, name+".yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	c.mustKubectl(t, "create", "-f", path)
}

// count returns how many objects of a resource carry a label, in every
// namespace.
func (c *cluster) count(t testing.TB, resource, selector string) int {
	t.Helper()
	stdout, stderr, err := c.kubectl("get", resource, "--all-namespaces", "-l", selector, "-o", "name", "--chunk-size=1000")
	if err != nil {
		t.Fatalf("kubectl get %s: %v\n%s", resource, err, stderr)
	}
	return strings.Count(stdout, "\n")
}
