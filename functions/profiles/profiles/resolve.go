package profiles

import (
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/argocd"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
)

// emailPattern is the dashboard's own check of a contributor's address (the
// HTML specification's valid e-mail address), so that nothing declared here
// is something Manage Contributors would refuse.
var emailPattern = regexp.MustCompile("^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$")

// The keys this function writes itself on the Namespace, which a declared
// label or annotation must not override.
var (
	reservedLabels      = []string{ManagedByLabel}
	reservedAnnotations = []string{ownerAnnotation, argocd.SyncOptionsAnnotation}
)

// resolved is a valid config with groups expanded: per profile, the owner
// and one grant per member user.
type resolved struct {
	profiles []resolvedProfile
}

type resolvedProfile struct {
	*Profile
	index  int
	owner  User
	grants []grant // by binding name
	notes  []string
}

// grant is one user's access to one profile and where it comes from.
type grant struct {
	user User
	role string
	via  string // "user" or "group <name>", for messages
}

// checker collects every problem of a config, each naming its field.
type checker struct {
	problems []string
	users    map[string]User
	groups   map[string]*Group
	expanded map[string][]string // group name → user ids, transitively
}

func (c *checker) fail(field, format string, a ...any) {
	c.problems = append(c.problems, field+": "+fmt.Sprintf(format, a...))
}

// resolve validates cfg and expands it. Every problem is reported, not only
// the first, so that one render shows everything to fix.
func resolve(cfg *Config) (*resolved, error) {
	c := &checker{users: map[string]User{}, groups: map[string]*Group{}, expanded: map[string][]string{}}
	c.checkUsers(cfg.Users)
	c.checkGroups(cfg.Groups)
	c.checkSettings(cfg)
	r := &resolved{}
	names := map[string]int{}
	for i := range cfg.Profiles {
		p := &cfg.Profiles[i]
		if j, dup := names[p.Name]; dup && p.Name != "" {
			c.fail(fmt.Sprintf("profiles[%d].name", i), "profile %q is declared twice (also profiles[%d])", p.Name, j)
			continue
		}
		names[p.Name] = i
		if rp, ok := c.profile(i, p); ok {
			r.profiles = append(r.profiles, rp)
		}
	}
	if len(c.problems) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(c.problems, "; "))
	}
	return r, nil
}

func (c *checker) checkUsers(users []User) {
	emails := map[string]int{}
	for i, u := range users {
		field := fmt.Sprintf("users[%d]", i)
		if !isDNSLabel(u.ID) {
			c.fail(field+".id", "%q is not a valid id: %s", u.ID, dnsLabelRule)
		} else if _, dup := c.users[u.ID]; dup {
			c.fail(field+".id", "user %q is declared twice", u.ID)
		}
		if !emailPattern.MatchString(u.Email) {
			c.fail(field+".email", "%q is not a valid e-mail address", u.Email)
		} else if j, dup := emails[strings.ToLower(u.Email)]; dup {
			c.fail(field+".email", "%s is also the e-mail of users[%d] (e-mail addresses are compared without case)", u.Email, j)
		}
		emails[strings.ToLower(u.Email)] = i
		if _, dup := c.users[u.ID]; !dup {
			c.users[u.ID] = u
		}
	}
}

func (c *checker) checkGroups(groups []Group) {
	for i := range groups {
		g := &groups[i]
		field := fmt.Sprintf("groups[%d].name", i)
		if !isDNSLabel(g.Name) {
			c.fail(field, "%q is not a valid group name: %s", g.Name, dnsLabelRule)
		} else if _, dup := c.groups[g.Name]; dup {
			c.fail(field, "group %q is declared twice", g.Name)
			continue
		}
		c.groups[g.Name] = g
	}
	for i := range groups {
		g := &groups[i]
		for j, id := range g.Users {
			if _, ok := c.users[id]; !ok {
				c.fail(fmt.Sprintf("groups[%d].users[%d]", i, j), "%q is not a declared user", id)
			}
		}
		for j, name := range g.Groups {
			if _, ok := c.groups[name]; !ok {
				c.fail(fmt.Sprintf("groups[%d].groups[%d]", i, j), "%q is not a declared group", name)
			}
		}
	}
	state := map[string]int{} // 0 unvisited, 1 on the path, 2 done
	for i := range groups {
		c.expand(groups[i].Name, fmt.Sprintf("groups[%d]", i), state, nil)
	}
}

// expand computes a group's users depth-first and reports a cycle once,
// with its path.
func (c *checker) expand(name, field string, state map[string]int, path []string) []string {
	g := c.groups[name]
	switch {
	case g == nil:
		return nil
	case state[name] == 2:
		return c.expanded[name]
	case state[name] == 1:
		start := slices.Index(path, name)
		c.fail(field+".groups", "group cycle %s", strings.Join(append(path[start:], name), " → "))
		return nil
	}
	state[name] = 1
	ids := map[string]bool{}
	for _, id := range g.Users {
		if _, ok := c.users[id]; ok {
			ids[id] = true
		}
	}
	for _, sub := range g.Groups {
		for _, id := range c.expand(sub, field, state, append(path, name)) {
			ids[id] = true
		}
	}
	state[name] = 2
	c.expanded[name] = slices.Sorted(maps.Keys(ids))
	return c.expanded[name]
}

func (c *checker) checkSettings(cfg *Config) {
	if pc := cfg.ProfilesConfig; pc.Name != "" {
		if !isDNSLabel(pc.Namespace) {
			c.fail("profilesConfig.namespace", "%q is not a valid namespace name: %s", pc.Namespace, dnsLabelRule)
		}
		if errs := validation.IsDNS1123Subdomain(pc.Name); len(errs) > 0 {
			c.fail("profilesConfig.name", "%q: %s", pc.Name, k8sMessage(errs))
		}
	}
	for i, g := range cfg.ReservedNamespaces {
		if _, err := path.Match(g, ""); err != nil || g == "" {
			c.fail(fmt.Sprintf("reservedNamespaces[%d]", i), "bad pattern %q", g)
		}
	}
}

// profile checks one profile and expands its members.
func (c *checker) profile(i int, p *Profile) (resolvedProfile, bool) {
	before := len(c.problems)
	field := fmt.Sprintf("profiles[%d]", i)
	rp := resolvedProfile{Profile: p, index: i}
	if !isDNSLabel(p.Name) {
		c.fail(field+".name", "%q is not a valid namespace name: %s", p.Name, dnsLabelRule)
	}
	if owner, ok := c.users[p.Owner]; ok {
		rp.owner = owner
	} else {
		c.fail(field+".owner", "%q is not a declared user", p.Owner)
	}
	if p.State != "" && p.State != StateActive && p.State != StateRetire {
		c.fail(field+".state", "%q: want %q or %q", p.State, StateActive, StateRetire)
	}
	c.checkMetadata(field, p)
	c.checkQuota(field, p)
	rp.grants, rp.notes = c.members(field, p)
	return rp, len(c.problems) == before
}

func (c *checker) checkMetadata(field string, p *Profile) {
	for _, k := range slices.Sorted(maps.Keys(p.NamespaceLabels)) {
		f := field + ".namespaceLabels[" + k + "]"
		if errs := append(validation.IsQualifiedName(k), validation.IsValidLabelValue(p.NamespaceLabels[k])...); len(errs) > 0 {
			c.fail(f, "%s", k8sMessage(errs))
		} else if slices.Contains(reservedLabels, k) {
			c.fail(f, "this function sets %s itself", k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(p.NamespaceAnnotations)) {
		f := field + ".namespaceAnnotations[" + k + "]"
		if errs := validation.IsQualifiedName(strings.ToLower(k)); len(errs) > 0 {
			c.fail(f, "%s", k8sMessage(errs))
		} else if slices.Contains(reservedAnnotations, k) {
			c.fail(f, "this function sets %s itself", k)
		}
	}
}

// checkQuota decodes the quota strictly as a Kubernetes ResourceQuotaSpec
// (unknown fields, bad quantities); the Profile keeps it as written.
func (c *checker) checkQuota(field string, p *Profile) {
	if len(p.ResourceQuotaSpec) == 0 || string(p.ResourceQuotaSpec) == "null" {
		return
	}
	var spec corev1.ResourceQuotaSpec
	if err := kit.DecodeJSON(p.ResourceQuotaSpec, &spec); err != nil {
		c.fail(field+".resourceQuotaSpec", "%v", err)
	}
}

const dnsLabelRule = "want lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters"

func isDNSLabel(s string) bool { return len(validation.IsDNS1123Label(s)) == 0 }

// k8sMessage joins apimachinery's validation messages, whose spacing is
// uneven.
func k8sMessage(errs []string) string {
	return strings.Join(strings.Fields(strings.Join(errs, "; ")), " ")
}
