package kgatewayroute

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// Destination subsets. Istio routes a destination with a subset to the
// pods of its Service that carry the subset's labels (the DestinationRule
// of the Service's host says which). An HTTPRoute backend is a Service
// whole, so a subset converts exactly only to a Service that selects
// exactly those pods: mapped in the config, or found in the bundle. The
// whole Service instead would change routing (a canary's 80/20 split would
// reach both versions alike); that is only done when the config opts in.

type subsetKey struct{ namespace, service, subset string }

// subsetIndex holds what the bundle says about subsets: the subsets'
// labels and the Services with their selectors.
type subsetIndex struct {
	rules    map[subsetKey]subsetRule
	services map[string][]bundleService // by namespace
}

type subsetRule struct {
	rule   string // the DestinationRule, namespace/name
	labels map[string]string
	// conflict names a second DestinationRule that defines the subset.
	conflict string
}

type bundleService struct {
	name     string
	selector map[string]string
	ports    map[int32]string // port: targetPort
}

func newSubsetIndex() *subsetIndex {
	return &subsetIndex{rules: map[subsetKey]subsetRule{}, services: map[string][]bundleService{}}
}

// addRule indexes the subsets of a DestinationRule whose host is a
// Kubernetes Service.
func (x *subsetIndex) addRule(o *fn.KubeObject, domain string) {
	host, _, _ := o.NestedString("spec", "host")
	name, ns, ok := serviceHost(host, o.GetNamespace(), domain)
	if !ok {
		return
	}
	subsets, _, _ := o.NestedSlice("spec", "subsets")
	id := o.GetNamespace() + "/" + o.GetName()
	for _, s := range subsets {
		subset, _, _ := s.NestedString("name")
		labels, _, _ := s.NestedStringMap("labels")
		k := subsetKey{ns, name, subset}
		if prev, seen := x.rules[k]; seen {
			prev.conflict = id
			x.rules[k] = prev
			continue
		}
		x.rules[k] = subsetRule{rule: id, labels: labels}
	}
}

func (x *subsetIndex) addService(o *fn.KubeObject) {
	selector, _, _ := o.NestedStringMap("spec", "selector")
	s := bundleService{name: o.GetName(), selector: selector, ports: map[int32]string{}}
	ports, _, _ := o.NestedSlice("spec", "ports")
	for _, p := range ports {
		n, _, _ := p.NestedInt64("port")
		// targetPort is a number or a port name; unset, it is the port.
		target := strconv.FormatInt(n, 10)
		if t, found, err := p.NestedInt64("targetPort"); found && err == nil {
			target = strconv.FormatInt(t, 10)
		} else if name, found, err := p.NestedString("targetPort"); found && err == nil {
			target = name
		}
		s.ports[int32(n)] = target
	}
	x.services[o.GetNamespace()] = append(x.services[o.GetNamespace()], s)
}

func (x *subsetIndex) service(ns, name string) (bundleService, bool) {
	i := slices.IndexFunc(x.services[ns], func(s bundleService) bool { return s.name == name })
	if i < 0 {
		return bundleService{}, false
	}
	return x.services[ns][i], true
}

// derive finds the bundle's Service that selects exactly the pods of a
// subset on port; "" and why not otherwise.
func (x *subsetIndex) derive(k subsetKey, port int32) (service, how, whyNot string) {
	r, ok := x.rules[k]
	switch {
	case !ok:
		return "", "", "no DestinationRule in the bundle defines it"
	case r.conflict != "":
		return "", "", fmt.Sprintf("DestinationRules %s and %s both define it", r.rule, r.conflict)
	}
	host, ok := x.service(k.namespace, k.service)
	if !ok {
		return "", "", fmt.Sprintf("Service %s/%s is not in the bundle", k.namespace, k.service)
	}
	want := maps.Clone(host.selector)
	for l, v := range r.labels {
		if hv, set := want[l]; set && hv != v {
			return "", "", fmt.Sprintf("its labels (DestinationRule %s) contradict the Service's selector on %s", r.rule, l)
		}
		if want == nil {
			want = map[string]string{}
		}
		want[l] = v
	}
	var found []string
	for _, s := range x.services[k.namespace] {
		if s.name != k.service && maps.Equal(s.selector, want) && s.ports[port] != "" && s.ports[port] == host.ports[port] {
			found = append(found, s.name)
		}
	}
	switch len(found) {
	case 0:
		return "", "", fmt.Sprintf("no Service in namespace %s selects exactly its pods (selector %s) with port %d to the same target port", k.namespace, selectorString(want), port)
	case 1:
		return found[0], fmt.Sprintf("Service %s/%s selects exactly its pods (DestinationRule %s labels and Service %s's selector: %s)", k.namespace, found[0], r.rule, k.service, selectorString(want)), ""
	}
	slices.Sort(found)
	return "", "", fmt.Sprintf("Services %s all select exactly its pods", strings.Join(found, ", "))
}

// subsetService is the Service a destination with a subset routes to:
// the config's mapping, else the one derived from the bundle, else (with
// lossySubsets) the whole Service, reported. false: none, and the
// VirtualService is refused, an error naming the field.
func (v *vsConverter) subsetService(field string, k subsetKey, port int32) (string, bool) {
	for _, s := range v.cfg.Subsets {
		name, ns, _ := serviceHost(s.Host, "", v.cfg.ClusterDomain)
		if name == k.service && ns == k.namespace && s.Subset == k.subset {
			v.info(field, "subset %s of Service %s/%s: Service %s (config subsets)", k.subset, k.namespace, k.service, s.Service)
			return s.Service, true
		}
	}
	whyNot := "the config's subsets do not map it, and the bundle's DestinationRules and Services are not known here"
	if v.subsets != nil {
		service, how, why := v.subsets.derive(k, port)
		if service != "" {
			v.info(field, "subset %s of Service %s/%s: %s", k.subset, k.namespace, k.service, how)
			return service, true
		}
		whyNot = "the config's subsets do not map it and " + why
	}
	if v.cfg.LossySubsets {
		v.warn(field, "subset %s of Service %s/%s: %s; routed to the whole Service (lossySubsets), which reaches the pods of every subset", k.subset, k.namespace, k.service, whyNot)
		return k.service, true
	}
	v.refused = true
	v.findings = append(v.findings, kit.Finding{Severity: fn.Error, Field: field, Message: fmt.Sprintf(
		"subset %s of Service %s/%s cannot be routed exactly: %s. The VirtualService is kept, not converted: map the subset in subsets ({host, subset, service}), add a Service that selects exactly its pods, or set lossySubsets: true to route to the whole Service",
		k.subset, k.namespace, k.service, whyNot)})
	return "", false
}

func selectorString(m map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, k+"="+m[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
