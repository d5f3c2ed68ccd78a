package istio

import "testing"

func TestGatewayRef(t *testing.T) {
	for _, tc := range []struct{ ref, ns, want string }{
		{"kubeflow-gateway", "kubeflow", "kubeflow/kubeflow-gateway"},
		{"istio-system/ingress", "shop", "istio-system/ingress"},
		{"mesh", "shop", "mesh"},
	} {
		if got := GatewayRef(tc.ref, tc.ns); got != tc.want {
			t.Errorf("GatewayRef(%q, %q) = %q, want %q", tc.ref, tc.ns, got, tc.want)
		}
	}
}
