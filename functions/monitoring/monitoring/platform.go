package monitoring

// platformTargets are the endpoints of what the bundle does not carry when
// this function runs: the ambient data plane (installed with Istio), the
// waypoints and the kgateway proxy and runtime-sync that the chain adds
// after this function, and kgateway's control plane (installed with the
// platform). Their pods are selected by the labels their installers set.
func platformTargets(cfg Config) []Target {
	gw := cfg.Gateway
	return []Target{
		{Name: "ztunnel", Group: "mesh", Namespace: "istio-system", Selector: map[string]string{"app": "ztunnel"},
			Port: "ztunnel-stats", ContainerPort: 15020, Path: "/stats/prometheus", Scheme: "http",
			Why: "Istio's ztunnel DaemonSet: container port ztunnel-stats 15020, /stats/prometheus; its pods are labelled istio.io/dataplane-mode: none"},
		{Name: "waypoints", Group: "mesh", Namespace: "istio-system", AnyNamespace: true,
			Selector: map[string]string{"gateway.networking.k8s.io/gateway-class-name": "istio-waypoint"},
			Port:     "metrics", ContainerPort: 15020, Path: "/stats/prometheus", Scheme: "http",
			Why: "istiod's waypoint Deployment template: container port metrics 15020, /stats/prometheus, pods labelled with the Gateway's class and istio.io/dataplane-mode: none"},
		{Name: "kgateway-proxy", Group: "gateway", Namespace: gw.Namespace,
			Selector: map[string]string{"gateway.networking.k8s.io/gateway-name": gw.Name},
			Port:     "http-monitoring", ContainerPort: 9091, Path: "/metrics", Scheme: "http",
			Why: "kgateway v2.4's proxy Deployment: stats enabled by default, container port http-monitoring 9091, /metrics rewritten to Envoy's admin /stats/prometheus (the admin port 19000 listens on 127.0.0.1 only); ambient's inbound capture is bypassed on these pods"},
		// kgateway's namespace is the platform's, not the bundle's: its
		// monitor goes with the proxy's.
		{Name: "kgateway", Group: "gateway", Namespace: cfg.KgatewayNamespace, Service: "kgateway", MonitorIn: gw.Namespace,
			Selector: map[string]string{"kgateway": "kgateway"},
			Port:     "metrics", ContainerPort: 9092, Path: "/metrics", Scheme: "http",
			Why: "kgateway v2.4's Helm chart: Service kgateway, port metrics 9092, selected by kgateway: kgateway"},
		{Name: "runtime-sync", Group: "runtime-sync", Namespace: gw.Namespace, Service: "runtime-sync-metrics",
			Selector: map[string]string{"app.kubernetes.io/name": "runtime-sync"}, Captured: true,
			Port: "http-metrics", ContainerPort: 8080, Path: "/metrics", Scheme: "http",
			Why: "kgateway-route's runtime-sync objects: Service runtime-sync-metrics, port http-metrics 8080 to container port metrics, controller-runtime's /metrics"},
	}
}
