package verify

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kfgitops/kfgitops/kit/istio"
)

// summary is the one-line account of what the bundle holds and what was
// found: objects per sync wave, routes, ambient namespaces, policies on
// waypoints, results.
func summary(b *bundle, r *reporter, disabled []string) string {
	waves := map[int]int{}
	for _, o := range b.items {
		waves[b.wave(o)]++
	}
	order := make([]int, 0, len(waves))
	for w := range waves {
		order = append(order, w)
	}
	sort.Ints(order)
	var wv []string
	for _, w := range order {
		wv = append(wv, fmt.Sprintf("%d:%d", w, waves[w]))
	}
	migrated := 0
	for _, p := range b.byKind[istio.AuthorizationPolicyKind] {
		if refs, _, _ := p.NestedSlice("spec", "targetRefs"); len(refs) > 0 {
			migrated++
		}
	}
	ambient := b.ambientNamespaces()
	s := fmt.Sprintf("verify: %d objects, %d errors, %d warnings; objects per wave {%s}; %d routes; %d ambient namespaces [%s]; %d AuthorizationPolicies on targetRefs",
		len(b.all), r.errors, r.warnings, strings.Join(wv, " "), len(b.routes()), len(ambient), strings.Join(ambient, " "), migrated)
	if len(disabled) > 0 {
		s += "; disabled checks: " + strings.Join(disabled, ", ")
	}
	return s
}
