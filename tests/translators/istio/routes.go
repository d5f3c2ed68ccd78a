// Package istio runs Istio's own route generation (pilot's gateway config
// generator, istio.io/istio pilot/pkg/networking/core, on its in-memory
// config store and service registry) for an Istio ingress gateway: the
// Envoy route table that gateway's proxy is sent for one port.
package istio

import (
	"fmt"
	"strconv"
	"strings"

	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"istio.io/istio/pilot/pkg/config/kube/crd"
	"istio.io/istio/pilot/pkg/model"
	"istio.io/istio/pilot/pkg/networking/core"
	"istio.io/istio/pilot/pkg/serviceregistry/kube"
	"istio.io/istio/pkg/test"
)

// Version is the Istio version the gateway proxy reports (Kubeflow's pin).
const Version = "1.29.1"

// Input is what Istio's route generation reads.
type Input struct {
	Gateway         map[string]any   // the Istio Gateway
	VirtualServices []map[string]any // VirtualServices (those bound to other gateways are ignored by Istio)
	Services        []corev1.Service // the Services destinations resolve to
	ClusterDomain   string           // default cluster.local
}

// Routes is the route table Istio generates for port of the gateway's
// proxy: a router in the Istio Gateway's namespace whose labels are the
// Gateway's selector.
func Routes(t test.Failer, in Input, port int) (*routev3.RouteConfiguration, error) {
	domain := in.ClusterDomain
	if domain == "" {
		domain = "cluster.local"
	}
	var docs []string
	for _, o := range append([]map[string]any{in.Gateway}, in.VirtualServices...) {
		b, err := yaml.Marshal(o)
		if err != nil {
			return nil, err
		}
		docs = append(docs, string(b))
	}
	var services []*model.Service
	for _, s := range in.Services {
		services = append(services, kube.ConvertService(s, nil, domain, "Kubernetes", domain))
	}
	configs, _, err := crd.ParseInputs(strings.Join(docs, "---\n"))
	if err != nil {
		return nil, fmt.Errorf("Istio config: %w", err)
	}
	for i := range configs {
		// As Istio's Kubernetes config controller sets it: short destination
		// hosts resolve to <name>.<namespace>.svc.<domain>.
		configs[i].Domain = domain
	}
	cg := core.NewConfigGenTest(t, core.TestOptions{Configs: configs, Services: services})
	selector, ns, err := gatewaySelector(in.Gateway)
	if err != nil {
		return nil, err
	}
	proxy := cg.SetupProxy(&model.Proxy{
		Type:            model.Router,
		ConfigNamespace: ns,
		Labels:          selector,
		Metadata:        &model.NodeMetadata{Namespace: ns, Labels: selector, IstioVersion: Version},
		DNSDomain:       ns + ".svc." + domain,
	})
	name := "http." + strconv.Itoa(port)
	resources, _ := cg.ConfigGen.BuildHTTPRoutes(proxy, &model.PushRequest{Push: cg.PushContext()}, []string{name})
	for _, r := range resources {
		rc := &routev3.RouteConfiguration{}
		if err := r.Resource.UnmarshalTo(rc); err != nil {
			return nil, err
		}
		if rc.GetName() == name {
			return rc, nil
		}
	}
	return nil, fmt.Errorf("Istio generated no route table %s for gateway %v", name, in.Gateway["metadata"])
}

// Validate is Istio's own validation of one config object (what its
// admission webhook rejects): nil when Istio accepts it.
func Validate(o map[string]any) error {
	b, err := yaml.Marshal(o)
	if err != nil {
		return err
	}
	_, _, err = crd.ParseInputs(string(b))
	return err
}

// gatewaySelector is the Istio Gateway's selector and namespace.
func gatewaySelector(gw map[string]any) (map[string]string, string, error) {
	md, _ := gw["metadata"].(map[string]any)
	spec, _ := gw["spec"].(map[string]any)
	ns, _ := md["namespace"].(string)
	sel := map[string]string{}
	raw, _ := spec["selector"].(map[string]any)
	for k, v := range raw {
		s, ok := v.(string)
		if !ok {
			return nil, "", fmt.Errorf("Istio Gateway %s/%v: selector %s is not a string", ns, md["name"], k)
		}
		sel[k] = s
	}
	if len(sel) == 0 {
		return nil, "", fmt.Errorf("Istio Gateway %s/%v has no selector", ns, md["name"])
	}
	return sel, ns, nil
}
