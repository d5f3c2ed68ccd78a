package monitoring

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// resolved is a target with what the bundle says of it.
type resolved struct {
	Target
	// podSelector selects the target's pods (the workload's selector);
	// podLabels are their template labels.
	podSelector, podLabels map[string]string
	// serviceLabels select the Service (a ServiceMonitor's selector).
	serviceLabels map[string]string
	// source is the bundle object the target was found on (results).
	source *fn.KubeObject
}

// podWorkload is what this function reads of a Deployment, StatefulSet or
// DaemonSet.
type podWorkload struct {
	Spec struct {
		Selector struct {
			MatchLabels map[string]string `json:"matchLabels"`
		} `json:"selector"`
		Template struct {
			Metadata struct {
				Labels      map[string]string `json:"labels"`
				Annotations map[string]string `json:"annotations"`
			} `json:"metadata"`
			Spec struct {
				Containers []corev1.Container `json:"containers"`
			} `json:"spec"`
		} `json:"template"`
	} `json:"spec"`
}

// bundle indexes the objects a target is looked up in.
type bundle struct {
	workloads map[string]*fn.KubeObject // namespace/Kind/name
	services  map[string]*fn.KubeObject // namespace/name
}

func indexBundle(items fn.KubeObjects) bundle {
	b := bundle{workloads: map[string]*fn.KubeObject{}, services: map[string]*fn.KubeObject{}}
	for _, o := range items {
		switch kit.GroupKindOf(o) {
		case kit.ServiceKind:
			b.services[o.GetNamespace()+"/"+o.GetName()] = o
		case kit.DeploymentKind, kit.GroupKind{Group: kit.GroupApps, Kind: "StatefulSet"}, kit.GroupKind{Group: kit.GroupApps, Kind: "DaemonSet"}:
			b.workloads[o.GetNamespace()+"/"+o.GetKind()+"/"+o.GetName()] = o
		}
	}
	return b
}

// resolve looks a table target up in the bundle. absent: the workload is
// not there (not an error: a bundle without that component). A workload
// that is there but does not serve the endpoint as the table says is an
// error naming the field: the target is skipped with a warning.
func (b bundle) resolve(t Target) (r resolved, absent bool, err error) {
	r.Target = t
	o := b.workloads[t.Namespace+"/"+t.Workload]
	if o == nil {
		return r, true, nil
	}
	r.source = o
	var w podWorkload
	if err := kit.As(&o.SubObject, &w); err != nil {
		return r, false, kit.Errorf(o, "spec", "%v", err)
	}
	r.podSelector, r.podLabels = w.Spec.Selector.MatchLabels, w.Spec.Template.Metadata.Labels
	if len(r.podSelector) == 0 {
		return r, false, kit.Errorf(o, "spec.selector.matchLabels", "no matchLabels to select the pods by")
	}
	containers := w.Spec.Template.Spec.Containers
	if t.Service == "" {
		return r, false, checkPodPort(o, t, containers, w.Spec.Template.Metadata.Annotations)
	}
	svc := b.services[t.Namespace+"/"+t.Service]
	if svc == nil {
		return r, false, kit.Errorf(o, "", "Service %s/%s, which the table scrapes it through, is not in the bundle", t.Namespace, t.Service)
	}
	r.source = svc
	r.serviceLabels = svc.GetLabels()
	return r, false, checkServicePort(svc, t, r.podLabels, containers)
}

// checkPodPort: the named container port exists with the table's number,
// or the unnamed port is the one the pods' prometheus.io/port announces.
func checkPodPort(o *fn.KubeObject, t Target, containers []corev1.Container, annotations map[string]string) error {
	if t.Port == "" {
		if got := annotations["prometheus.io/port"]; got != strconv.Itoa(t.PortNumber) {
			return kit.Errorf(o, "spec.template.metadata.annotations", "prometheus.io/port is %q, the table scrapes %d", got, t.PortNumber)
		}
		return nil
	}
	n, ok := namedPort(containers, t.Port)
	switch {
	case !ok:
		return kit.Errorf(o, "spec.template.spec.containers", "no container port named %s (the table scrapes it on %d)", t.Port, t.ContainerPort)
	case n != t.ContainerPort:
		return kit.Errorf(o, "spec.template.spec.containers", "container port %s is %d, the table scrapes %d", t.Port, n, t.ContainerPort)
	}
	return nil
}

// checkServicePort: the Service selects the workload's pods and its port
// leads to the container port the endpoint listens on.
func checkServicePort(svc *fn.KubeObject, t Target, podLabels map[string]string, containers []corev1.Container) error {
	var s corev1.Service
	if err := kit.As(&svc.SubObject, &s); err != nil {
		return kit.Errorf(svc, "spec", "%v", err)
	}
	if len(s.Spec.Selector) == 0 || !kit.MatchLabels(s.Spec.Selector, podLabels) {
		return kit.Errorf(svc, "spec.selector", "does not select the pods of %s", t.Workload)
	}
	i := slices.IndexFunc(s.Spec.Ports, func(p corev1.ServicePort) bool { return p.Name == t.Port })
	if i < 0 {
		return kit.Errorf(svc, "spec.ports", "no port named %s", t.Port)
	}
	p := s.Spec.Ports[i]
	target := p.TargetPort
	if target.Type == intstr.Int && target.IntVal == 0 {
		target = intstr.FromInt32(p.Port)
	}
	n := int(target.IntVal)
	if target.Type == intstr.String {
		var ok bool
		if n, ok = namedPort(containers, target.StrVal); !ok {
			return kit.Errorf(svc, fmt.Sprintf("spec.ports[%d].targetPort", i), "%s names no container port of %s", target.StrVal, t.Workload)
		}
	}
	if n != t.ContainerPort {
		return kit.Errorf(svc, fmt.Sprintf("spec.ports[%d].targetPort", i), "port %s leads to %d, but %s serves its metrics on %d", t.Port, n, t.Workload, t.ContainerPort)
	}
	return nil
}

func namedPort(containers []corev1.Container, name string) (int, bool) {
	for _, c := range containers {
		for _, p := range c.Ports {
			if p.Name == name {
				return int(p.ContainerPort), true
			}
		}
	}
	return 0, false
}
