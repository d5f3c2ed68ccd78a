package ambientmesh

import (
	"maps"
	"slices"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// What happens to a namespace that is to be enrolled but whose Namespace
// object is not in the bundle (the common case for an application bundle:
// the platform creates namespaces). Enrolment is a label on the Namespace,
// which the function can only set on an object it is given.
const (
	// AbsentNamespacesWarn: not enrolled; a warning names the namespace,
	// why it would be enrolled and what to do. Its policies stay as they are.
	AbsentNamespacesWarn = "warn"
	// AbsentNamespacesLabelledElsewhere: taken as enrolled, because what
	// creates the namespace labels it (a platform, Argo CD's
	// managedNamespaceMetadata): its policies are migrated.
	AbsentNamespacesLabelledElsewhere = "labelledElsewhere"
	// AbsentNamespacesEmit: a Namespace object carrying only the label is
	// added; applying it creates the namespace or labels the existing one.
	AbsentNamespacesEmit = "emit"
)

// absentNamespaces handles the namespaces of the bundle's objects that are
// to be enrolled but have no Namespace object.
func (m *migration) absentNamespaces() error {
	if m.rt != nil {
		return nil // the run-time controller is given the Namespace
	}
	for _, ns := range slices.Sorted(maps.Keys(m.b.firstObject)) {
		why := m.enrolReason(ns, "", "")
		if m.b.namespaces[ns] != nil || why == "" {
			continue
		}
		first := m.b.firstObject[ns]
		switch m.cfg.AbsentNamespaces {
		case AbsentNamespacesLabelledElsewhere:
			m.ambient[ns] = true
			m.info(first, "metadata.namespace", "namespace %s is taken as enrolled in ambient (%s; absentNamespaces: %s): the bundle has no Namespace %s, so whatever creates it must label it %s=%s",
				ns, why, AbsentNamespacesLabelledElsewhere, ns, dataplaneModeLabel, dataplaneModeAmbient)
		case AbsentNamespacesEmit:
			o, err := newNamespace(ns)
			if err != nil {
				return kit.Errorf(first, "metadata.namespace", "%v", err)
			}
			m.added = append(m.added, o)
			m.ambient[ns] = true
			m.info(o, "metadata.labels", "added (absentNamespaces: %s) to enrol namespace %s in ambient (%s), which had no Namespace object in the bundle: applying it creates the namespace or adds the label to the existing one, and whatever applies it then manages that Namespace",
				AbsentNamespacesEmit, ns, why)
		default:
			m.warn(first, "metadata.namespace", "namespace %s is not enrolled in ambient (%s): the bundle has no Namespace %s to label %s=%s, so its workloads do not join ambient and its policies are left as they are; "+
				"label it where it is created (kubectl label namespace %s %s=%s, or the Argo CD Application's managedNamespaceMetadata) and set absentNamespaces: %s, or set absentNamespaces: %s to add the Namespace object",
				ns, why, ns, dataplaneModeLabel, dataplaneModeAmbient, ns, dataplaneModeLabel, dataplaneModeAmbient, AbsentNamespacesLabelledElsewhere, AbsentNamespacesEmit)
		}
	}
	return nil
}

type namespaceObject struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name        string            `json:"name"`
		Labels      map[string]string `json:"labels"`
		Annotations map[string]string `json:"annotations"`
	} `json:"metadata"`
}

// newNamespace is the Namespace enrolling ns in ambient.
func newNamespace(ns string) (*fn.KubeObject, error) {
	var o namespaceObject
	o.APIVersion, o.Kind = "v1", kit.NamespaceKind.Kind
	o.Metadata.Name = ns
	o.Metadata.Labels = map[string]string{dataplaneModeLabel: dataplaneModeAmbient}
	o.Metadata.Annotations = generatedMeta(kit.NamespaceKind.Kind, "", ns, "").Annotations
	return toObject(o)
}
