// Package kit is the generic toolkit the kfgitops KRM functions are built
// on, usable by any KRM function: version-blind group/kind matching and
// object identity, object scope from the bundle's CRDs, pod-template
// walking, selectors, strict functionConfig decoding, result helpers, the
// Definition that turns a typed config and a Run step into a function,
// Service-to-workload resolution and the admission-webhook matching the API
// server does. Functions stay thin filters over *fn.KubeObject; anything two
// functions need lives here instead of being copied.
//
// What belongs to one product lives in its own package, next to kit:
// kit/istio (Istio's groups and kinds, the ztunnel/waypoint split of
// AuthorizationPolicy attributes, sidecar-only keys), kit/argocd (the in-wave
// kind order, sync waves and sync options), kit/ingress (the identity of the
// kgateway Gateway that replaces Istio's ingress gateway) and kit/kubeflow
// (upstream Kubeflow's defaults); kit/meshauthz evaluates Istio
// AuthorizationPolicies and kit/netpol Kubernetes NetworkPolicies for
// tests. kit/preset decides whether a function applies the Kubeflow
// defaults. The other subpackages are test and I/O
// machinery: krmio (ResourceList I/O), yamltree (API-server YAML reading),
// crdschema (CRD validation), golden, conformance and corpus (tests).
package kit
