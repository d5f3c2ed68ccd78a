package ambientmesh

import "github.com/kfgitops/kfgitops/kit"

// The API server's calls into the bundle, and what admits them. The API
// server calls webhooks and aggregated APIs from outside the mesh, in plain
// text and with no mesh identity, so only a rule without sources admits it.

// serviceCallFields are where an object names a Service the API server
// calls, by kind; admission webhooks are read by kit.AdmissionWebhooks.
var serviceCallFields = map[kit.GroupKind][]string{
	kit.CustomResourceDefinitionKind: {"spec", "conversion", "webhook", "clientConfig", "service"},
	kit.APIServiceKind:               {"spec", "service"},
}

// apiServerAccessLabel marks the AuthorizationPolicies that admit the API
// server to a webhook backend: a re-run recomputes them and drops the ones
// no webhook needs any more.
const (
	apiServerAccessLabel  = "fn.kfgitops.dev/ambient-mesh-admits"
	apiServerAccessValue  = "kube-apiserver"
	apiServerPolicySuffix = "-apiserver"
)
