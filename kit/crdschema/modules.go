package crdschema

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"sort"
)

// The CRD sets this project's output is validated against, pinned.
const (
	GatewayAPIModule  = "sigs.k8s.io/gateway-api"
	GatewayAPIVersion = "v1.6.3"
	KgatewayModule    = "github.com/kgateway-dev/kgateway/v2"
	KgatewayVersion   = "v2.4.0"
	// Velero's module carries its CRDs (config/crd/v1/bases); the
	// version is the newest the module proxy lists.
	VeleroModule  = "github.com/vmware-tanzu/velero"
	VeleroVersion = "v1.18.3"
	// The Prometheus Operator's module carries its CRDs as YAML.
	PrometheusOperatorModule  = "github.com/prometheus-operator/prometheus-operator"
	PrometheusOperatorVersion = "v0.85.0"
)

// ModuleDir returns the module cache directory of a module version,
// downloading it through the Go module proxy if needed.
func ModuleDir(module, version string) (string, error) {
	out, err := exec.Command("go", "mod", "download", "-json", module+"@"+version).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return "", fmt.Errorf("go mod download %s@%s: %v: %s", module, version, err, ee.Stderr)
		}
		return "", fmt.Errorf("go mod download %s@%s: %v", module, version, err)
	}
	var info struct{ Dir, Error string }
	if err := json.Unmarshal(out, &info); err != nil {
		return "", err
	}
	if info.Error != "" {
		return "", fmt.Errorf("go mod download %s@%s: %s", module, version, info.Error)
	}
	return info.Dir, nil
}

// GatewayAPIStandardFiles are the Gateway API standard-channel CRD files.
func GatewayAPIStandardFiles() ([]string, error) {
	return moduleGlob(GatewayAPIModule, GatewayAPIVersion, "config/crd/standard/*.yaml")
}

// GatewayAPIExperimentalFiles are the experimental-channel CRD files.
func GatewayAPIExperimentalFiles() ([]string, error) {
	return moduleGlob(GatewayAPIModule, GatewayAPIVersion, "config/crd/experimental/*.yaml")
}

// KgatewayFiles are kgateway's CRD files.
func KgatewayFiles() ([]string, error) {
	return moduleGlob(KgatewayModule, KgatewayVersion, "install/helm/kgateway-crds/templates/*.yaml")
}

// VeleroFiles are Velero's CRD files (velero.io: Schedule, Backup, Restore,
// BackupStorageLocation, ...).
func VeleroFiles() ([]string, error) {
	return moduleGlob(VeleroModule, VeleroVersion, "config/crd/v1/bases/*.yaml")
}

// PrometheusOperatorFiles are the CRDs of the Prometheus Operator's kinds
// the monitoring function writes (ServiceMonitor, PodMonitor,
// PrometheusRule).
func PrometheusOperatorFiles() ([]string, error) {
	var out []string
	for _, kind := range []string{"podmonitors", "prometheusrules", "servicemonitors"} {
		files, err := moduleGlob(PrometheusOperatorModule, PrometheusOperatorVersion, "example/prometheus-operator-crd/monitoring.coreos.com_"+kind+".yaml")
		if err != nil {
			return nil, err
		}
		out = append(out, files...)
	}
	return out, nil
}

func moduleGlob(module, version, pattern string) ([]string, error) {
	dir, err := ModuleDir(module, version)
	if err != nil {
		return nil, err
	}
	files, err := filepath.Glob(filepath.Join(dir, pattern))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no %s in %s@%s", pattern, module, version)
	}
	sort.Strings(files)
	return files, nil
}
