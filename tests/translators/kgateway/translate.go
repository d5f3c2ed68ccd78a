// Package kgateway runs kgateway v2.4.0's own translator (pkg/kgateway/
// translator, through the harness it exports as test/translator) on the
// Gateway API and kgateway objects of a bundle, and reads what it returns:
// the Envoy route tables, listeners and clusters of a Gateway, and the
// status reports of its routes and policies.
package kgateway

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	"k8s.io/apimachinery/pkg/types"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/kgateway-dev/kgateway/v2/pkg/pluginsdk"
	"github.com/kgateway-dev/kgateway/v2/pkg/reports"
	"github.com/kgateway-dev/kgateway/v2/test/testutils"
	kgwtranslator "github.com/kgateway-dev/kgateway/v2/test/translator"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Module is the kgateway module whose translator runs.
const Module = "github.com/kgateway-dev/kgateway/v2"

// Result is kgateway's translation of one Gateway.
type Result struct {
	Routes        []*routev3.RouteConfiguration
	Listeners     []*listenerv3.Listener
	Reports       reports.ReportMap
	PolicyPlugins map[schema.GroupKind]pluginsdk.PolicyPlugin
	Gateways      map[types.NamespacedName]*gwv1.Gateway
}

// Translate runs kgateway's translator on the objects of file (a YAML
// stream) and returns its translation of Gateway gw. Objects are validated
// against kgateway's own CRDs (schema and CEL) as they load.
func Translate(t *testing.T, file string, gw types.NamespacedName) (*Result, error) {
	dir, err := moduleDir()
	if err != nil {
		return nil, err
	}
	schemas, err := testutils.GetStructuralSchemas(filepath.Join(dir, testutils.CRDPath))
	if err != nil {
		return nil, fmt.Errorf("kgateway CRDs: %w", err)
	}
	tc := kgwtranslator.TestCase{InputFiles: []string{file}}
	results, err := tc.Run(t, context.Background(), kgwtranslator.NewScheme(nil), kgwtranslator.ExtraConfig{GVKToStructuralSchema: schemas})
	if err != nil {
		return nil, fmt.Errorf("kgateway translation of %s: %w", file, err)
	}
	r, ok := results[gw]
	if !ok {
		var names []string
		for nn := range results {
			names = append(names, nn.String())
		}
		return nil, fmt.Errorf("kgateway translated no Gateway %s (translated: %v)", gw, names)
	}
	return &Result{
		Routes:        r.Proxy.Routes,
		Listeners:     r.Proxy.Listeners,
		Reports:       r.ReportsMap,
		PolicyPlugins: r.PolicyPlugins,
		Gateways:      r.Gateways,
	}, nil
}

// moduleDir is the kgateway module's directory in the module cache (its
// CRDs are there).
func moduleDir() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", Module).Output()
	if err != nil {
		return "", fmt.Errorf("go list -m %s: %w", Module, err)
	}
	return strings.TrimSpace(string(out)), nil
}
