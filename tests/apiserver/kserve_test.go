package apiserver

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// kserveWebhooks are KServe's admission webhooks for InferenceServices
// (failurePolicy Fail): its controller serves them, and this suite runs no
// controller, so they are removed before the sample is applied and the API
// server's own admission (the CRD's schema) decides.
var kserveWebhooks = [][2]string{
	{"mutatingwebhookconfiguration", "inferenceservice.serving.kserve.io"},
	{"validatingwebhookconfiguration", "inferenceservice.serving.kserve.io"},
}

// kserveSample applies, after the bundle, the sample InferenceServices of
// tests/testdata (CRD from the bundle) in profile namespace alice, then what
// KServe v0.16.0 writes for them in Standard mode with the Gateway API (the
// predictor Services and HTTPRoutes), owned by the InferenceServices as
// KServe owns them: the routes tests/translators routes through kgateway.
func kserveSample(t *testing.T, root string, c *cluster) {
	t.Run("kserve", func(t *testing.T) {
		b, err := os.ReadFile(filepath.Join(root, "tests", "testdata", "kserve-inferenceservices.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		if c.get(t, "namespace", "", "alice") == nil {
			c.mustKubectl(t, "create", "namespace", "alice")
		}
		for _, w := range kserveWebhooks {
			c.mustKubectl(t, "delete", w[0], w[1], "--ignore-not-found")
		}
		var isvcs, derived []string
		for _, doc := range strings.Split(string(b), "\n---\n") {
			var o struct{ Kind string }
			if err := yaml.Unmarshal([]byte(doc), &o); err != nil {
				t.Fatal(err)
			}
			if o.Kind == "InferenceService" {
				isvcs = append(isvcs, doc)
			} else {
				derived = append(derived, doc)
			}
		}
		c.applyText(t, "kserve-inferenceservices", strings.Join(isvcs, "\n---\n"))
		rest := strings.Join(derived, "\n---\n")
		for _, name := range []string{"sklearn-iris", "xgb-pima"} {
			isvc := c.get(t, "inferenceservices.serving.kserve.io", "alice", name)
			if isvc == nil {
				t.Fatalf("InferenceService alice/%s was not created", name)
			}
			rest = strings.ReplaceAll(rest, "name: "+name+"\n    uid: "+fixtureUID(t, b, name), "name: "+name+"\n    uid: "+isvc.Metadata.UID)
		}
		c.applyText(t, "kserve-derived", rest)
		for _, name := range []string{"sklearn-iris", "xgb-pima"} {
			uid := c.get(t, "inferenceservices.serving.kserve.io", "alice", name).Metadata.UID
			for _, route := range []string{name, name + "-predictor"} {
				if r := c.get(t, "httproutes.gateway.networking.k8s.io", "alice", route); r == nil || !r.ownedBy(uid) {
					t.Errorf("HTTPRoute alice/%s was not created owned by InferenceService %s", route, name)
				}
			}
		}
		t.Logf("KServe sample admitted: 2 InferenceServices, 2 predictor Services, 4 HTTPRoutes in alice, owned by their InferenceServices")
	})
}

// fixtureUID is the uid the fixture's ownerReferences give InferenceService
// name.
func fixtureUID(t *testing.T, b []byte, name string) string {
	marker := "name: " + name + "\n    uid: "
	i := strings.Index(string(b), marker)
	if i < 0 {
		t.Fatalf("the fixture has no ownerReference to %s", name)
	}
	uid, _, _ := strings.Cut(string(b[i+len(marker):]), "\n")
	return uid
}
