package backup

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/kubeflow"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ProfileNamespaceLabel is the label the profile controller puts on the
// namespace of every Profile, declared or created at run time.
var ProfileNamespaceLabel = [2]string{"app.kubernetes.io/part-of", "kubeflow-profile"}

// workload is a Deployment or StatefulSet of the bundle with its pod
// template, decoded.
type workload struct {
	obj      *fn.KubeObject
	selector *metav1.LabelSelector
	pod      corev1.PodTemplateSpec
	// claims are the volume names backed by a PersistentVolumeClaim (a
	// claim volume or a StatefulSet's volumeClaimTemplate).
	claims map[string]string
}

// bundle is what the Schedules are derived from.
type bundle struct {
	// namespaces maps each namespace of the bundle to its data set.
	namespaces map[string]string
	workloads  []workload
	// dex is dex's Deployment, nil when the bundle has none.
	dex *workload
	// configMaps by namespace/name, for dex's config.
	configMaps map[string]*fn.KubeObject
}

// readBundle sorts the bundle's namespaces into data sets: a Profile's
// name, or a Namespace with the profile controller's label or the
// profiles function's marker, is a profile namespace; dex's namespace is
// auth's; every other Namespace of the bundle is the platform's.
func readBundle(items fn.KubeObjects) (*bundle, error) {
	b := &bundle{namespaces: map[string]string{}, configMaps: map[string]*fn.KubeObject{}}
	var platform []string
	for _, o := range items {
		switch {
		case kubeflow.ProfileKind.Is(o):
			b.namespaces[o.GetName()] = DataSetProfiles
		case kit.NamespaceKind.Is(o):
			if o.GetLabel(ProfileNamespaceLabel[0]) == ProfileNamespaceLabel[1] || o.GetLabel(kit.ManagedByLabel) == kit.ManagedByProfiles {
				b.namespaces[o.GetName()] = DataSetProfiles
			} else {
				platform = append(platform, o.GetName())
			}
		case kit.ConfigMapKind.Is(o):
			b.configMaps[o.GetNamespace()+"/"+o.GetName()] = o
		case kit.DeploymentKind.Is(o) || statefulSetKind.Is(o):
			w, err := decodeWorkload(o)
			if err != nil {
				return nil, err
			}
			b.workloads = append(b.workloads, w)
		}
	}
	for i := range b.workloads {
		if b.workloads[i].hasImage("dex") {
			b.dex = &b.workloads[i]
			break
		}
	}
	for _, ns := range platform {
		if _, isProfile := b.namespaces[ns]; isProfile {
			continue
		}
		b.namespaces[ns] = DataSetKubeflow
		if b.dex != nil && b.dex.obj.GetNamespace() == ns {
			b.namespaces[ns] = DataSetAuth
		}
	}
	return b, nil
}

var statefulSetKind = kit.GroupKind{Group: kit.GroupApps, Kind: "StatefulSet"}

func decodeWorkload(o *fn.KubeObject) (workload, error) {
	w := workload{obj: o, claims: map[string]string{}}
	if statefulSetKind.Is(o) {
		var s appsv1.StatefulSet
		if err := kit.As(&o.SubObject, &s); err != nil {
			return w, kit.Errorf(o, "", "%v", err)
		}
		w.selector, w.pod = s.Spec.Selector, s.Spec.Template
		for _, t := range s.Spec.VolumeClaimTemplates {
			w.claims[t.Name] = t.Name + "-" + o.GetName() + "-<ordinal>"
		}
	} else {
		var d appsv1.Deployment
		if err := kit.As(&o.SubObject, &d); err != nil {
			return w, kit.Errorf(o, "", "%v", err)
		}
		w.selector, w.pod = d.Spec.Selector, d.Spec.Template
	}
	for _, v := range w.pod.Spec.Volumes {
		if v.PersistentVolumeClaim != nil {
			w.claims[v.Name] = v.PersistentVolumeClaim.ClaimName
		}
	}
	return w, nil
}

// imageName is the last path element of an image reference, without tag
// or digest: "mysql" for docker.io/library/mysql:8.4@sha256:….
func imageName(image string) string {
	image, _, _ = strings.Cut(image, "@")
	name := image[strings.LastIndex(image, "/")+1:]
	name, _, _ = strings.Cut(name, ":")
	return name
}

func (w workload) hasImage(names ...string) bool {
	for _, c := range w.pod.Spec.Containers {
		if slices.Contains(names, imageName(c.Image)) {
			return true
		}
	}
	return false
}

// persistentMount is the first mount of c on a claim-backed volume: its
// path and the claim.
func (w workload) persistentMount(c corev1.Container) (mountPath, claim string, ok bool) {
	for _, m := range c.VolumeMounts {
		if cl, isClaim := w.claims[m.Name]; isClaim {
			return m.MountPath, cl, true
		}
	}
	return "", "", false
}

// members lists the bundle's namespaces of a data set, sorted, without
// the excluded ones.
func (b *bundle) members(set string, excluded []string) []string {
	var out []string
	for ns, s := range b.namespaces {
		if s == set && !matchesAny(excluded, ns) {
			out = append(out, ns)
		}
	}
	sort.Strings(out)
	return out
}

func matchesAny(patterns []string, name string) bool {
	for _, p := range patterns {
		if ok, _ := path.Match(p, name); ok {
			return true
		}
	}
	return false
}

// describe names a workload the way messages do.
func (w workload) describe() string {
	return fmt.Sprintf("%s %s/%s", w.obj.GetKind(), w.obj.GetNamespace(), w.obj.GetName())
}
