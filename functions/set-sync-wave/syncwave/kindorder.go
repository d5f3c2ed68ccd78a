package syncwave

import "github.com/kfgitops/kfgitops/kit"

// kindRank is Argo CD's in-wave rank of a kind (kit.ArgoCDKindRank). A
// dependency on an object whose kind comes strictly earlier is met inside
// one wave when it only needs to exist; anything else needs a wave boundary.
func kindRank(kind string) int { return kit.ArgoCDKindRank(kind) }
