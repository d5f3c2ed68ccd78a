package verify

import (
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/argocd"
	"github.com/kfgitops/kfgitops/kit/kubeflow"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// systemNamespaces exist in every cluster.
var systemNamespaces = []string{"default", "kube-system", "kube-public", "kube-node-lease"}

// checkNamespaces reports namespaced objects in a namespace that nothing
// creates: no Namespace of the bundle, no Profile, not a system namespace,
// not an external object, not where Argo CD runs (the namespace of its
// Applications), and not the destination namespace of an Argo CD
// Application with CreateNamespace=true. The API server refuses them
// ("namespaces not found"). It is an error when the deployer is known not
// to create namespaces (Config.CreateNamespaces false, or unset and the bundle
// holds Argo CD Applications, which create at most their destination
// namespace), a warning otherwise.
func checkNamespaces(b *bundle, r *reporter) error {
	created := map[string]bool{}
	for _, ns := range systemNamespaces {
		created[ns] = true
	}
	for _, o := range b.byKind[kit.NamespaceKind] {
		created[o.GetName()] = true
	}
	for _, o := range b.byKind[kubeflow.ProfileKind] {
		created[o.GetName()] = true
	}
	apps := b.byKind[argocd.ApplicationKind]
	for _, app := range apps {
		created[app.GetNamespace()] = true // Argo CD runs there, or would not see the Application
		options, _, _ := app.NestedStringSlice("spec", "syncPolicy", "syncOptions")
		ns, _, _ := app.NestedString("spec", "destination", "namespace")
		for _, opt := range options {
			if strings.TrimSpace(opt) == "CreateNamespace=true" && ns != "" {
				created[ns] = true
			}
		}
	}
	fatal := len(apps) > 0
	if b.cfg.CreateNamespaces != nil {
		fatal = !*b.cfg.CreateNamespaces
	}
	// one result per namespace, on its first object
	first := map[string]*fn.KubeObject{}
	count := map[string]int{}
	var missing []string
	for _, o := range b.items {
		ns := b.scope.Namespace(o)
		if ns == "" || created[ns] || b.external(kit.NamespaceKind, "", ns) {
			continue
		}
		if first[ns] == nil {
			first[ns] = o
			missing = append(missing, ns)
		}
		count[ns]++
	}
	for _, ns := range missing {
		o, objects := first[ns], kit.Plural(count[ns], "object")
		switch {
		case !fatal:
			r.warnf(o, "metadata.namespace", "namespace %s (%s) is not in the bundle: whatever deploys the bundle must create it", ns, objects)
		case b.cfg.CreateNamespaces == nil:
			r.errorf(o, "metadata.namespace", "namespace %s (%s) is not in the bundle, and the bundle's Argo CD Applications do not create it (CreateNamespace=true creates only an Application's destination namespace): add the Namespace", ns, objects)
		default:
			r.errorf(o, "metadata.namespace", "namespace %s (%s) is not in the bundle, and createNamespaces is false: add the Namespace", ns, objects)
		}
	}
	return nil
}
