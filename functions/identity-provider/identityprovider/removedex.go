package identityprovider

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/istio"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Kinds of the objects dex's namespace holds in the manifests, which go
// with dex; an object of another kind there is not known as dex's and
// stops the removal.
var (
	dexNamespaceKinds = []kit.GroupKind{kit.ServiceAccountKind, kit.SecretKind, kit.ConfigMapKind, kit.ServiceKind, kit.DeploymentKind,
		istio.VirtualServiceKind, kit.NetworkPolicyKind, kit.RoleKind, kit.RoleBindingKind}
	// removable is every kind removeDex may remove.
	removable = append([]kit.GroupKind{kit.NamespaceKind, kit.ClusterRoleKind, kit.ClusterRoleBindingKind, kit.CustomResourceDefinitionKind}, dexNamespaceKinds...)
)

// dexAPIGroup is the group of dex's storage CRDs.
const dexAPIGroup = "dex.coreos.com"

// dexObjects are the objects that go with dex: everything in its
// namespace and the namespace, its CRDs, the ClusterRoleBindings of its
// service accounts and the ClusterRoles only they bind.
func dexObjects(items fn.KubeObjects, ns string) (map[*fn.KubeObject]bool, error) {
	drop := map[*fn.KubeObject]bool{}
	roles := map[string]bool{}
	for _, o := range kit.EditableItems(items) {
		switch {
		case o.GetNamespace() == ns:
			if !slices.ContainsFunc(dexNamespaceKinds, func(gk kit.GroupKind) bool { return gk.Is(o) }) {
				return nil, kit.Errorf(o, "metadata.namespace", "namespace %s goes with dex, but a %s is not known as dex's: move it, or keep dex (removeDex: false)", ns, o.GetKind())
			}
			drop[o] = true
		case kit.NamespaceKind.Is(o) && o.GetName() == ns:
			drop[o] = true
		case kit.CustomResourceDefinitionKind.Is(o):
			if g, _, _ := o.NestedString("spec", "group"); g == dexAPIGroup {
				drop[o] = true
			}
		case kit.ClusterRoleBindingKind.Is(o) && onlySubjectsOf(o, ns):
			drop[o] = true
			if r, _, _ := o.NestedString("roleRef", "name"); r != "" {
				roles[r] = true
			}
		}
	}
	for _, o := range items {
		if (kit.ClusterRoleBindingKind.Is(o) || kit.RoleBindingKind.Is(o)) && !drop[o] {
			r, _, _ := o.NestedString("roleRef", "name")
			delete(roles, r)
		}
	}
	for _, o := range items {
		if kit.ClusterRoleKind.Is(o) && roles[o.GetName()] {
			drop[o] = true
		}
	}
	return drop, nil
}

func onlySubjectsOf(o *fn.KubeObject, ns string) bool {
	subjects, _, _ := o.NestedSlice("subjects")
	for _, s := range subjects {
		k, _, _ := s.NestedString("kind")
		n, _, _ := s.NestedString("namespace")
		if k != "ServiceAccount" || n != ns {
			return false
		}
	}
	return len(subjects) > 0
}

// dropDexExemptions removes dex's paths from the notPaths of the CUSTOM
// and DENY policies (their rules then apply to more requests, never fewer);
// an ALLOW policy naming dex's paths would lose what it allows, and is an
// error. It returns the policies edited.
func dropDexExemptions(items fn.KubeObjects) ([]*fn.KubeObject, error) {
	var edited []*fn.KubeObject
	for _, o := range kit.EditableItems(items) {
		if !istio.AuthorizationPolicyKind.Is(o) {
			continue
		}
		action, _, _ := o.NestedString("spec", "action")
		rules, _, _ := o.NestedSlice("spec", "rules")
		for i, r := range rules {
			tos, _, _ := r.NestedSlice("to")
			for j, t := range tos {
				field := fmt.Sprintf("spec.rules[%d].to[%d].operation", i, j)
				changed, err := dropDexPaths(o, t, field, action)
				if err != nil {
					return nil, err
				}
				if changed && !slices.Contains(edited, o) {
					edited = append(edited, o)
				}
			}
		}
	}
	return edited, nil
}

func dropDexPaths(o *fn.KubeObject, t *fn.SubObject, field, action string) (bool, error) {
	changed := false
	for _, key := range []string{"paths", "notPaths"} {
		paths, _, _ := t.NestedStringSlice("operation", key)
		keep := slices.DeleteFunc(slices.Clone(paths), func(p string) bool { return strings.HasPrefix(p, "/dex/") })
		if len(keep) == len(paths) {
			continue
		}
		if key == "paths" || (action != "CUSTOM" && action != "DENY") {
			return false, kit.Errorf(o, field+"."+key, "names dex's paths: removing them would change what the policy lets through; edit it by hand, or keep dex (removeDex: false)")
		}
		if len(keep) == 0 {
			return false, kit.Errorf(o, field+"."+key, "exempts only dex's paths: without them the rule would have no exemption left; edit it by hand, or keep dex (removeDex: false)")
		}
		if err := t.SetNestedStringSlice(keep, "operation", key); err != nil {
			return false, kit.Errorf(o, field+"."+key, "%v", err)
		}
		changed = true
	}
	return changed, nil
}

// dexReferences fails closed on an object that still names one of dex's
// Services by host name (in a field, or in a line of an embedded config
// file that is not a comment).
func dexReferences(items fn.KubeObjects, hosts []string) error {
	for _, o := range items {
		var err error
		rn := o.MoveToResourceNode()
		walkStrings(rn.YNode(), "", func(path, v string) {
			for _, line := range strings.Split(v, "\n") {
				if err != nil || strings.HasPrefix(strings.TrimSpace(line), "#") {
					continue
				}
				for _, h := range hosts {
					if strings.Contains(line, h) {
						err = kit.Errorf(o, strings.TrimPrefix(path, "."), "still refers to dex (%s), which removeDex removes: point it elsewhere first, or keep dex", h)
					}
				}
			}
		})
		*o = *fn.MoveToKubeObject(rn)
		if err != nil {
			return err
		}
	}
	return nil
}

func walkStrings(n *yaml.Node, path string, visit func(path, v string)) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			walkStrings(c, path, visit)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			walkStrings(n.Content[i+1], path+"."+n.Content[i].Value, visit)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			walkStrings(c, fmt.Sprintf("%s[%d]", path, i), visit)
		}
	case yaml.ScalarNode:
		visit(path, n.Value)
	}
}

// serviceHosts are the names by which dex's Services are reached.
func serviceHosts(drop map[*fn.KubeObject]bool) []string {
	var hosts []string
	for o := range drop {
		if kit.ServiceKind.Is(o) {
			hosts = append(hosts, o.GetName()+"."+o.GetNamespace()+".svc", o.GetName()+"."+o.GetNamespace()+":")
		}
	}
	slices.Sort(hosts)
	return hosts
}
