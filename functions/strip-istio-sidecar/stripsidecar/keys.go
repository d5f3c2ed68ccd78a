package stripsidecar

// Which label and annotation keys are sidecar-only is istio.IsSidecarKey's
// table, shared with the verify function's mesh checks.

// Sidecar contexts of EnvoyFilter patches; a filter whose every patch is in
// one of these has nothing left to patch without sidecars.
var sidecarPatchContexts = map[string]bool{"SIDECAR_INBOUND": true, "SIDECAR_OUTBOUND": true}

// destinationRuleNeutralFields are DestinationRule spec fields that have no
// effect of their own; a rule holding only these and trafficPolicy.tls
// ISTIO_MUTUAL does nothing under ambient (ztunnel encrypts with HBONE).
var destinationRuleNeutralFields = map[string]bool{"host": true, "exportTo": true, "workloadSelector": true}
