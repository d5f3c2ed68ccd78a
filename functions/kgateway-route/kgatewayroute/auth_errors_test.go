package kgatewayroute_test

import (
	"os"
	"strings"
	"testing"

	"github.com/kfgitops/kfgitops/functions/kgateway-route/kgatewayroute"
	"github.com/kfgitops/kfgitops/kit/corpus"
	"github.com/kfgitops/kfgitops/kit/krmio"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/yaml"
)

// An ingress auth policy that kgateway policy would not enforce as Istio did
// fails the run, naming the object and the field: the Istio policies are
// removed once translated and traffic no longer passes the Istio ingress, so
// a skipped policy is authentication silently missing. Each case edits the
// Kubeflow ingress of testdata/kubeflow-defaults (which translates cleanly)
// in one way; before these were errors, each one exited 0 with a warning or
// without a word.
func TestAuthUntranslatableIsError(t *testing.T) {
	const ns = "istio-system"
	for _, c := range []struct {
		name         string
		edit         func(d docs)
		kind, object string // the object the error is about (in istio-system)
		field, msg   string
	}{
		{"unreadable policy", func(d docs) {
			d.set("AuthorizationPolicy", "istio-ingressgateway-oauth2-proxy", "oops", "spec", "rules")
		},
			"AuthorizationPolicy", "istio-ingressgateway-oauth2-proxy", "spec", "cannot read the policy"},
		{"unreadable RequestAuthentication", func(d docs) { d.set("RequestAuthentication", "dex-jwt", "oops", "spec", "jwtRules") },
			"RequestAuthentication", "dex-jwt", "spec", "cannot read the policy"},
		{"second CUSTOM policy", func(d docs) { d.add(customPolicy("zz-second-custom", "oauth2-proxy")) },
			"AuthorizationPolicy", "zz-second-custom", "spec.provider", "a second CUSTOM policy"},
		{"CUSTOM policy without provider", func(d docs) {
			d.set("AuthorizationPolicy", "istio-ingressgateway-oauth2-proxy", nil, "spec", "provider")
		},
			"AuthorizationPolicy", "istio-ingressgateway-oauth2-proxy", "spec.provider", "needs a provider"},
		{"no mesh config", func(d docs) { d.drop("ConfigMap", "istio") },
			"AuthorizationPolicy", "istio-ingressgateway-oauth2-proxy", "spec.provider", "no mesh config istio-system/istio"},
		{"provider not in the mesh config", func(d docs) {
			d.set("AuthorizationPolicy", "istio-ingressgateway-oauth2-proxy", "missing", "spec", "provider", "name")
		}, "AuthorizationPolicy", "istio-ingressgateway-oauth2-proxy", "spec.provider.name", `"missing" is not in the mesh config`},
		{"provider neither HTTP nor gRPC ext-authz", func(d docs) {
			d.setMesh("extensionProviders:\n- name: oauth2-proxy\n  zipkin: {service: zipkin.istio-system.svc.cluster.local, port: 9411}\n")
		}, "ConfigMap", "istio", "data.mesh", "neither envoyExtAuthzHttp nor envoyExtAuthzGrpc"},
		{"provider service not a Service FQDN", func(d docs) {
			d.setMesh("extensionProviders:\n- name: oauth2-proxy\n  envoyExtAuthzHttp: {service: oauth2-proxy, port: 80}\n")
		}, "ConfigMap", "istio", "data.mesh", "is not a Service FQDN"},
		{"provider timeout not a duration", func(d docs) {
			d.setMesh("extensionProviders:\n- name: oauth2-proxy\n  envoyExtAuthzHttp: {service: oauth2-proxy.oauth2-proxy.svc.cluster.local, port: 80, timeout: soon}\n")
		}, "ConfigMap", "istio", "data.mesh", "timeout"},
		{"provider statusOnError not a status code", func(d docs) {
			d.setMesh("extensionProviders:\n- name: oauth2-proxy\n  envoyExtAuthzHttp: {service: oauth2-proxy.oauth2-proxy.svc.cluster.local, port: 80, statusOnError: teapot}\n")
		}, "ConfigMap", "istio", "data.mesh", `statusOnError "teapot"`},
		{"mesh config not readable", func(d docs) { d.setMesh("extensionProviders: [unclosed\n") },
			"ConfigMap", "istio", "data.mesh", "mesh config is not readable"},
		{"second RequestAuthentication", func(d docs) {
			d.add(strings.ReplaceAll(d.text("RequestAuthentication", "dex-jwt"), "name: dex-jwt", "name: zz-second-jwt"))
		},
			"RequestAuthentication", "zz-second-jwt", "spec", "a second RequestAuthentication"},
		{"no JWT rule translatable", func(d docs) {
			d.set("RequestAuthentication", "dex-jwt", "http://dex.example.com/keys", "spec", "jwtRules", 0, "jwksUri")
		}, "RequestAuthentication", "dex-jwt", "spec.jwtRules", "no JWT rule could be translated"},
		{"require-JWT policy without a JWT provider", func(d docs) { d.drop("RequestAuthentication", "dex-jwt") },
			"AuthorizationPolicy", "istio-ingressgateway-require-jwt", "spec.rules", "no RequestAuthentication"},
		{"other DENY policy", func(d docs) { d.add(policy("deny-admin", "DENY", "{to: [{operation: {paths: [/admin/*]}}]}")) },
			"AuthorizationPolicy", "deny-admin", "spec.rules", "a DENY policy"},
		{"restricting ALLOW policy", func(d docs) { d.add(policy("allow-some", "ALLOW", "{from: [{source: {ipBlocks: [10.0.0.0/8]}}]}")) },
			"AuthorizationPolicy", "allow-some", "spec.rules", "an ALLOW policy"},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := readDocs(t, "testdata/kubeflow-defaults/istio.yaml")
			c.edit(d)
			vss, err := os.ReadFile("testdata/kubeflow-defaults/virtualservices.yaml")
			if err != nil {
				t.Fatal(err)
			}
			out, stderr, code := krmio.Process(kgatewayroute.Function, corpus.Wrap([]byte(d.join()+"\n---\n"+string(vss))))
			if code != 1 {
				t.Fatalf("exit %d, want 1 (stderr: %s)", code, stderr)
			}
			rl, err := fn.ParseResourceList(out)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rl.Results {
				if r.Severity != fn.Error {
					continue
				}
				ref, field := r.ResourceRef, ""
				if r.Field != nil {
					field = r.Field.Path
				}
				if ref == nil || ref.Kind != c.kind || ref.Namespace != ns || ref.Name != c.object || field != c.field || !strings.Contains(r.Message, c.msg) {
					t.Errorf("error %q on %+v field %q; want one on %s %s/%s field %q saying %q", r.Message, ref, field, c.kind, ns, c.object, c.field, c.msg)
				}
				return
			}
			t.Errorf("no error result:\n%s", out)
		})
	}
}

func customPolicy(name, provider string) string {
	return "apiVersion: security.istio.io/v1beta1\nkind: AuthorizationPolicy\nmetadata: {name: " + name + ", namespace: istio-system}\n" +
		"spec: {action: CUSTOM, provider: {name: " + provider + "}, rules: [{}], selector: {matchLabels: {app: istio-ingressgateway}}}\n"
}

func policy(name, action, rule string) string {
	return "apiVersion: security.istio.io/v1beta1\nkind: AuthorizationPolicy\nmetadata: {name: " + name + ", namespace: istio-system}\n" +
		"spec: {action: " + action + ", rules: [" + rule + "], selector: {matchLabels: {app: istio-ingressgateway}}}\n"
}

// docs are the documents of a YAML stream, each as a generic object.
type docs struct{ list *[]map[string]any }

func readDocs(t *testing.T, path string) docs {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var list []map[string]any
	for _, doc := range strings.Split(string(b), "\n---\n") {
		var m map[string]any
		if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
			t.Fatal(err)
		}
		list = append(list, m)
	}
	return docs{&list}
}

func (d docs) find(kind, name string) int {
	for i, m := range *d.list {
		if m["kind"] == kind && m["metadata"].(map[string]any)["name"] == name {
			return i
		}
	}
	panic(kind + " " + name + " is not in the fixture")
}

func (d docs) drop(kind, name string) {
	i := d.find(kind, name)
	*d.list = append((*d.list)[:i], (*d.list)[i+1:]...)
}

func (d docs) add(doc string) {
	var m map[string]any
	if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
		panic(err)
	}
	*d.list = append(*d.list, m)
}

func (d docs) text(kind, name string) string {
	b, err := yaml.Marshal((*d.list)[d.find(kind, name)])
	if err != nil {
		panic(err)
	}
	return string(b)
}

// set sets the field at path (keys and list indexes) of an object; nil
// deletes it.
func (d docs) set(kind, name string, value any, path ...any) {
	var v any = (*d.list)[d.find(kind, name)]
	for _, p := range path[:len(path)-1] {
		v = get(v, p)
	}
	m := v.(map[string]any)
	if key := path[len(path)-1].(string); value == nil {
		delete(m, key)
	} else {
		m[key] = value
	}
}

func (d docs) setMesh(mesh string) { d.set("ConfigMap", "istio", mesh, "data", "mesh") }

func (d docs) join() string {
	var parts []string
	for _, m := range *d.list {
		b, err := yaml.Marshal(m)
		if err != nil {
			panic(err)
		}
		parts = append(parts, string(b))
	}
	return strings.Join(parts, "---\n")
}
