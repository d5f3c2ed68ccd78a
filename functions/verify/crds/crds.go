// Package crds carries the CRDs verify validates against that the bundle does
// not: Gateway API (standard channel), kgateway, Velero and the Argo CD
// Application, at the versions kit/crdschema pins. They are compiled into the binary so
// that the function works offline in a container, without the Go toolchain
// or the module cache. `go generate ./...` refreshes them from the pinned
// sources (see gen/); a test checks that the committed copies still equal
// those sources.
package crds

import (
	"bytes"
	"compress/gzip"
	"embed"
	"io"
	"io/fs"
	"sort"
	"strings"
)

//go:generate go run ./gen

//go:embed *.yaml.gz
var files embed.FS

// File is one embedded CRD file, decompressed.
type File struct {
	Name string // e.g. gateway-api_gateway.networking.k8s.io_httproutes.yaml
	Data []byte
}

// All returns every embedded CRD file in name order.
func All() ([]File, error) {
	names, err := fs.Glob(files, "*.yaml.gz")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	out := make([]File, 0, len(names))
	for _, n := range names {
		b, err := files.ReadFile(n)
		if err != nil {
			return nil, err
		}
		data, err := gunzip(b)
		if err != nil {
			return nil, err
		}
		out = append(out, File{Name: strings.TrimSuffix(n, ".gz"), Data: data})
	}
	return out, nil
}

func gunzip(b []byte) ([]byte, error) {
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}
