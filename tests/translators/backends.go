package translators

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// backendNames names the backend a cluster of either side sends to, so that
// both sides compare. Where the bundle's Service has a selector, the name
// is the pods reached: the namespace, the selector (plus the labels of the
// DestinationRule subset on Istio's side) and the target port, so that
// Istio's subset of a Service and the per-version Service kgateway-route
// routes it to compare equal exactly when they select the same pods. Else
// the Service and port (service).
func backendNames(objs []object, domain string) func(cluster string) string {
	services := map[string]object{}
	subsets := map[string]map[string]any{}
	for _, o := range objs {
		ns, name := meta(o)
		switch {
		case group(o) == "" && kind(o) == "Service":
			services[ns+"/"+name] = o
		case isKind(o, istioNetworking, "DestinationRule"):
			host, _ := spec(o)["host"].(string)
			hostNS, svc := serviceOfHost(host, ns, domain)
			for _, s := range list(spec(o)["subsets"]) {
				subset, _ := mapOf(s)["name"].(string)
				subsets[hostNS+"/"+svc+"|"+subset] = mapOf(mapOf(s)["labels"])
			}
		}
	}
	return func(cluster string) string {
		ns, name, port, subset, ok := clusterBackend(cluster)
		if !ok {
			return cluster
		}
		svc := services[ns+"/"+name]
		selector := maps.Clone(mapOf(spec(svc)["selector"]))
		labels, known := subsets[ns+"/"+name+"|"+subset]
		if len(selector) == 0 || subset != "" && !known {
			return service(cluster)
		}
		maps.Copy(selector, labels)
		var sel []string
		for _, k := range slices.Sorted(maps.Keys(selector)) {
			sel = append(sel, fmt.Sprintf("%s=%v", k, selector[k]))
		}
		return fmt.Sprintf("pods %s{%s}:%s", ns, strings.Join(sel, ","), targetPort(svc, port))
	}
}

// clusterBackend parses a cluster name of either side.
func clusterBackend(cluster string) (ns, name, port, subset string, ok bool) {
	if m := istioCluster.FindStringSubmatch(cluster); m != nil {
		return m[4], m[3], m[1], m[2], true
	}
	if m := kgatewayCluster.FindStringSubmatch(cluster); m != nil {
		return m[1], m[2], m[3], "", true
	}
	return "", "", "", "", false
}

// targetPort is the target port of a Service's port (the port itself when
// unset).
func targetPort(svc object, port string) string {
	for _, p := range list(spec(svc)["ports"]) {
		if fmt.Sprint(mapOf(p)["port"]) != port {
			continue
		}
		if t, set := mapOf(p)["targetPort"]; set {
			return fmt.Sprint(t)
		}
	}
	return port
}
