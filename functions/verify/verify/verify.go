// Package verify is a KRM validator: it changes no object and fails with
// error results naming object and field when the bundle would not be
// admitted by the cluster or would not work once it is: objects that do not
// validate against their CRD (OpenAPI schema and CEL rules), references that
// do not resolve, Argo CD sync waves that apply an object before what it
// needs, and mesh settings that break under Istio ambient.
package verify

import (
	"fmt"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// Kind is the typed functionConfig kind.
const Kind = "Verify"

// Config is the functionConfig.
type Config struct {
	// Diagnostics is failOn: error (the default) or warning.
	kit.Diagnostics
	// Disable lists checks (by name, see Checks) that are not run.
	Disable []string `json:"disable,omitempty"`
	// ExternalObjects are objects that references may point at although the
	// bundle does not hold them, because they are installed otherwise
	// (e.g. a Gateway managed by another team). Fields are globs.
	ExternalObjects []kit.ObjectRef `json:"externalObjects,omitempty"`
	// PodTemplatePaths are extra places where custom resources embed pod
	// templates, on top of the built-in workloads and Kubeflow's CRs; Service
	// selectors and webhook backends are resolved through them.
	PodTemplatePaths []kit.PodTemplatePath `json:"podTemplatePaths,omitempty"`
	// AllowedSidecarKeys are sidecar keys that may stay in pod templates
	// (sidecar.istio.io/inject: "false" always may).
	AllowedSidecarKeys []string `json:"allowedSidecarKeys,omitempty"`
	// CreateNamespaces says whether whatever deploys the bundle creates the
	// namespaces objects live in when the bundle holds no Namespace for them:
	// false makes such objects errors, true warnings. Unset: errors when the
	// bundle holds Argo CD Applications (they create at most their
	// destination namespace), warnings otherwise.
	CreateNamespaces *bool `json:"createNamespaces,omitempty"`
}

// Defaults runs every check, for upstream Kubeflow.
func Defaults() Config { return Config{} }

// Validate rejects unknown check names and malformed globs.
func (c *Config) Validate() error {
	for i, name := range c.Disable {
		if _, ok := checkByName(name); !ok {
			return fmt.Errorf("disable[%d]: unknown check %q (checks: %s)", i, name, strings.Join(CheckNames(), ", "))
		}
	}
	for i, r := range c.ExternalObjects {
		if err := r.Validate(); err != nil {
			return fmt.Errorf("externalObjects[%d]: %w", i, err)
		}
	}
	return nil
}

// Function is verify.
var Function = kit.Definition[Config]{FunctionName: "verify", Kind: Kind, Defaults: Defaults, Run: Run}

// A check is one named invariant (README.md describes each).
type check struct {
	name string
	run  func(b *bundle, r *reporter) error
}

// Checks in the order they run; names are what Config.Disable lists.
var checks = []check{
	{"field-types", checkFieldTypes},                   // well-known fields have the types the API server decodes: metadata and its fields (annotations and labels maps of strings, namespace a string), spec a mapping, pod template containers a list
	{"object-meta", checkObjectMeta},                   // metadata as the API server validates it: field types, name and namespace format per kind, labels, annotations (256 KiB total), owner references, finalizers
	{"builtin-schema", checkBuiltinSchemas},            // objects of built-in kinds decode into their API types: no field of the wrong type, no unknown field
	{"kustomize-vars", checkKustomizeVars},             // no unreplaced kustomize var $(name) in a name or namespace (errors) or another string field (warnings)
	{"namespaces", checkNamespaces},                    // every namespaced object's namespace is created by the bundle (or the deployer, see createNamespaces)
	{"crd-schema", checkCRDSchemas},                    // custom resources validate against their CRD: OpenAPI schema, unknown fields, x-kubernetes-validations CEL rules
	{"route-parents", checkRouteParents},               // HTTPRoute/GRPCRoute parentRefs name a Gateway (listener, port) whose allowedRoutes admit the route
	{"route-backends", checkRouteBackends},             // route backendRefs name an existing Service and one of its ports (or another existing backend object)
	{"reference-grants", checkReferenceGrants},         // cross-namespace backendRefs and Gateway certificateRefs are allowed by a ReferenceGrant in the target namespace
	{"gateway-certificates", checkGatewayCertificates}, // Gateway listener certificateRefs name a Secret of the bundle or one a cert-manager Certificate writes
	{"policy-targets", checkPolicyTargets},             // targetRefs of Istio and kgateway policies name existing objects
	{"waypoints", checkWaypoints},                      // istio.io/use-waypoint labels name an existing waypoint Gateway that serves that kind of traffic
	{"webhook-services", checkWebhookServices},         // admission, conversion and APIService clientConfig services exist and expose the port
	{"service-selectors", checkServiceSelectors},       // every Service selector matches the pod template of some workload in its namespace
	{"crd-waves", checkCRDWaves},                       // every custom resource is in a later sync wave than its CRD
	{"webhook-waves", checkWebhookWaves},               // every object a fail-closed webhook intercepts is in a later sync wave than the webhook's backend workload
	{"sidecar-keys", checkSidecarKeys},                 // no pod template keeps sidecar-only labels or annotations, except sidecar.istio.io/inject: "false"
	{"ambient-l7", checkAmbientL7},                     // no AuthorizationPolicy with L7 attributes or a CUSTOM/AUDIT action uses a selector in an ambient namespace (ztunnel ignores L7)
}

// CheckNames lists every check name.
func CheckNames() []string {
	names := make([]string, len(checks))
	for i, c := range checks {
		names[i] = c.name
	}
	return names
}

func checkByName(name string) (check, bool) {
	for _, c := range checks {
		if c.name == name {
			return c, true
		}
	}
	return check{}, false
}

// Run verifies rl.Items; it never changes them.
func Run(rl *fn.ResourceList, cfg *Config) error {
	b := newBundle(kit.EditableItems(rl.Items), cfg)
	r := &reporter{results: &rl.Results}
	disabled := map[string]bool{}
	for _, name := range cfg.Disable {
		disabled[name] = true
	}
	for _, c := range checks {
		if disabled[c.name] {
			continue
		}
		r.check = c.name
		if err := c.run(b, r); err != nil {
			return err
		}
	}
	kit.Summary(&rl.Results, "%s", summary(b, r, cfg.Disable))
	return nil
}

// reporter appends results that name the check they come from, so that a
// user knows what to disable.
type reporter struct {
	results          *fn.Results
	check            string
	errors, warnings int
}

func (r *reporter) errorf(o *fn.KubeObject, field, format string, a ...any) {
	r.errors++
	kit.Error(r.results, o, field, "%s: %s", r.check, fmt.Sprintf(format, a...))
}

func (r *reporter) warnf(o *fn.KubeObject, field, format string, a ...any) {
	r.warnings++
	kit.Warning(r.results, o, field, "%s: %s", r.check, fmt.Sprintf(format, a...))
}
