package ambientmesh

import "github.com/kfgitops/kfgitops/kit"

// inheritNamespaceManager gives what this function adds to a namespace the
// app.kubernetes.io/managed-by label of the namespace's Namespace object:
// the waypoint and the companion policies of a namespace that a tool manages
// (the profiles function's declared profiles, say) are that tool's too, so
// that they are delivered with, replaced with and left alone with its other
// objects.
func (m *migration) inheritNamespaceManager() error {
	for _, o := range m.added {
		ns := m.b.namespaces[o.GetNamespace()]
		if ns == nil {
			continue
		}
		manager := ns.GetLabel(kit.ManagedByLabel)
		if manager == "" || o.GetLabel(kit.ManagedByLabel) != "" {
			continue
		}
		if err := o.SetLabel(kit.ManagedByLabel, manager); err != nil {
			return kit.Errorf(o, "metadata.labels", "%v", err)
		}
	}
	return nil
}
