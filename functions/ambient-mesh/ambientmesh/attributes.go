package ambientmesh

// Which AuthorizationPolicy attributes ztunnel enforces (L4) and which need a
// waypoint (L7) is kit/istio's table (istio.AuthzL4*), shared with verify.

// Identity fields and condition keys that name a principal: the ingress
// identity is rewritten in these.
var (
	principalSourceFields = []string{"principals", "notPrincipals"}
	principalConditionKey = "source.principal"
)

// Labels and values of the ambient data plane (istio/api label/labels.yaml).
const (
	dataplaneModeLabel        = "istio.io/dataplane-mode"
	dataplaneModeAmbient      = "ambient"
	dataplaneModeNone         = "none"
	injectionLabel            = "istio-injection"
	useWaypointLabel          = "istio.io/use-waypoint"
	useWaypointNamespaceLabel = "istio.io/use-waypoint-namespace"
	ingressUseWaypoint        = "istio.io/ingress-use-waypoint"
	waypointForLabel          = "istio.io/waypoint-for"
	waypointClass             = "istio-waypoint"
	hbonePort                 = 15008
	namespaceNameLabel        = "kubernetes.io/metadata.name"
	gatewayNamePodLabel       = "gateway.networking.k8s.io/gateway-name"
	istioIngressPodApp        = "istio-ingressgateway"
	generatedByAnnotation     = "fn.kfgitops.dev/generated-by"
	generatedForAnnotation    = "fn.kfgitops.dev/ambient-mesh-for"
)
