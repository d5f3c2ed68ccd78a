package krm

import (
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/kfgitops/kfgitops/functions/kubeflow-gitops/chain"
	"github.com/kfgitops/kfgitops/kit/corpus"
	"github.com/kfgitops/kfgitops/kit/krmio"
	"github.com/kfgitops/kfgitops/tests/harness"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/yaml"
)

// The user-id header walked through the whole chain's output (the master
// render with declared-profiles.yaml): a request from a user reaches the
// kgateway Gateway; the Gateway's ListenerPolicy strips the client's
// identity headers; ext-auth (oauth2-proxy) admits only a signed-in user and
// the JWT provider sets kubeflow-userid from the token's claims (the
// TrafficPolicy and GatewayExtensions of the output); the notebook's route
// wins the path under Gateway API precedence over every HTTPRoute of the
// output; the Gateway sends it to the namespace's waypoint, whose policies
// (the members' policies as ambient-mesh migrated them, and the run-time
// ones runtime-sync migrates) decide with kit/meshauthz's evaluator; then
// ztunnel at the pod admits the waypoint. Nothing about the policies is
// written here: who may enter is who the config declares (owner, members by
// user or group) plus a contributor added in the dashboard.
//
// The route is the run-time controller's shape: in controller mode, the
// chain's default, the output has no route for a profile namespace's
// notebook; runtime-sync converts the notebook controller's VirtualService
// with kgateway-route's RouteConverter and the output's runtime-sync
// ConfigMap, as done here.
func TestDeclaredProfileWalk(t *testing.T) {
	walkDeclared(t, declaredOutput(t), dexToken, nil)
}

// tokenOf is the ID token a user signs in with: its issuer and claims.
type tokenOf func(email string) (issuer string, claims map[string]string)

// walkDeclared walks the requests of every active declared profile through
// out, the users signing in with token; with refused, the owner signing in
// with that token instead must not get in.
func walkDeclared(t *testing.T, out fn.KubeObjects, token, refused tokenOf) {
	t.Helper()
	cfg := readDeclaredConfig(t)
	w := newWalk(t, out)
	w.token = token
	root, err := harness.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	sources, err := harness.ProfileRuntimePolicies(root)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, p := range cfg.active() {
		ns := w.profileNamespace(p.Name, p.owner(cfg), sources)
		allowed := cfg.access(p)
		allowed[harness.ContributorEmail] = true
		for _, email := range append(cfg.emails(), harness.ContributorEmail) {
			checked++
			if got, how := w.request(ns, email, true, nil); got != allowed[email] {
				t.Errorf("%s signed in as %s: allowed %v, want %v (%s)", ns.name, email, got, allowed[email], how)
			}
		}
		owner, outsider := p.owner(cfg), ""
		if refused != nil {
			checked++
			w.token = refused
			if got, how := w.request(ns, owner, true, nil); got {
				t.Errorf("%s signed in as the owner %s with a token of another issuer or claim: allowed (%s)", ns.name, owner, how)
			}
			w.token = token
		}
		for _, email := range cfg.emails() {
			if !allowed[email] && outsider == "" {
				outsider = email
			}
		}
		if outsider == "" {
			t.Fatalf("%s: the config declares no user who is not a member", ns.name)
		}
		spoof := map[string]string{"kubeflow-userid": owner, "kubeflow-groups": "admins"}
		for _, tc := range []struct {
			what     string
			email    string
			signedIn bool
			headers  map[string]string
		}{
			{"signed in as non-member " + outsider + ", sending the owner's id", outsider, true, spoof},
			{"not signed in, sending the owner's id", "", false, spoof},
			{"not signed in", "", false, nil},
		} {
			checked++
			if got, how := w.request(ns, tc.email, tc.signedIn, tc.headers); got {
				t.Errorf("%s %s: allowed (%s)", ns.name, tc.what, how)
			}
		}
		if w.bypass(ns, owner) {
			t.Errorf("%s: the owner's request from the Gateway straight to the pod, around the waypoint: allowed", ns.name)
		}
		if w.anonymousAtWaypoint(ns) {
			t.Errorf("%s: a request from the Gateway without a user id: allowed at the waypoint", ns.name)
		}
	}
	if checked == 0 {
		t.Fatal("no active declared profile")
	}
	t.Logf("%d requests walked", checked)
}

// declaredRun is the chain's run over the master render with
// declared-profiles.yaml, shared by the tests that read its output.
var declaredRun struct {
	once   sync.Once
	out    []byte
	stderr string
	code   int
}

// declaredChainOutput is the chain's ResourceList output over the master
// render with declared-profiles.yaml (run once per test binary).
func declaredChainOutput(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "declared-profiles.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	in := corpus.WithFunctionConfig(corpus.ResourceList(t, corpus.Master), string(b))
	declaredRun.once.Do(func() { declaredRun.out, declaredRun.stderr, declaredRun.code = krmio.Process(chain.Function, in) })
	if declaredRun.code != 0 {
		t.Fatalf("chain: exit %d: %s", declaredRun.code, declaredRun.stderr)
	}
	return declaredRun.out
}

// declaredOutput is the items of declaredChainOutput.
func declaredOutput(t *testing.T) fn.KubeObjects {
	t.Helper()
	rl, err := fn.ParseResourceList(declaredChainOutput(t))
	if err != nil {
		t.Fatal(err)
	}
	return rl.Items
}

// declaredConfig is the profiles part of declared-profiles.yaml.
type declaredConfig struct {
	Users []struct {
		ID, Email string
	}
	Groups []struct {
		Name   string
		Users  []string
		Groups []string
	}
	Profiles []declaredProfile
}

type declaredProfile struct {
	Name, Owner, State string
	Members            []struct{ User, Group, Role string }
}

func readDeclaredConfig(t *testing.T) *declaredConfig {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "declared-profiles.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Profiles declaredConfig }
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return &doc.Profiles
}

func (c *declaredConfig) active() []declaredProfile {
	var out []declaredProfile
	for _, p := range c.Profiles {
		if p.State != "retire" {
			out = append(out, p)
		}
	}
	return out
}

func (c *declaredConfig) emails() []string {
	var out []string
	for _, u := range c.Users {
		out = append(out, u.Email)
	}
	return out
}

func (c *declaredConfig) email(id string) string {
	for _, u := range c.Users {
		if u.ID == id {
			return u.Email
		}
	}
	return ""
}

func (p declaredProfile) owner(c *declaredConfig) string { return c.email(p.Owner) }

// access is who the config lets into the profile: the owner and every
// member, groups expanded (nested groups too).
func (c *declaredConfig) access(p declaredProfile) map[string]bool {
	out := map[string]bool{p.owner(c): true}
	var group func(name string, seen []string)
	group = func(name string, seen []string) {
		if slices.Contains(seen, name) {
			return
		}
		for _, g := range c.Groups {
			if g.Name == name {
				for _, u := range g.Users {
					out[c.email(u)] = true
				}
				for _, sub := range g.Groups {
					group(sub, append(seen, name))
				}
			}
		}
	}
	for _, m := range p.Members {
		if m.User != "" {
			out[c.email(m.User)] = true
		}
		if m.Group != "" {
			group(m.Group, nil)
		}
	}
	return out
}
