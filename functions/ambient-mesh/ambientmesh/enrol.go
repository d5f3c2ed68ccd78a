package ambientmesh

import (
	"maps"
	"slices"

	"github.com/kfgitops/kfgitops/kit"
)

// enrolNamespaces labels the namespaces to run in ambient. A namespace is
// enrolled when it is configured, labelled for sidecar injection, or holds
// selector-based Istio security policies (its workloads were meshed: this
// still holds after strip-istio-sidecar removed the injection label).
// Explicit opt-outs (istio.io/dataplane-mode: none, istio-injection:
// disabled) are respected for detected namespaces.
func (m *migration) enrolNamespaces() error {
	for _, name := range slices.Sorted(maps.Keys(m.b.namespaces)) {
		o := m.b.namespaces[name]
		mode, injection := o.GetLabel(dataplaneModeLabel), o.GetLabel(injectionLabel)
		why := m.enrolReason(name, mode, injection)
		if why == "" {
			continue
		}
		if mode == dataplaneModeNone {
			m.warn(o, "metadata.labels", "not enrolled (%s): the namespace opts out with %s=%s", why, dataplaneModeLabel, dataplaneModeNone)
			continue
		}
		m.ambient[name] = true
		if mode == dataplaneModeAmbient && injection == "" {
			continue
		}
		if err := o.SetLabel(dataplaneModeLabel, dataplaneModeAmbient); err != nil {
			return kit.Errorf(o, "metadata.labels", "%v", err)
		}
		removed := ""
		if injection != "" {
			if err := o.RemoveLabel(injectionLabel); err != nil {
				return kit.Errorf(o, "metadata.labels", "%v", err)
			}
			removed = ", removed istio-injection=" + injection
		}
		m.touch(o)
		m.info(o, "metadata.labels", "enrolled in ambient (%s): set %s=%s%s", why, dataplaneModeLabel, dataplaneModeAmbient, removed)
	}
	return m.absentNamespaces()
}

// enrolReason says why namespace name (labelled mode and injection) is to
// be enrolled, or "" when it is not.
func (m *migration) enrolReason(name, mode, injection string) string {
	switch {
	case mode == dataplaneModeAmbient:
		return "already labelled " + dataplaneModeLabel + "=" + dataplaneModeAmbient
	case slices.Contains(m.cfg.Namespaces, name):
		return "listed in namespaces"
	case slices.Contains(m.cfg.ExcludeNamespaces, name) || injection == "disabled":
		return ""
	case m.cfg.EnrolInjectedNamespaces && injection == "enabled":
		return "labelled istio-injection=enabled"
	case m.cfg.EnrolPolicyNamespaces && m.b.meshPolicyNamespaces[name]:
		return "its workloads carry selector-based Istio security policies"
	}
	return ""
}

// namespaceLabelsConfigMaps makes the profile controller create user
// namespaces in ambient instead of injected and, with the runtime-sync
// controller, bound to their waypoint.
func (m *migration) namespaceLabelsConfigMaps() error {
	for _, o := range m.b.configMaps {
		for _, ref := range m.cfg.NamespaceLabelsConfigMaps {
			if !ref.Matches(o) {
				continue
			}
			labels := m.cfg.profileNamespaceLabels()
			changed, err := kit.SetEmbeddedYAMLFields(o, ref.Key, labels)
			if err != nil {
				return err
			}
			if len(changed) == 0 {
				continue
			}
			m.touch(o)
			set := map[string]string{}
			for _, k := range changed {
				set[k] = labels[k]
			}
			why := "so the profile controller creates user namespaces in ambient"
			if m.cfg.RuntimeSync.Enabled {
				why += ", bound to the waypoint the runtime-sync controller gives each (kgateway sends ingress traffic through it)"
			}
			m.info(o, "data."+ref.Key, "set %s %s", kit.FormatLabels(set), why)
		}
	}
	return nil
}

// profilesConfig points the profile controller's ingress principal at
// kgateway. It is a single value: while the Istio ingress gateway is kept as
// a bridge, both identities send traffic, so it is left alone with a warning.
func (m *migration) profilesConfig() error {
	ref := m.cfg.ProfilesConfig
	if ref.Name == "" || m.ingress == nil {
		return nil
	}
	principal := m.ingress.Principal()
	for _, o := range m.b.configMaps {
		if !ref.Matches(o) {
			continue
		}
		cur, found, _ := o.NestedString("data", ref.Key)
		if !found || cur == principal {
			continue
		}
		if m.cfg.KeepIstioIngressPrincipal {
			m.warn(o, "data."+ref.Key, "kept %s: the profile controller takes one ingress principal for ns-owner-access-istio, and the Istio ingress gateway stays as the bridge for runtime routes (notebooks); "+
				"set keepIstioIngressPrincipal: false once every route goes through kgateway to switch it to %s", cur, principal)
			continue
		}
		if err := o.SetNestedString(principal, "data", ref.Key); err != nil {
			return kit.Errorf(o, "data."+ref.Key, "%v", err)
		}
		m.touch(o)
		m.info(o, "data."+ref.Key, "set to the kgateway identity %s (was %s)", principal, cur)
	}
	return nil
}
