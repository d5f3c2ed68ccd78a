package krm

import (
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kfgitops/kfgitops/functions/ambient-mesh/ambientmesh"
	"github.com/kfgitops/kfgitops/functions/kgateway-route/kgatewayroute"
	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/ingress"
	"github.com/kfgitops/kfgitops/kit/istio"
	"github.com/kfgitops/kfgitops/kit/meshauthz"
	"github.com/kfgitops/kfgitops/tests/harness"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/yaml"
)

// meshRootNamespace is Istio's default root namespace (the output's mesh
// config sets none): its policies without a selector apply mesh-wide.
const meshRootNamespace = "istio-system"

// notebookPod are the labels notebook-controller gives a notebook's pod
// (its StatefulSet's template), the destination of the walked requests.
var notebookPod = map[string]string{"statefulset": "nb", "notebook-name": "nb"}

// walk is the path of a request through the chain's output, read from it.
type walk struct {
	t       *testing.T
	items   fn.KubeObjects
	cfg     kgatewayroute.Config // runtime-sync's, from its ConfigMap
	gateway *fn.KubeObject
	strip   []string // headers the ListenerPolicy removes
	// claims: per JWT provider's issuer, claim → header, when jwtAuth is on
	// the Gateway.
	claims map[string]map[string]string
	// token is the signed-in user's ID token: its issuer and claims (by
	// default dex's, with the e-mail in claim email).
	token   tokenOf
	extAuth bool // ext-auth on the Gateway
	// authOff: HTTPRoutes ("ns/name") whose TrafficPolicy disables ext-auth.
	authOff       map[string]bool
	profileLabels map[string]string
	root          []meshauthz.Policy
}

func newWalk(t *testing.T, items fn.KubeObjects) *walk {
	t.Helper()
	w := &walk{t: t, items: items, claims: map[string]map[string]string{}, authOff: map[string]bool{}, token: dexToken}
	for _, o := range items {
		if o.GetKind() == "ConfigMap" && o.GetName() == kgatewayroute.RuntimeSyncName {
			data, _, _ := o.NestedString("data", kgatewayroute.RuntimeSyncConfigKey)
			cfg, err := kgatewayroute.DecodeConfig([]byte(data))
			if err != nil {
				t.Fatalf("runtime-sync config: %v", err)
			}
			w.cfg = cfg
		}
	}
	gw := w.cfg.Gateway
	if gw.Name == "" {
		t.Fatal("no runtime-sync ConfigMap in the output (kgateway-route's controller mode)")
	}
	for _, o := range items {
		switch {
		case o.GetKind() == "Gateway" && o.GetNamespace() == gw.Namespace && o.GetName() == gw.Name:
			w.gateway = o
		case o.GetKind() == "ListenerPolicy" && o.GetNamespace() == gw.Namespace && targets(o, "Gateway", gw.Name):
			w.strip, _, _ = o.NestedStringSlice("spec", "default", "httpSettings", "earlyRequestHeaderModifier", "remove")
		case o.GetKind() == "TrafficPolicy":
			w.readTrafficPolicy(o)
		case istio.AuthorizationPolicyKind.Is(o) && o.GetNamespace() == meshRootNamespace:
			w.root = append(w.root, meshauthz.Decode(t, o))
		}
	}
	if w.gateway == nil {
		t.Fatalf("no Gateway %s/%s in the output", gw.Namespace, gw.Name)
	}
	w.profileLabels = w.namespaceLabelsFile()
	return w
}

// readTrafficPolicy records ext-auth and JWT on the Gateway (the JWT
// provider's claims-to-headers from its GatewayExtension) and routes that
// turn ext-auth off.
func (w *walk) readTrafficPolicy(o *fn.KubeObject) {
	var tp struct {
		Spec struct {
			TargetRefs []struct{ Kind, Name string } `json:"targetRefs"`
			ExtAuth    *struct {
				ExtensionRef *struct{ Name string } `json:"extensionRef"`
				Disable      *struct{}              `json:"disable"`
			} `json:"extAuth"`
			JWTAuth *struct {
				ExtensionRef *struct{ Name string } `json:"extensionRef"`
			} `json:"jwtAuth"`
		} `json:"spec"`
	}
	w.decode(o, &tp)
	gw := w.cfg.Gateway
	for _, ref := range tp.Spec.TargetRefs {
		switch {
		case ref.Kind == "Gateway" && ref.Name == gw.Name && o.GetNamespace() == gw.Namespace:
			if a := tp.Spec.ExtAuth; a != nil && a.ExtensionRef != nil {
				var ext struct {
					Spec struct {
						ExtAuth map[string]any `json:"extAuth"`
					} `json:"spec"`
				}
				w.decode(w.extension(a.ExtensionRef.Name), &ext)
				w.extAuth = ext.Spec.ExtAuth != nil
			}
			if j := tp.Spec.JWTAuth; j != nil && j.ExtensionRef != nil {
				var ext struct {
					Spec struct {
						JWT struct {
							Providers []struct {
								Issuer          string                          `json:"issuer"`
								ClaimsToHeaders []struct{ Name, Header string } `json:"claimsToHeaders"`
							} `json:"providers"`
						} `json:"jwt"`
					} `json:"spec"`
				}
				w.decode(w.extension(j.ExtensionRef.Name), &ext)
				for _, p := range ext.Spec.JWT.Providers {
					w.claims[p.Issuer] = map[string]string{}
					for _, c := range p.ClaimsToHeaders {
						w.claims[p.Issuer][c.Name] = c.Header
					}
				}
			}
		case ref.Kind == "HTTPRoute" && tp.Spec.ExtAuth != nil && tp.Spec.ExtAuth.Disable != nil:
			w.authOff[o.GetNamespace()+"/"+ref.Name] = true
		}
	}
}

// dexToken is the token of upstream's dex: the e-mail in claim email.
func dexToken(email string) (string, map[string]string) {
	return "http://dex.auth.svc.cluster.local:5556/dex", map[string]string{"email": email}
}

func (w *walk) decode(o *fn.KubeObject, into any) {
	w.t.Helper()
	if err := yaml.Unmarshal([]byte(o.String()), into); err != nil {
		w.t.Fatalf("%s %s/%s: %v", o.GetKind(), o.GetNamespace(), o.GetName(), err)
	}
}

// extension is the GatewayExtension of that name in the Gateway's namespace.
func (w *walk) extension(name string) *fn.KubeObject {
	for _, o := range w.items {
		if o.GetKind() == "GatewayExtension" && o.GetNamespace() == w.cfg.Gateway.Namespace && o.GetName() == name {
			return o
		}
	}
	w.t.Fatalf("no GatewayExtension %s/%s in the output", w.cfg.Gateway.Namespace, name)
	return nil
}

// namespaceLabelsFile is the profile controller's namespace-labels file of
// the output ("" for a label it removes).
func (w *walk) namespaceLabelsFile() map[string]string {
	for _, ref := range w.cfg.NamespaceLabelsConfigMaps {
		for _, o := range w.items {
			if o.GetKind() == "ConfigMap" && o.GetNamespace() == ref.Namespace && strings.HasPrefix(o.GetName(), ref.Name) {
				data, _, _ := o.NestedString("data", ref.Key)
				labels := map[string]string{}
				if err := yaml.Unmarshal([]byte(data), &labels); err != nil {
					w.t.Fatal(err)
				}
				return labels
			}
		}
	}
	w.t.Fatal("no namespace-labels ConfigMap in the output")
	return nil
}

func targets(o *fn.KubeObject, kind, name string) bool {
	refs, _, _ := o.NestedSlice("spec", "targetRefs")
	for _, ref := range refs {
		if ref.GetString("kind") == kind && ref.GetString("name") == name {
			return true
		}
	}
	return false
}

// profileNS is a declared profile's namespace as it runs: labelled by the
// profile controller, with the output's policies, the run-time ones and
// what runtime-sync derives from those, and the notebook's route.
type profileNS struct {
	name              string
	labels            map[string]string
	atWaypoint        []meshauthz.Policy
	ztunnel           []meshauthz.Policy // enforced for the notebook's pod
	policies          []meshauthz.Policy // every policy of the namespace, as written
	declared          bool               // its Namespace is in the output
	waypointPrincipal string
	route             []*fn.KubeObject // the notebook's HTTPRoute(s) and TrafficPolicies
}

// profileNamespace builds a profile's namespace at run time (declared in the
// output, or created by the profile controller).
func (w *walk) profileNamespace(name, owner string, sources func(ns, owner, uid string) string) *profileNS {
	t := w.t
	t.Helper()
	ns := &profileNS{name: name, labels: map[string]string{}}
	var policies []*fn.KubeObject
	for _, o := range w.items {
		switch {
		case kit.NamespaceKind.Is(o) && o.GetName() == name:
			maps.Copy(ns.labels, o.GetLabels())
			ns.declared = true
		case istio.AuthorizationPolicyKind.Is(o) && o.GetNamespace() == name:
			policies = append(policies, o)
		}
	}
	for k, v := range w.profileLabels {
		if _, exists := ns.labels[k]; v == "" {
			delete(ns.labels, k)
		} else if !exists {
			ns.labels[k] = v
		}
	}
	runtime, err := fn.ParseKubeObjects([]byte(sources(name, owner, "00000000-0000-4000-8000-000000000001")))
	if err != nil {
		t.Fatal(err)
	}
	if principal := w.cfg.Gateway.Principal(); !strings.Contains(runtime[0].String(), principal) {
		t.Fatalf("the profile controller's fixture does not name the Gateway's principal %s:\n%s", principal, runtime[0])
	}
	waypoint := ingress.Gateway{Namespace: w.cfg.RuntimeRoutes.Waypoint.Namespace, Name: w.cfg.RuntimeRoutes.Waypoint.Name}
	m, err := ambientmesh.MigrateNamespace(name, runtime, ambientmesh.NamespaceOptions{Waypoint: waypoint, IngressGateway: w.cfg.Gateway})
	if err != nil {
		t.Fatal(err)
	}
	policies = append(policies, runtime...)
	for _, derived := range m.Derived {
		policies = append(policies, derived...)
	}
	wp := ns.labels["istio.io/use-waypoint"]
	ns.waypointPrincipal = ingress.Gateway{Namespace: name, Name: wp}.Principal()
	// runtime-sync writes the waypoint of a profile namespace the output
	// does not declare
	if ns.declared && !w.has("Gateway", name, wp) {
		t.Errorf("namespace %s uses waypoint %q, which is not in the output", name, wp)
	}
	for _, p := range policies {
		ap := meshauthz.Decode(t, p)
		ns.policies = append(ns.policies, ap)
		if targets(p, "Gateway", wp) {
			ns.atWaypoint = append(ns.atWaypoint, ap)
		} else if z, enforced := meshauthz.OnZtunnel(ap); enforced && len(ap.TargetRefs) == 0 && ap.AppliesTo(notebookPod) {
			ns.ztunnel = append(ns.ztunnel, z)
		}
	}
	for _, p := range w.root {
		if z, enforced := meshauthz.OnZtunnel(p); enforced && len(p.TargetRefs) == 0 && p.Selector == nil {
			ns.ztunnel = append(ns.ztunnel, z)
		}
	}
	ns.route = w.notebookRoute(name)
	for _, o := range ns.route {
		if o.GetKind() == "TrafficPolicy" {
			w.readTrafficPolicy(o)
		}
	}
	return ns
}

func (w *walk) has(kind, ns, name string) bool {
	for _, o := range w.items {
		if o.GetKind() == kind && o.GetNamespace() == ns && o.GetName() == name {
			return true
		}
	}
	return false
}

// notebookRoute converts notebook-controller's VirtualService for notebook
// nb in ns (the runtime-sync controller's fixture) as runtime-sync does.
func (w *walk) notebookRoute(ns string) []*fn.KubeObject {
	t := w.t
	root, err := harness.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, "controllers", "runtime-sync", "routes", "testdata", "virtualservices", "notebook.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	text := regexp.MustCompile(`(?m)^  uid: .*\n`).ReplaceAllString(string(b), "")
	vs, err := fn.ParseKubeObject([]byte(regexp.MustCompile(`\balice\b`).ReplaceAllString(text, ns)))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := kgatewayroute.NewRouteConverter(w.cfg)
	if err != nil {
		t.Fatal(err)
	}
	conv, err := rc.Convert(vs, nil)
	if err != nil || !conv.Bound || !conv.Exact() || len(conv.Grants) > 0 || len(conv.Routes) == 0 {
		t.Fatalf("notebook VirtualService in %s: not converted as runtime-sync writes it (%v, %+v)", ns, err, conv)
	}
	return append(append([]*fn.KubeObject(nil), conv.Routes...), conv.Objects...)
}
