package monitoring

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"
)

// Target is one metrics endpoint: a row of targets.yaml, or one of the
// platform's (platform.go).
type Target struct {
	// Name is the monitor's (and the scrape policy's) name.
	Name  string `json:"name"`
	Group string `json:"group"`
	// Namespace is where the endpoint runs.
	Namespace string `json:"namespace"`
	// Workload is Kind/name of the bundle's workload whose pods serve it;
	// empty for the platform's targets, which give Selector instead.
	Workload string `json:"workload,omitempty"`
	// Service makes a ServiceMonitor; empty, a PodMonitor.
	Service       string `json:"service,omitempty"`
	Port          string `json:"port,omitempty"`
	PortNumber    int    `json:"portNumber,omitempty"`
	ContainerPort int    `json:"containerPort"`
	Path          string `json:"path"`
	Scheme        string `json:"scheme"`
	// Auth is "token" where the endpoint wants Prometheus' bearer token.
	Auth string `json:"auth,omitempty"`
	// Found lists the signs the corpus test finds the endpoint by.
	Found []string `json:"found,omitempty"`

	// Platform targets: pods selected by labels (the workload is not in the
	// bundle), in every namespace when AnyNamespace.
	Selector     map[string]string `json:"-"`
	AnyNamespace bool              `json:"-"`
	// MonitorIn is where the monitor lives when the config names no
	// namespace and the target's namespace is not the bundle's.
	MonitorIn string `json:"-"`
	// Captured: ztunnel captures the pods' inbound traffic, so a scrape
	// policy may be needed (never for pods out of the mesh's capture).
	Captured bool `json:"-"`
	// Why says where a platform target's endpoint is documented.
	Why string `json:"-"`
}

// Unscraped is an endpoint the corpus declares that is not scraped.
type Unscraped struct {
	Namespace string `json:"namespace"`
	Workload  string `json:"workload"`
	Reason    string `json:"reason"`
}

// Table is targets.yaml.
type Table struct {
	Targets   []Target    `json:"targets"`
	Unscraped []Unscraped `json:"unscraped"`
}

//go:embed targets.yaml
var targetsYAML []byte

// Targets is the table of the corpus's endpoints.
var Targets = mustTable(targetsYAML)

func mustTable(b []byte) Table {
	var t Table
	if err := yaml.UnmarshalStrict(b, &t); err != nil {
		panic(fmt.Sprintf("targets.yaml: %v", err))
	}
	for _, tg := range t.Targets {
		if err := tg.check(); err != nil {
			panic(fmt.Sprintf("targets.yaml: %s: %v", tg.Name, err))
		}
	}
	return t
}

func (t Target) check() error {
	switch {
	case t.Name == "" || t.Group == "" || t.Namespace == "" || t.Path == "" || t.ContainerPort == 0:
		return fmt.Errorf("name, group, namespace, path and containerPort are required")
	case t.Workload == "" && t.Selector == nil:
		return fmt.Errorf("a workload or a selector is required")
	case (t.Port == "") == (t.PortNumber == 0):
		return fmt.Errorf("exactly one of port and portNumber")
	case t.Service != "" && t.Port == "":
		return fmt.Errorf("a ServiceMonitor needs the Service's port name")
	case t.Scheme != "http" && t.Scheme != "https":
		return fmt.Errorf("scheme %q", t.Scheme)
	case t.Auth != "" && (t.Auth != "token" || t.Service == ""):
		return fmt.Errorf("auth %q: only token, and only with a Service (a PodMonitor cannot send the service-account token file)", t.Auth)
	}
	return nil
}

// WorkloadKind and WorkloadName split Workload.
func (t Target) WorkloadKind() string { k, _, _ := strings.Cut(t.Workload, "/"); return k }
func (t Target) WorkloadName() string { _, n, _ := strings.Cut(t.Workload, "/"); return n }

// Monitor is the kind of monitor the target gets.
func (t Target) Monitor() string {
	if t.Service != "" {
		return ServiceMonitorKind.Kind
	}
	return PodMonitorKind.Kind
}

// GroupNames are the groups of every target, sorted.
func GroupNames() []string {
	var out []string
	for _, t := range append(slices.Clone(Targets.Targets), platformTargets(Defaults())...) {
		if !slices.Contains(out, t.Group) {
			out = append(out, t.Group)
		}
	}
	slices.Sort(out)
	return out
}
