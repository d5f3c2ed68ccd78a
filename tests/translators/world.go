package translators

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// istioGatewayRef is the Istio Gateway whose VirtualServices are compared:
// kgateway-route's istioGateway (default kubeflow/kubeflow-gateway).
func istioGatewayRef(fnConfig object, items []object) string {
	for _, m := range []map[string]any{fnConfig, mapOf(fnConfig["data"])} {
		if s, ok := m["istioGateway"].(string); ok && s != "" {
			return s
		}
	}
	// A bundle that is not Kubeflow's (the generic preset): its one Istio
	// Gateway.
	const kubeflow = "kubeflow/kubeflow-gateway"
	var found []string
	for _, o := range items {
		ns, name := meta(o)
		if isKind(o, istioNetworking, "Gateway") {
			found = append(found, ns+"/"+name)
		}
		if ns == "kubeflow" || isKind(o, istioNetworking, "VirtualService") && len(boundVirtualServices([]object{o}, kubeflow)) > 0 {
			return kubeflow
		}
	}
	if len(found) == 1 {
		return found[0]
	}
	return kubeflow
}

func localConfig(o object) bool {
	md, _ := o["metadata"].(map[string]any)
	return mapOf(md["annotations"])["config.kubernetes.io/local-config"] == "true"
}

// serviceNames is the set of the Services in objs, as namespace/name.
func serviceNames(objs []object) map[string]bool {
	have := map[string]bool{}
	for _, o := range objs {
		if group(o) == "" && kind(o) == "Service" {
			ns, name := meta(o)
			have[ns+"/"+name] = true
		}
	}
	return have
}

// standInService is a Service standing in for a backend the bundle does not hold:
// one http port.
func standInService(ns, name string, port int) object {
	return object{"apiVersion": "v1", "kind": "Service",
		"metadata": map[string]any{"name": name, "namespace": ns},
		"spec":     map[string]any{"ports": []any{map[string]any{"name": "http", "port": port}}}}
}

// withBackendServices adds a Service for every backend an HTTPRoute or a
// GatewayExtension of the output names that the bundle does not contain
// (the examples' auth backends live in manifests the example leaves out).
func withBackendServices(out []object) []object {
	have := serviceNames(out)
	res := slices.Clone(out)
	for _, o := range out {
		ns, _ := meta(o)
		for _, ref := range backendRefs(o) {
			refNS, _ := ref["namespace"].(string)
			if refNS == "" {
				refNS = ns
			}
			name, _ := ref["name"].(string)
			port, _ := ref["port"].(float64)
			if name == "" || have[refNS+"/"+name] || ref["kind"] != nil && ref["kind"] != "Service" {
				continue
			}
			have[refNS+"/"+name] = true
			res = append(res, standInService(refNS, name, int(port)))
		}
	}
	return res
}

// backendRefs are the backendRefs anywhere in o's spec.
func backendRefs(o object) []map[string]any {
	var out []map[string]any
	var walk func(v any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			for k, c := range t {
				if k == "backendRef" {
					out = append(out, mapOf(c))
				} else if k == "backendRefs" {
					for _, r := range list(c) {
						out = append(out, mapOf(r))
					}
				} else {
					walk(c)
				}
			}
		case []any:
			for _, c := range t {
				walk(c)
			}
		}
	}
	walk(spec(o))
	return out
}

// boundVirtualServices are the VirtualServices bound to the Istio Gateway
// ns/name, written either "name" in its namespace or "ns/name".
func boundVirtualServices(items []object, gwRef string) []object {
	gwNS, gwName, _ := strings.Cut(gwRef, "/")
	var out []object
	for _, o := range items {
		if !isKind(o, istioNetworking, "VirtualService") || localConfig(o) {
			continue // a local-config object is never applied
		}
		ns, _ := meta(o)
		for _, g := range list(spec(o)["gateways"]) {
			s, _ := g.(string)
			if s == gwRef || s == gwName && ns == gwNS {
				out = append(out, o)
				break
			}
		}
	}
	return out
}

// findIstioGateway is the Istio Gateway ns/name of items.
func findIstioGateway(items []object, gwRef string) (object, error) {
	for _, o := range items {
		if ns, name := meta(o); isKind(o, istioNetworking, "Gateway") && ns+"/"+name == gwRef {
			return o, nil
		}
	}
	return nil, fmt.Errorf("no Istio Gateway %s in the input", gwRef)
}

// withDestinationServices adds a Service for every VirtualService
// destination the bundle has none for (the golden cases name Services they
// do not contain): ns/name with the destination's port, or 80.
func withDestinationServices(items []object, gwRef, clusterDomain string) []object {
	have := serviceNames(items)
	out := slices.Clone(items)
	for _, vs := range boundVirtualServices(items, gwRef) {
		vsNS, _ := meta(vs)
		for _, h := range list(spec(vs)["http"]) {
			for _, r := range list(mapOf(h)["route"]) {
				d := mapOf(mapOf(r)["destination"])
				host, _ := d["host"].(string)
				ns, name := serviceOfHost(host, vsNS, clusterDomain)
				if name == "" || have[ns+"/"+name] {
					continue
				}
				port := 80
				if n, ok := mapOf(d["port"])["number"].(float64); ok {
					port = int(n)
				}
				have[ns+"/"+name] = true
				out = append(out, standInService(ns, name, port))
			}
		}
	}
	return out
}

// serviceOfHost is the Service a destination host names: name,
// name.ns, name.ns.svc, name.ns.svc.<domain>; "" for other hosts.
func serviceOfHost(host, vsNS, domain string) (ns, name string) {
	host = strings.TrimSuffix(strings.TrimSuffix(host, "."+domain), ".svc")
	parts := strings.Split(host, ".")
	switch len(parts) {
	case 1:
		return vsNS, parts[0]
	case 2:
		return parts[1], parts[0]
	}
	return "", ""
}

// services decodes the bundle's Services.
func services(items []object) ([]corev1.Service, error) {
	var out []corev1.Service
	for _, o := range items {
		if group(o) != "" || kind(o) != "Service" {
			continue
		}
		b, err := yaml.Marshal(o)
		if err != nil {
			return nil, err
		}
		var s corev1.Service
		if err := yaml.Unmarshal(b, &s); err != nil {
			return nil, fmt.Errorf("%s: %w", id(o), err)
		}
		out = append(out, s)
	}
	return out, nil
}

// kgatewayInput is what kgateway's translator reads of the pipeline's
// output: Gateway API and kgateway objects, Services, Secrets, and the Namespace of
// every object (labelled kubernetes.io/metadata.name, as the API server
// labels every Namespace, since listeners select namespaces by it).
func kgatewayInput(out []object) []object {
	var objs []object
	namespaces := map[string]object{}
	for _, o := range out {
		g := group(o)
		switch {
		case g == "" && kind(o) == "Namespace":
			_, name := meta(o)
			namespaces[name] = o
		case isKind(o, "gateway.networking.k8s.io", "ReferenceGrant"):
			// kgateway watches ReferenceGrant v1beta1; the API server serves
			// a v1 grant at v1beta1 too (one schema, no conversion).
			rg := deepCopy(o)
			rg["apiVersion"] = "gateway.networking.k8s.io/v1beta1"
			objs = append(objs, rg)
		case g == "" && (kind(o) == "Service" || kind(o) == "Secret"), g == "gateway.networking.k8s.io", g == "gateway.kgateway.dev":
			objs = append(objs, o)
		}
	}
	// A namespace the bundle does not create exists in the cluster already;
	// kgateway-route warns that its routes attach only once it carries the
	// label the Gateway's listeners select, so it is made as the operator
	// told by that warning makes it: with those labels.
	admitted := listenerSelectorLabels(out)
	for _, o := range objs {
		if ns, _ := meta(o); ns != "" && namespaces[ns] == nil {
			labels := map[string]any{}
			maps.Copy(labels, admitted)
			namespaces[ns] = object{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": ns, "labels": labels}}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(namespaces)) {
		ns := deepCopy(namespaces[name])
		md := ns["metadata"].(map[string]any)
		labels, _ := md["labels"].(map[string]any)
		if labels == nil {
			labels = map[string]any{}
		}
		labels["kubernetes.io/metadata.name"] = name
		md["labels"] = labels
		objs = append(objs, ns)
	}
	return objs
}

// listenerSelectorLabels are the matchLabels the Gateways' listeners admit
// route namespaces by.
func listenerSelectorLabels(out []object) map[string]any {
	labels := map[string]any{}
	for _, o := range out {
		if !isKind(o, "gateway.networking.k8s.io", "Gateway") {
			continue
		}
		spec, _ := o["spec"].(map[string]any)
		for _, l := range list(spec["listeners"]) {
			allowed, _ := mapOf(l)["allowedRoutes"].(map[string]any)
			nss, _ := allowed["namespaces"].(map[string]any)
			sel, _ := nss["selector"].(map[string]any)
			ml, _ := sel["matchLabels"].(map[string]any)
			maps.Copy(labels, ml)
		}
	}
	return labels
}

func deepCopy(o object) object {
	b, _ := yaml.Marshal(o)
	var c object
	_ = yaml.Unmarshal(b, &c)
	return c
}

func list(v any) []any { l, _ := v.([]any); return l }

func mapOf(v any) map[string]any { m, _ := v.(map[string]any); return m }
