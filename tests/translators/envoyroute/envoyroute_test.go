package envoyroute

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"sigs.k8s.io/yaml"
)

type docCase struct {
	Name        string          `json:"name"`
	RouteConfig json.RawMessage `json:"routeConfig"`
	Requests    []struct {
		Host    string            `json:"host"`
		Path    string            `json:"path"`
		Method  string            `json:"method"`
		Headers map[string]string `json:"headers"`
		Want    struct {
			Clusters []string          `json:"clusters"` // name or name=weight
			Path     string            `json:"path"`
			Host     string            `json:"host"`
			Headers  map[string]string `json:"headers"`
			Timeout  string            `json:"timeout"`
			Redirect *Redirect         `json:"redirect"`
			Direct   uint32            `json:"direct"`
		} `json:"want"`
	} `json:"requests"`
}

// The examples of Envoy's route documentation, request by request.
func TestEnvoyDocExamples(t *testing.T) {
	b, err := os.ReadFile("testdata/envoy-docs.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cases []docCase
	if err := yaml.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			rc := &routev3.RouteConfiguration{}
			if err := protojson.Unmarshal(c.RouteConfig, rc); err != nil {
				t.Fatal(err)
			}
			for _, r := range c.Requests {
				host := r.Host
				if host == "" {
					host = "example.com"
				}
				got, err := Evaluate(rc, Request{Host: host, Path: r.Path, Method: r.Method, Headers: r.Headers})
				if err != nil {
					t.Fatalf("%s: %v", r.Path, err)
				}
				w := r.Want
				if err := check(got, w.Clusters, w.Path, w.Host, host, w.Headers, w.Timeout, w.Redirect, w.Direct); err != nil {
					t.Errorf("%s %s: %v", host, r.Path, err)
				}
			}
		})
	}
}

func check(got *Outcome, clusters []string, path, host, reqHost string, headers map[string]string, timeout string, red *Redirect, direct uint32) error {
	var gotClusters []string
	for _, c := range got.Clusters {
		s := c.Name
		if len(got.Clusters) > 1 {
			s += "=" + strconv.Itoa(int(c.Weight))
		}
		gotClusters = append(gotClusters, s)
	}
	if strings.Join(gotClusters, " ") != strings.Join(clusters, " ") {
		return fmt.Errorf("clusters %v, want %v", gotClusters, clusters)
	}
	if !reflect.DeepEqual(got.Redirect, red) {
		return fmt.Errorf("redirect %+v, want %+v", got.Redirect, red)
	}
	if got.Direct != direct {
		return fmt.Errorf("direct response %d, want %d", got.Direct, direct)
	}
	if len(clusters) == 0 {
		return nil
	}
	if host == "" {
		host = reqHost
	}
	if got.Path != path || got.Host != host {
		return fmt.Errorf("upstream %s%s, want %s%s", got.Host, got.Path, host, path)
	}
	if headers != nil && !reflect.DeepEqual(got.Headers, headers) {
		return fmt.Errorf("headers %v, want %v", got.Headers, headers)
	}
	if timeout != "" {
		d, err := time.ParseDuration(timeout)
		if err != nil {
			return err
		}
		if got.Timeout != d {
			return fmt.Errorf("timeout %s, want %s", got.Timeout, d)
		}
	}
	return nil
}
