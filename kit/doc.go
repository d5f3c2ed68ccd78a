// Package kit is the small shared toolkit every kfgitops KRM function is
// built on: version-blind group/kind matching, object scope from the bundle's
// CRDs, pod-template walking, strict functionConfig decoding and result
// helpers. Functions stay thin filters over *fn.KubeObject; anything two
// functions need lives here instead of being copied.
package kit
