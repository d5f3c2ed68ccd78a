// Package pinned finds the pinned CRD sources that package crds embeds, and
// compresses them the way they are committed. It needs the Go toolchain and
// the shared directory: only the generator and tests use it.
package pinned

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kfgitops/kfgitops/kit/crdschema"
)

// Embedded file names start with the set they come from.
const (
	GatewayAPIPrefix         = "gateway-api_"
	KgatewayPrefix           = "kgateway_"
	ArgoCDPrefix             = "argocd_"
	VeleroPrefix             = "velero_"
	PrometheusOperatorPrefix = "prometheus-operator_"
)

// ArgoCDApplicationCRD is the Argo CD Application CRD shared by the team,
// relative to the directory that holds the repository.
const ArgoCDApplicationCRD = "shared/crds/argoproj.io_applications.yaml"

// Sources lists the pinned source files, keyed by embedded name. Gateway API,
// kgateway, Velero and the Prometheus Operator come from the Go module cache (through the module proxy);
// the Argo CD CRD from sharedRoot/shared/ (sharedRoot is the directory that
// holds both the repository and shared/).
// It needs the Go toolchain: only the generator and tests call it.
func Sources(sharedRoot string) (map[string]string, error) {
	out := map[string]string{}
	for _, set := range []struct {
		prefix string
		find   func() ([]string, error)
	}{
		{GatewayAPIPrefix, crdschema.GatewayAPIStandardFiles},
		{KgatewayPrefix, crdschema.KgatewayFiles},
		{VeleroPrefix, crdschema.VeleroFiles},
		{PrometheusOperatorPrefix, crdschema.PrometheusOperatorFiles},
	} {
		paths, err := set.find()
		if err != nil {
			return nil, err
		}
		for _, p := range paths {
			out[set.prefix+filepath.Base(p)] = p
		}
	}
	argo := filepath.Join(sharedRoot, ArgoCDApplicationCRD)
	if _, err := os.Stat(argo); err != nil {
		return nil, fmt.Errorf("Argo CD Application CRD: %w", err)
	}
	out[ArgoCDPrefix+filepath.Base(argo)] = argo
	return out, nil
}

// Gzip compresses deterministically (no name, no timestamp), so that
// regenerating the files gives the same bytes.
func Gzip(data []byte) ([]byte, error) {
	var buf bytes.Buffer
	w, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
