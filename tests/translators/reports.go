package translators

import (
	"fmt"
	"slices"

	"github.com/kfgitops/kfgitops/tests/translators/kgateway"
)

// policyKinds are the kgateway policies whose reports say where they attach.
var policyKinds = []string{"TrafficPolicy", "ListenerPolicy", "HTTPListenerPolicy"}

// checkReports counts, from kgateway's reports, the HTTPRoutes accepted
// with every reference resolved and the policies attached without error:
// TrafficPolicies and ListenerPolicies by their own status; a
// GatewayExtension when an attached TrafficPolicy uses it and the listener
// runs its filter; GatewayParameters when the accepted Gateway refers to it.
func checkReports(res *caseResult, kgw *kgateway.Result, kin []object, hcm *connectionManager) {
	attachedExt := map[string]bool{}
	for _, o := range kin {
		ns, name := meta(o)
		switch {
		case isKind(o, "gateway.networking.k8s.io", "HTTPRoute"):
			res.routes++
			if p := kgw.RouteProblem(ns, name); p != "" {
				res.problems = append(res.problems, fmt.Sprintf("%s: %s", id(o), p))
			} else {
				res.routesOK++
			}
		case group(o) == "gateway.kgateway.dev" && slices.Contains(policyKinds, kind(o)):
			res.policies++
			if p := kgw.PolicyProblem(group(o), kind(o), ns, name); p != "" {
				res.problems = append(res.problems, fmt.Sprintf("%s: %s", id(o), p))
				continue
			}
			res.policiesOK++
			for _, f := range []string{"extAuth", "jwtAuth"} {
				if ref, ok := mapOf(mapOf(spec(o)[f])["extensionRef"])["name"].(string); ok {
					attachedExt[ns+"/"+ref] = true
				}
			}
		}
	}
	for _, o := range kin {
		ns, name := meta(o)
		switch {
		case isKind(o, "gateway.kgateway.dev", "GatewayExtension"):
			res.policies++
			if p := extensionProblem(o, attachedExt[ns+"/"+name], hcm); p != "" {
				res.problems = append(res.problems, fmt.Sprintf("%s: %s", id(o), p))
			} else {
				res.policiesOK++
			}
		case isKind(o, "gateway.kgateway.dev", "GatewayParameters"):
			res.policies++
			if p := parametersProblem(kgw, kin, ns, name); p != "" {
				res.problems = append(res.problems, fmt.Sprintf("%s: %s", id(o), p))
			} else {
				res.policiesOK++
			}
		}
	}
}

// extensionProblem: a GatewayExtension is in effect when an attached
// TrafficPolicy refers to it and the listener runs a filter of its type.
func extensionProblem(o object, referenced bool, hcm *connectionManager) string {
	if !referenced {
		return "no attached TrafficPolicy refers to it"
	}
	want := map[string]string{"extAuth": extAuthzType, "jwt": jwtType}
	for field, typ := range want {
		if spec(o)[field] == nil {
			continue
		}
		if findAuthFilter(hcm, typ).index < 0 {
			return fmt.Sprintf("the listener runs no %s filter for it", typ)
		}
	}
	return ""
}

// parametersProblem: GatewayParameters are in effect when a Gateway that
// kgateway accepted refers to them.
func parametersProblem(kgw *kgateway.Result, kin []object, ns, name string) string {
	for _, o := range kin {
		gwNS, gwName := meta(o)
		if !isKind(o, "gateway.networking.k8s.io", "Gateway") || gwNS != ns {
			continue
		}
		ref := mapOf(mapOf(spec(o)["infrastructure"])["parametersRef"])
		if ref["kind"] == "GatewayParameters" && ref["name"] == name {
			return kgw.GatewayProblem(gwNS, gwName)
		}
	}
	return "no Gateway refers to them"
}
