package ambientmesh

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/ingress"
	"github.com/kfgitops/kfgitops/kit/istio"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// What MigrateNamespace derives carries these: the controller that writes
// the objects touches no object without ManagedByLabel, and finds what a
// source policy gave by SourcePolicyLabel.
const (
	ManagedByLabel       = kit.ManagedByLabel
	ManagedByRuntimeSync = "kfgitops-runtime-sync"
	// SourcePolicyLabel is the source policy's name as a label value: the
	// name itself up to 63 characters, else its first 52 and a hash of the
	// whole (labelValue). SourcePolicyAnnotation holds the name whole.
	SourcePolicyLabel      = "runtime-sync.kfgitops.dev/source-policy"
	SourcePolicyAnnotation = SourcePolicyLabel
)

// NamespaceOptions says where a namespace's waypoint is and which identities
// replace which.
type NamespaceOptions struct {
	// Waypoint is the waypoint Gateway: Namespace "" or the namespace itself
	// for its own (MigrateNamespace returns it), another namespace for a
	// shared one (created by whoever configured it).
	Waypoint ingress.Gateway
	// IngressGateway is the kgateway Gateway whose proxy identity replaces
	// istio.IngressGatewayPrincipal in the derived policies.
	IngressGateway ingress.Gateway
	// ReplacePrincipals are further principal rewrites, source → target.
	ReplacePrincipals map[string]string
	// Services are the namespace's Services. Policies with a selector are
	// enforced at the waypoint on the Services in front of their pods, and,
	// with a shared waypoint, namespace-wide ones on every Service (a policy
	// cannot target a Gateway of another namespace): re-derive when they
	// change. Until then a new Service is held at the waypoint only to the
	// policies that target the waypoint Gateway; with a shared waypoint,
	// an allow-nothing policy on that Gateway (in its namespace) makes it
	// deny such a Service's traffic meanwhile.
	Services []*fn.KubeObject
}

// NamespaceMigration is what one namespace's policies need under ambient.
type NamespaceMigration struct {
	// Waypoint is the waypoint Gateway to create in the namespace; nil with a
	// shared waypoint.
	Waypoint *fn.KubeObject
	// Derived maps a source policy's name to the objects derived from it,
	// sorted by name. A source with an error finding has none.
	Derived map[string][]*fn.KubeObject
	// Findings maps a source policy's name to what its migration noticed;
	// key "" holds the findings about the namespace as a whole.
	Findings map[string][]kit.Finding
}

// MigrateNamespace derives, for one ambient namespace, what its
// AuthorizationPolicies need so that they enforce under ambient what they
// enforced with sidecars. It is Run's policy phase (the same classification,
// move, companion and stay) over the one-namespace bundle the cluster holds:
// the Namespace as the profile controller labels every profile namespace
// (istio.io/dataplane-mode: ambient, istio.io/use-waypoint and
// istio.io/ingress-use-waypoint: "true", from the namespace-labels
// ConfigMap), opts.Services, and copies of the policies.
//
// The sources are never edited (their controllers revert edits): every
// derived object is new and named after its source: <source>-waypoint holds
// the source's rules at the waypoint, <source>-ztunnel is its companion on
// ztunnel (derivedName cuts names that would pass 253 characters and adds a
// hash). allow-<waypoint>-to-<service>, which admits the waypoint to a
// Service's pods where no companion does, belongs to the first ALLOW source
// applying to them. Each is labelled ManagedByLabel: ManagedByRuntimeSync
// and SourcePolicyLabel; policies so labelled are derived ones, never
// sources. A targetRefs list longer than Istio's 16 is split into
// <name>, <name>-2, ... with the same rules.
//
// Why source and derived together allow what the source allowed with
// sidecars, and nothing more. istio-system/global-deny-all (an ALLOW without
// rules in the root namespace) makes every pod deny what no ALLOW admits, on
// sidecars as on ztunnel. A request takes one of three paths:
//
//   - Client to waypoint: every Service of the namespace is bound to the
//     waypoint and kgateway sends to it (istio.io/ingress-use-waypoint). The
//     waypoint sees the client's identity and enforces only policies with
//     targetRefs, that is the <source>-waypoint copies: every rule of every
//     source, intact, with the Istio ingress principal replaced by the
//     kgateway one (now the only identity of ingress traffic) and
//     opts.ReplacePrincipals applied. No principal is added. Pure-L4 sources
//     are copied too: otherwise a DENY would see only the waypoint, and the
//     ALLOW would be missing among the waypoint's.
//   - Waypoint to pod: the destination ztunnel sees the waypoint's identity.
//     The companion of each ALLOW source with L7 rules (for pure-L4 ones
//     allow-<waypoint>-to-<service>) admits it, so global-deny-all does not
//     reject what the waypoint let through. Nothing else names the waypoint,
//     which thus stands only for requests it has checked.
//   - Client to pod, bypassing the waypoint (pod IPs): ztunnel sees the client
//     and still enforces the unedited source the way Istio enforces a policy
//     with L7 attributes there. An ALLOW keeps only its pure-L4 rules, which
//     its companion holds too: together they allow those rules only, less
//     than the source allowed (fail closed, as at render time). CUSTOM and
//     AUDIT sources are ignored by ztunnel; a CUSTOM's companion denies what
//     its rules' L4 parts match, except from the waypoint.
//
// Where the unedited source makes ztunnel deny more than the sidecar did, a
// warning finding says so: a DENY source with L7 attributes (ztunnel enforces
// its rules without their L7 parts against every client, the waypoint
// included; a rule that is all L7 then denies all traffic to the pods), and
// an L4 DENY source, which the render-time migration edits to except the
// waypoint. Where a source cannot be enforced at the waypoint (a selector
// policy no Service fronts), an error finding says so and nothing is
// derived: ztunnel alone enforces it, denying what its L7 rules allowed.
// Input that is not a well-formed AuthorizationPolicy of ns is an error
// naming the object and field. namespace_authz_test.go checks all of this
// with an Istio authorization evaluator on every fixture.
func MigrateNamespace(ns string, policies []*fn.KubeObject, opts NamespaceOptions) (*NamespaceMigration, error) {
	if err := opts.validate(ns); err != nil {
		return nil, err
	}
	items, sources, err := namespaceBundle(ns, policies, opts)
	if err != nil {
		return nil, err
	}
	b, err := newBundle(items)
	if err != nil {
		return nil, err
	}
	cfg := Defaults()
	cfg.WaypointName = opts.Waypoint.Name
	cfg.UseWaypointOn = UseWaypointOnNamespace
	cfg.IngressGateway = opts.IngressGateway
	cfg.KeepIstioIngressPrincipal = false
	var results fn.Results
	rt := &runtimeMode{replacePrincipals: opts.ReplacePrincipals, derivedFrom: map[*fn.KubeObject]*policy{}}
	if opts.Waypoint.Namespace != ns {
		rt.sharedWaypointNamespace = opts.Waypoint.Namespace
	}
	m := &migration{cfg: &cfg, b: b, results: &results, skip: map[string]bool{}, ambient: map[string]bool{ns: true}, rt: rt, ingress: &cfg.IngressGateway}
	if err := m.policies(); err != nil {
		return nil, err
	}
	return m.namespaceMigration(sources, results)
}

// runtimeMode is what differs when the sources are a namespace's live
// policies, which are never written back.
type runtimeMode struct {
	sharedWaypointNamespace string // "" for the namespace's own waypoint
	replacePrincipals       map[string]string
	moved                   []*policy                  // copies re-targeted at the waypoint
	derivedFrom             map[*fn.KubeObject]*policy // generated policy → its source
}

func (o NamespaceOptions) validate(ns string) error {
	if err := kit.CheckDNSLabel("namespace", ns); err != nil {
		return err
	}
	if o.Waypoint.Namespace == "" {
		o.Waypoint.Namespace = ns
	}
	for field, v := range map[string]string{
		"Waypoint.Name": o.Waypoint.Name, "Waypoint.Namespace": o.Waypoint.Namespace,
		"IngressGateway.Name": o.IngressGateway.Name, "IngressGateway.Namespace": o.IngressGateway.Namespace,
	} {
		if err := kit.CheckDNSLabel("NamespaceOptions."+field, v); err != nil {
			return err
		}
	}
	for from, to := range o.ReplacePrincipals {
		if from == "" || to == "" || from == to {
			return fmt.Errorf("NamespaceOptions.ReplacePrincipals[%q] = %q: want two different principals", from, to)
		}
	}
	return nil
}

// namespaceBundle is the bundle MigrateNamespace runs on: the Namespace as
// labelled for ambient, copies of the Services and of the source policies
// (sorted by name; derived policies left out), and the names of the sources.
func namespaceBundle(ns string, policies []*fn.KubeObject, opts NamespaceOptions) (fn.KubeObjects, map[string]*fn.KubeObject, error) {
	nsObj := fn.NewEmptyKubeObject()
	if err := buildNamespace(nsObj, ns, opts.Waypoint); err != nil {
		return nil, nil, err
	}
	items := fn.KubeObjects{nsObj}
	for _, s := range opts.Services {
		if !kit.ServiceKind.Is(s) || s.GetNamespace() != ns {
			return nil, nil, kit.Errorf(s, "", "not a Service of namespace %s", ns)
		}
		items = append(items, s.Copy())
	}
	sources := map[string]*fn.KubeObject{}
	for _, p := range policies {
		switch {
		case !istio.AuthorizationPolicyKind.Is(p):
			return nil, nil, kit.Errorf(p, "kind", "not an AuthorizationPolicy of %s", istio.GroupSecurity)
		case p.GetNamespace() != ns:
			return nil, nil, kit.Errorf(p, "metadata.namespace", "not in namespace %s", ns)
		case p.GetName() == "":
			return nil, nil, kit.Errorf(p, "metadata.name", "no name")
		case p.GetLabel(ManagedByLabel) == ManagedByRuntimeSync:
			continue
		case sources[p.GetName()] != nil:
			return nil, nil, kit.Errorf(p, "metadata.name", "given twice")
		}
		sources[p.GetName()] = p
	}
	for _, name := range slices.Sorted(maps.Keys(sources)) {
		items = append(items, sources[name].Copy())
	}
	return items, sources, nil
}

func buildNamespace(o *fn.KubeObject, ns string, wp ingress.Gateway) error {
	labels := map[string]string{dataplaneModeLabel: dataplaneModeAmbient, useWaypointLabel: wp.Name, ingressUseWaypoint: "true"}
	if wp.Namespace != "" && wp.Namespace != ns {
		labels[useWaypointNamespaceLabel] = wp.Namespace
	}
	for _, err := range []error{o.SetAPIVersion("v1"), o.SetKind(kit.NamespaceKind.Kind), o.SetName(ns), o.SetNestedStringMap(labels, "metadata", "labels")} {
		if err != nil {
			return err
		}
	}
	return nil
}

// runtimeSourceEffect reports what the unedited source of a moved policy
// still does on ztunnel, where its controller keeps it.
func (m *migration) runtimeSourceEffect(p *policy) {
	switch p.action {
	case "ALLOW":
		m.info(p.obj, "spec.rules", "the source stays as its controller wrote it: ztunnel keeps only its L4 rules, which its companion holds too, so together they allow nothing its rules did not")
	case "DENY":
		m.warn(p.obj, "spec.rules", "the source stays as its controller wrote it: ztunnel enforces each of its rules without the L7 parts (%s) against every client, the waypoint included, so it also denies requests the waypoint admitted wherever those L4 parts match (a rule that is all L7 matches every request): it denies more than with sidecars, never less",
			strings.Join(p.l7, ", "))
	default:
		m.info(p.obj, "spec.action", "the source stays as its controller wrote it: ztunnel ignores action %s", p.action)
	}
}

// namespaceMigration collects what the run derived, per source, with the
// run-time labels, and turns the results into findings.
func (m *migration) namespaceMigration(sources map[string]*fn.KubeObject, results fn.Results) (*NamespaceMigration, error) {
	out := &NamespaceMigration{Derived: map[string][]*fn.KubeObject{}, Findings: map[string][]kit.Finding{}}
	add := func(source string, o *fn.KubeObject) error {
		parts, err := splitTargetRefs(o)
		if err != nil {
			return err
		}
		for _, part := range parts {
			if err := setRuntimeMeta(part, source); err != nil {
				return err
			}
			out.Derived[source] = append(out.Derived[source], part)
		}
		return nil
	}
	for _, p := range m.rt.moved {
		o, err := waypointCopy(p)
		if err != nil {
			return nil, err
		}
		if err := add(p.obj.GetName(), o); err != nil {
			return nil, err
		}
	}
	for _, o := range m.added {
		switch src := m.rt.derivedFrom[o]; {
		case src != nil:
			if err := add(src.obj.GetName(), o); err != nil {
				return nil, err
			}
		case kit.GatewayKind.Is(o):
			if err := setRuntimeMeta(o, ""); err != nil {
				return nil, err
			}
			out.Waypoint = o
		}
	}
	if err := checkNames(sources, out.Derived); err != nil {
		return nil, err
	}
	for _, list := range out.Derived {
		sort.Slice(list, func(i, j int) bool { return list[i].GetName() < list[j].GetName() })
	}
	for _, r := range results {
		key := ""
		if ref := r.ResourceRef; ref != nil && ref.Kind == istio.AuthorizationPolicyKind.Kind && sources[ref.Name] != nil {
			key = ref.Name
		}
		f := kit.Finding{Severity: r.Severity, Message: r.Message}
		if r.Field != nil {
			f.Field = r.Field.Path
		}
		out.Findings[key] = append(out.Findings[key], f)
	}
	return out, nil
}
