// Package profiles renders declared Kubeflow profiles: per profile its
// Namespace and Profile, and per member the RoleBinding and the
// AuthorizationPolicy kfam would create when the dashboard adds a
// contributor, named and annotated as kfam names them, so that the dashboard
// lists them and kfam never makes a second copy.
package profiles

import (
	"fmt"
	"path"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/argocd"
	"github.com/kfgitops/kfgitops/kit/istio"
	"github.com/kfgitops/kfgitops/kit/kubeflow"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// FunctionName is the function's name, also the directory kpt writes its
// objects to.
const FunctionName = "profiles"

var (
	// rendered are the kinds a re-run replaces when they carry the marker:
	// what this function renders, and the waypoint and policies ambient-mesh
	// derives from it (they inherit the marker), so that nothing a removed
	// member or profile led to survives a re-render.
	rendered = []kit.GroupKind{kit.NamespaceKind, kubeflow.ProfileKind, kit.RoleBindingKind, istio.AuthorizationPolicyKind, kit.GatewayKind}
)

// Function is profiles.
var Function = kit.Definition[Config]{
	FunctionName: FunctionName,
	Kind:         Kind,
	Defaults:     Defaults,
	Run:          Run,
	Removes:      rendered,
}

// Run renders the declared profiles into rl.
func Run(rl *fn.ResourceList, cfg *Config) error {
	r, err := resolve(cfg)
	if err != nil {
		return err
	}
	rl.Items = kit.RemoveRendered(rl.Items, ManagedBy, rendered)
	if err := checkBundle(rl.Items, cfg, r); err != nil {
		return err
	}
	settings, err := readKfamSettings(kit.EditableItems(rl.Items), cfg.ProfilesConfig)
	if err != nil {
		return err
	}
	retired, bindings := 0, 0
	for _, p := range r.profiles {
		objs, err := render(p, settings)
		if err != nil {
			return fmt.Errorf("profiles[%d] %s: %w", p.index, p.Name, err)
		}
		rl.Items = append(rl.Items, objs...)
		if p.State == StateRetire {
			retired++
			kit.Info(&rl.Results, objs[0], "", "retired: the Profile and the access of its %s are no longer rendered, so Argo CD prunes them and the profile controller's own objects go with the Profile; "+
				"the Namespace and its data stay (owned by no Profile, %s %s): remove the profile from the config, then delete the namespace by hand when its data may go", kit.Plural(len(p.grants), "member"), argocd.SyncOptionsAnnotation, survive)
			continue
		}
		bindings += len(p.grants)
		kit.Info(&rl.Results, objs[1], "spec.owner", "owner %s; %s", p.owner.Email, describeGrants(p.grants))
		for _, n := range p.notes {
			kit.Info(&rl.Results, objs[1], "", "%s", n)
		}
	}
	prune := ""
	if len(r.profiles) > 0 {
		prune = "; a member removed from the config loses access only if the profiles Application prunes (argocd-apps: prune: true on group profiles)"
	}
	kit.Summary(&rl.Results, "%s: %s (%d retired), %s; principals and user-id header from %s%s",
		FunctionName, kit.Plural(len(r.profiles), "profile"), retired, kit.Plural(bindings, "member binding"), settings.describe(), prune)
	return nil
}

// render is one profile's objects: the Namespace first, then (unless
// retired) the Profile and per member a RoleBinding and an
// AuthorizationPolicy.
func render(p resolvedProfile, s kfamSettings) (fn.KubeObjects, error) {
	ns, err := newNamespace(p)
	if err != nil || p.State == StateRetire {
		return fn.KubeObjects{ns}, err
	}
	prof, err := newProfile(p)
	if err != nil {
		return nil, err
	}
	out := fn.KubeObjects{ns, prof}
	for _, g := range p.grants {
		rb, err := newRoleBinding(p.Name, g)
		if err != nil {
			return nil, err
		}
		ap, err := newAuthorizationPolicy(p.Name, g, s)
		if err != nil {
			return nil, err
		}
		out = append(out, rb, ap)
	}
	return out, nil
}

func describeGrants(gs []grant) string {
	if len(gs) == 0 {
		return "no members"
	}
	parts := make([]string, len(gs))
	for i, g := range gs {
		parts[i] = g.user.Email + " " + g.role
	}
	return fmt.Sprintf("%s: %s", kit.Plural(len(gs), "member"), strings.Join(parts, ", "))
}

// checkBundle rejects profiles that would take a namespace of the platform
// (one whose Namespace the bundle has, or a reserved name) or whose Profile
// the bundle already has. Other objects of the bundle may live in a profile's
// namespace: a team's own ConfigMaps or volumes, say.
func checkBundle(items fn.KubeObjects, cfg *Config, r *resolved) error {
	platform := map[string]bool{}
	profiles := map[string]bool{}
	for _, o := range items {
		switch {
		case kit.NamespaceKind.Is(o):
			platform[o.GetName()] = true
		case kubeflow.ProfileKind.Is(o):
			profiles[o.GetName()] = true
		}
	}
	var problems []string
	for _, p := range r.profiles {
		field := fmt.Sprintf("profiles[%d].name", p.index)
		if platform[p.Name] {
			problems = append(problems, fmt.Sprintf("%s: %q is a platform namespace: the bundle has its Namespace", field, p.Name))
		}
		if profiles[p.Name] {
			problems = append(problems, fmt.Sprintf("%s: the bundle already has Profile %s; declare it here or keep it there, not both", field, p.Name))
		}
		for _, g := range cfg.ReservedNamespaces {
			if ok, _ := path.Match(g, p.Name); ok {
				problems = append(problems, fmt.Sprintf("%s: %q is reserved (reservedNamespaces %q)", field, p.Name, g))
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return nil
}
